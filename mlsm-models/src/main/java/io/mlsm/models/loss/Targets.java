package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Names of the targets a {@link TrainingBatch} carries beside its labels, and the checks loss terms share. Rows of
 * per-position targets follow the target positions of the batch in row-major order.
 *
 * <pre>{@code
 * TrainingBatch b = TrainingBatch.of(ids, mask, labels).withTarget(Targets.CONCEPTS, p);   // [N, k]
 * }</pre>
 */
public final class Targets {

    /** Teacher probabilities over the vocabulary, {@code [N, V]} (KD). */
    public static final String TEACHER_PROBS = "teacher_probs";
    /** Latent-concept distributions, {@code [N, k]}, rows summing to 1 or all zero (MLSM, LSM). */
    public static final String CONCEPTS = "concepts";
    /** Class ids, {@code [B]} (sequence classification). */
    public static final String CLASS_LABELS = "class_labels";

    private Targets() {
    }

    /**
     * @throws IllegalArgumentException unless the batch carries {@code name} as an {@code [n, width]} array
     */
    public static void requireRows(TrainingBatch batch, String name, int n, long width) {
        INDArray a = batch.target(name);
        if (a == null) {
            throw new IllegalArgumentException("the objective needs the target '" + name + "' [" + n + ", " + width
                    + "] (one row per target position); the batch carries " + batch.targets().keySet());
        }
        if (a.rank() != 2 || a.size(0) != n || a.size(1) != width) {
            throw new IllegalArgumentException("target '" + name + "' must be [" + n + ", " + width + "] (one row per "
                    + "target position), got " + Arrays.toString(a.shape()));
        }
    }

    /** @throws IllegalArgumentException if the model has no latent concepts */
    public static void requireConcepts(DebertaModel model) {
        if (model.config().latentConcepts() <= 0) {
            throw new IllegalArgumentException("the objective needs latent concepts, but the model has "
                    + "latentConcepts = 0");
        }
    }

    /** @throws IllegalArgumentException if the model lacks {@code parameter}, saying how to add it */
    public static void requireParameter(DebertaModel model, String parameter, String howToAdd) {
        if (!model.parameters().containsKey(parameter)) {
            throw new IllegalArgumentException("the objective needs '" + parameter + "': " + howToAdd);
        }
    }
}
