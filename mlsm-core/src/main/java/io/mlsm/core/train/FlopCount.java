package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.sparse.SparseCodes;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Floating-point operations spent, by component, accumulated as work is done (analytic counts from
 * {@link io.mlsm.models.Flops}). Components of a training phase: {@link #STEP} (the model's forward and backward
 * passes), {@link #TEACHER_FORWARD} (the teacher's passes that compute targets or sample hidden states),
 * {@link #SPARSE_CODING} (coding hidden states over the dictionary, and learning it).
 *
 * <pre>{@code
 * FlopCount spent = new FlopCount();
 * spent.add(FlopCount.TEACHER_FORWARD, Flops.encoder(teacher.config(), 6, 32, 128));
 * double total = spent.total();
 * }</pre>
 */
public final class FlopCount {

    /** The trained model's forward + backward passes. */
    public static final String STEP = "step";
    /** Teacher passes that compute targets (or the hidden states a dictionary is learned from). */
    public static final String TEACHER_FORWARD = "teacher_forward";
    /** Sparse coding of hidden states (and dictionary learning). */
    public static final String SPARSE_CODING = "sparse_coding";

    private final Map<String, Double> byComponent = new LinkedHashMap<>();

    /**
     * @param component a component name
     * @param flops     operations spent, finite and {@code >= 0}
     */
    public synchronized void add(String component, double flops) {
        if (!(flops >= 0) || Double.isInfinite(flops)) {
            throw new IllegalArgumentException("FLOPs of " + component + " must be finite and >= 0, got " + flops);
        }
        byComponent.merge(component, flops, Double::sum);
    }

    /**
     * Counts one forward pass of {@code model} over {@code batch} as {@link #TEACHER_FORWARD} (all of the model's
     * layers: pass a truncated teacher to count only the layers it runs).
     */
    public void teacherPass(DebertaModel model, Batch batch) {
        add(TEACHER_FORWARD, Flops.encoder(model.config(), model.config().numLayers(), batch.batchSize(),
                batch.length()));
    }

    /** Counts the batched FISTA run that coded {@code input} {@code [n, d]} into {@code codes} as {@link #SPARSE_CODING}. */
    public void sparseCoding(INDArray input, SparseCodes codes) {
        add(SPARSE_CODING, Flops.sparseCoding((int) input.columns(), (int) codes.codes().columns(), codes.rows(),
                codes.maxIterations()));
    }

    /** @param other counts to add to these */
    public void addAll(Map<String, Double> other) {
        other.forEach(this::add);
    }

    /** @return a copy of the counts by component, in the order they first appeared */
    public synchronized Map<String, Double> snapshot() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(byComponent));
    }

    /** @return the sum over components */
    public synchronized double total() {
        return total(byComponent);
    }

    /** @return the sum of {@code counts} over its components */
    public static double total(Map<String, Double> counts) {
        return counts.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Override
    public synchronized String toString() {
        return byComponent.toString();
    }
}
