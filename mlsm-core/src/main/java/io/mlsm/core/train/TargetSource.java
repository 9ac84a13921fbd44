package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.models.TrainingBatch;

import java.util.Map;

/**
 * Supplies the targets an objective needs beyond the labels: teacher probabilities for KD, latent-concept
 * distributions for MLSM / LSM. Rows follow the target positions of the batch in row-major order (see
 * {@link TrainingBatch}).
 *
 * <pre>{@code
 * TargetSource kd = new TeacherDistributions(teacher);
 * TrainingBatch withTargets = kd.attach(batch, TrainingBatch.of(ids, mask, labels));
 * }</pre>
 */
public interface TargetSource {

    /**
     * @param batch the data batch (its original, unmasked ids are what a teacher sees)
     * @param base  ids, attention mask and labels of the batch as model arrays
     * @return {@code base} with this source's targets attached
     */
    TrainingBatch attach(Batch batch, TrainingBatch base);

    /**
     * @return operations this source has spent so far on the batches it was given (teacher passes, sparse coding), by
     * {@link FlopCount} component; empty for a source that computes nothing
     */
    default Map<String, Double> flops() {
        return Map.of();
    }

    /** @return a source that adds nothing (MLM, phase 3, classification) */
    static TargetSource none() {
        return (batch, base) -> base;
    }
}
