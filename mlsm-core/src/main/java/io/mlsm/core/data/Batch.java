package io.mlsm.core.data;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One immutable batch of {@code B} sequences padded to length {@code T}, row-major {@code [B, T]} arrays: the masked
 * input ids, the original ids (for a teacher, which sees the unmasked input), the attention mask and the labels
 * (the original id at targets, {@link Masking#IGNORE} elsewhere). Accessors return copies; the {@code *Array}
 * methods build ND4J arrays.
 *
 * <pre>{@code
 * Batch b = stream.batch(step);
 * INDArray ids = b.inputIdsArray(DataType.INT32);         // [B, T]
 * INDArray mask = b.attentionMaskArray(DataType.FLOAT);   // [B, T], 1 at real tokens
 * INDArray targets = b.targetMaskArray(DataType.FLOAT);   // [B, T], 1 at loss targets
 * }</pre>
 */
public final class Batch {

    private final long index;
    private final long epoch;
    private final int batchSize;
    private final int length;
    private final int[] sequenceIndices;
    private final int[] inputIds;
    private final int[] originalIds;
    private final int[] attentionMask;
    private final int[] labels;
    private final int targetCount;
    private final int tokenCount;

    /**
     * @param index           batch index in the stream
     * @param epoch           epoch of the batch
     * @param batchSize       {@code B}
     * @param length          {@code T}
     * @param sequenceIndices {@code [B]} indices of the rows' sequences in their {@link Sequences}
     * @param inputIds        {@code [B*T]} masked ids
     * @param originalIds     {@code [B*T]} unmasked ids
     * @param attentionMask   {@code [B*T]} 1 at real tokens, 0 at padding
     * @param labels          {@code [B*T]} original id at targets, {@link Masking#IGNORE} elsewhere
     */
    public Batch(long index, long epoch, int batchSize, int length, int[] sequenceIndices, int[] inputIds,
                 int[] originalIds, int[] attentionMask, int[] labels) {
        this(index, epoch, batchSize, length, sequenceIndices, inputIds, originalIds, attentionMask, labels, true);
    }

    /** With {@code copy == false} the arrays are taken over (for {@link BatchStream}, which never touches them again). */
    Batch(long index, long epoch, int batchSize, int length, int[] sequenceIndices, int[] inputIds,
          int[] originalIds, int[] attentionMask, int[] labels, boolean copy) {
        if (batchSize < 1 || length < 1) {
            throw new IllegalArgumentException("batch size and length must be >= 1, got " + batchSize + " x " + length);
        }
        int n = Math.multiplyExact(batchSize, length);
        check("sequenceIndices", sequenceIndices, batchSize);
        check("inputIds", inputIds, n);
        check("originalIds", originalIds, n);
        check("attentionMask", attentionMask, n);
        check("labels", labels, n);
        this.index = index;
        this.epoch = epoch;
        this.batchSize = batchSize;
        this.length = length;
        this.sequenceIndices = copy ? sequenceIndices.clone() : sequenceIndices;
        this.inputIds = copy ? inputIds.clone() : inputIds;
        this.originalIds = copy ? originalIds.clone() : originalIds;
        this.attentionMask = copy ? attentionMask.clone() : attentionMask;
        this.labels = copy ? labels.clone() : labels;
        int targets = 0;
        int tokens = 0;
        for (int i = 0; i < n; i++) {
            if (attentionMask[i] != 0 && attentionMask[i] != 1) {
                throw new IllegalArgumentException("attentionMask must be 0/1, got " + attentionMask[i] + " at " + i);
            }
            tokens += attentionMask[i];
            if (labels[i] != Masking.IGNORE) {
                if (attentionMask[i] == 0) {
                    throw new IllegalArgumentException("label at padding position " + i);
                }
                targets++;
            }
        }
        this.targetCount = targets;
        this.tokenCount = tokens;
    }

    private static void check(String name, int[] a, int n) {
        Objects.requireNonNull(a, name);
        if (a.length != n) {
            throw new IllegalArgumentException(name + " must have " + n + " entries, got " + a.length);
        }
    }

    /** @return the index of this batch in its stream (the same after a resume) */
    public long index() {
        return index;
    }

    /** @return the epoch this batch belongs to */
    public long epoch() {
        return epoch;
    }

    /** @return {@code B} */
    public int batchSize() {
        return batchSize;
    }

    /** @return {@code T} */
    public int length() {
        return length;
    }

    /** @return {@code [B]} the sequence index of each row (for per-sequence caches such as phase-2 targets) */
    public int[] sequenceIndices() {
        return sequenceIndices.clone();
    }

    /** @return {@code [B*T]} masked input ids */
    public int[] inputIds() {
        return inputIds.clone();
    }

    /** @return {@code [B*T]} unmasked ids */
    public int[] originalIds() {
        return originalIds.clone();
    }

    /** @return {@code [B*T]} 1 at real tokens, 0 at padding */
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /** @return {@code [B*T]} original id at targets, {@link Masking#IGNORE} elsewhere */
    public int[] labels() {
        return labels.clone();
    }

    /** @return the masked input id at row {@code b}, position {@code t} */
    public int inputId(int b, int t) {
        return inputIds[offset(b, t)];
    }

    /** @return the original id at row {@code b}, position {@code t} */
    public int originalId(int b, int t) {
        return originalIds[offset(b, t)];
    }

    /** @return the label at row {@code b}, position {@code t} */
    public int label(int b, int t) {
        return labels[offset(b, t)];
    }

    /** @return whether row {@code b}, position {@code t} is a real token */
    public boolean isToken(int b, int t) {
        return attentionMask[offset(b, t)] == 1;
    }

    private int offset(int b, int t) {
        Objects.checkIndex(b, batchSize);
        Objects.checkIndex(t, length);
        return b * length + t;
    }

    /** @return the number of loss targets */
    public int targetCount() {
        return targetCount;
    }

    /** @return the number of real (non-padding) tokens */
    public int tokenCount() {
        return tokenCount;
    }

    /** @return {@code [B, T]} masked input ids as {@code type} */
    public INDArray inputIdsArray(DataType type) {
        return array(inputIds, type); // [B, T]
    }

    /** @return {@code [B, T]} original ids as {@code type} */
    public INDArray originalIdsArray(DataType type) {
        return array(originalIds, type); // [B, T]
    }

    /** @return {@code [B, T]} labels ({@link Masking#IGNORE} where no target) as {@code type} */
    public INDArray labelsArray(DataType type) {
        return array(labels, type); // [B, T]
    }

    /** @return {@code [B, T]} 1 at real tokens, 0 at padding, as {@code type} */
    public INDArray attentionMaskArray(DataType type) {
        return array(attentionMask, type); // [B, T]
    }

    /** @return {@code [B, T]} 1 at loss targets, 0 elsewhere, as {@code type} */
    public INDArray targetMaskArray(DataType type) {
        int[] m = new int[labels.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = labels[i] == Masking.IGNORE ? 0 : 1;
        }
        return array(m, type); // [B, T]
    }

    private INDArray array(int[] data, DataType type) {
        INDArray a = Nd4j.createFromArray(data).reshape('c', batchSize, length); // [B, T] int32
        return type == DataType.INT32 ? a : a.castTo(type);
    }

    /** Two batches are equal when every field and every array entry is. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && index == b.index && epoch == b.epoch && batchSize == b.batchSize
                && length == b.length && Arrays.equals(sequenceIndices, b.sequenceIndices)
                && Arrays.equals(inputIds, b.inputIds) && Arrays.equals(originalIds, b.originalIds)
                && Arrays.equals(attentionMask, b.attentionMask) && Arrays.equals(labels, b.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, epoch, batchSize, length, Arrays.hashCode(inputIds), Arrays.hashCode(labels));
    }

    @Override
    public String toString() {
        return "Batch[index=" + index + ", epoch=" + epoch + ", " + batchSize + "x" + length + ", tokens=" + tokenCount
                + ", targets=" + targetCount + "]";
    }
}
