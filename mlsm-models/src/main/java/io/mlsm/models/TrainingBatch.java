package io.mlsm.models;

import io.mlsm.models.loss.Targets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One batch for {@link DebertaModel#computeGradients}: ids, attention mask, labels, and the targets the objective's
 * loss terms read, by name ({@link Targets}).
 *
 * <p>Target positions are those whose label is not {@link #IGNORE} ({@code −100}), counted in row-major order
 * ({@code b} then {@code t}); row {@code n} of a per-position target ({@link Targets#TEACHER_PROBS},
 * {@link Targets#CONCEPTS}) belongs to the {@code n}-th target position. For objectives without an MLM-style term
 * the label value at a target position is not used (any id in {@code [0, V)} marks the position).
 *
 * <pre>{@code
 * TrainingBatch b = TrainingBatch.of(ids, mask, labels)            // INDArray [B, T] each
 *         .withConceptTargets(targets);                            // [N, k], N = number of labels != -100
 * TrainingBatch c = b.withTarget("my_target", rows);              // any target a custom loss term reads
 * }</pre>
 *
 * @param inputIds      token ids {@code [B, T]} (any integer or float type holding integers)
 * @param attentionMask 1 for tokens, 0 for padding {@code [B, T]}
 * @param labels        target ids {@code [B, T]}, −100 = no target; may be null for classification
 * @param targets       targets by name (unmodifiable; empty when there are none)
 */
public record TrainingBatch(INDArray inputIds, INDArray attentionMask, INDArray labels,
                            Map<String, INDArray> targets) {

    /** Label value meaning "no target at this position". */
    public static final int IGNORE = -100;

    public TrainingBatch {
        if (inputIds == null || inputIds.rank() != 2) {
            throw new IllegalArgumentException("inputIds must be a [B, T] array, got "
                    + (inputIds == null ? "null" : Arrays.toString(inputIds.shape())));
        }
        requireSameShape("attentionMask", attentionMask, inputIds);
        if (labels != null) {
            requireSameShape("labels", labels, inputIds);
        }
        Map<String, INDArray> copy = new LinkedHashMap<>();
        if (targets != null) {
            targets.forEach((name, value) -> {
                if (name == null || value == null) {
                    throw new IllegalArgumentException("target names and values must not be null, got " + name
                            + " = " + value);
                }
                copy.put(name, value);
            });
        }
        targets = Collections.unmodifiableMap(copy);
        INDArray classLabels = targets.get(Targets.CLASS_LABELS);
        if (classLabels != null && classLabels.length() != inputIds.size(0)) {
            throw new IllegalArgumentException("classLabels must have B = " + inputIds.size(0) + " entries, got "
                    + classLabels.length());
        }
    }

    private static void requireSameShape(String name, INDArray a, INDArray ids) {
        if (a == null || !Arrays.equals(a.shape(), ids.shape())) {
            throw new IllegalArgumentException(name + " must have the shape of inputIds "
                    + Arrays.toString(ids.shape()) + ", got " + (a == null ? "null" : Arrays.toString(a.shape())));
        }
    }

    /**
     * @return a batch with ids, mask and labels only
     */
    public static TrainingBatch of(INDArray inputIds, INDArray attentionMask, INDArray labels) {
        return new TrainingBatch(inputIds, attentionMask, labels, Map.of());
    }

    /**
     * @return a batch from Java arrays
     */
    public static TrainingBatch of(int[][] inputIds, int[][] attentionMask, int[][] labels) {
        return of(Nd4j.createFromArray(inputIds), Nd4j.createFromArray(attentionMask),
                labels == null ? null : Nd4j.createFromArray(labels));
    }

    /**
     * @param name  target name ({@link Targets} or a custom loss term's)
     * @param value the array (replaces an earlier one of that name)
     * @return this batch with the target
     */
    public TrainingBatch withTarget(String name, INDArray value) {
        Map<String, INDArray> m = new LinkedHashMap<>(targets);
        m.put(name, value);
        return new TrainingBatch(inputIds, attentionMask, labels, m);
    }

    /** @return the target of that name, or null */
    public INDArray target(String name) {
        return targets.get(name);
    }

    /** @return this batch with KD teacher probabilities {@code [N, V]} ({@link Targets#TEACHER_PROBS}) */
    public TrainingBatch withTeacherProbs(INDArray probs) {
        return withTarget(Targets.TEACHER_PROBS, probs);
    }

    /** @return this batch with MLSM concept targets {@code [N, k]} ({@link Targets#CONCEPTS}) */
    public TrainingBatch withConceptTargets(INDArray concepts) {
        return withTarget(Targets.CONCEPTS, concepts);
    }

    /** @return this batch with class labels {@code [B]} ({@link Targets#CLASS_LABELS}) */
    public TrainingBatch withClassLabels(INDArray classes) {
        return withTarget(Targets.CLASS_LABELS, classes);
    }

    /** @return batch size B */
    public int batchSize() {
        return (int) inputIds.size(0);
    }

    /** @return sequence length T */
    public int seqLen() {
        return (int) inputIds.size(1);
    }
}
