package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.models.DebertaModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Streams a teacher's hidden states of one layer, one row per non-special, non-padding token of unmasked batches,
 * in chunks of a fixed number of rows, until a token budget is reached: the input of dictionary learning. Only one
 * chunk and one teacher batch are in memory at a time.
 *
 * <p>The rows come in corpus order, so consecutive rows are tokens of the same sequences. The reference learns from
 * the whole sample permuted; {@link #collect(long)} gathers every row into one array for
 * {@code OnlineDictionaryLearner.fit(INDArray)}, which does that.
 *
 * <pre>{@code
 * INDArray sample = new TeacherHiddenStates(teacher, -1, stream, 1_000_000, 400).collect(4L << 30);  // [n, H]
 * Dictionary d = OnlineDictionaryLearner.builder().atoms(2500).build().fit(sample);
 * }</pre>
 */
public final class TeacherHiddenStates implements Iterator<INDArray> {

    private final DebertaModel teacher;
    private final int hiddenIndex;
    private final BatchStream stream;
    private final long budget;
    private final int chunk;
    private final List<float[]> pending = new ArrayList<>();
    private long produced;
    private long nextBatch;
    private final long batches;
    private final FlopCount spent = new FlopCount();

    /**
     * @param teacher   the teacher
     * @param layer     hidden-state index (0 = embeddings, negative from the top)
     * @param stream    batches of the corpus; their original (unmasked) ids are used
     * @param maxTokens token budget (rows produced in total)
     * @param chunkRows rows per produced chunk (the learner's mini-batch)
     */
    public TeacherHiddenStates(DebertaModel teacher, int layer, BatchStream stream, long maxTokens, int chunkRows) {
        if (maxTokens < 1 || chunkRows < 1) {
            throw new IllegalArgumentException("maxTokens and chunkRows must be >= 1, got " + maxTokens + ", "
                    + chunkRows);
        }
        this.hiddenIndex = ConceptTargets.hiddenStateIndex(layer, teacher.config().numLayers());
        this.teacher = ConceptTargets.upTo(teacher, hiddenIndex);
        this.stream = stream;
        this.budget = maxTokens;
        this.chunk = chunkRows;
        this.batches = stream.totalBatches().orElse(Long.MAX_VALUE);
    }

    @Override
    public boolean hasNext() {
        fill();
        return !pending.isEmpty();
    }

    @Override
    public INDArray next() {
        if (!hasNext()) {
            throw new NoSuchElementException("token budget of " + budget + " reached");
        }
        int n = Math.min(chunk, pending.size());
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = pending.get(i);
        }
        pending.subList(0, n).clear();
        produced += n;
        return Nd4j.createFromArray(rows);                                                  // [n, H]
    }

    /**
     * The storage type of a whole sample of {@code rows × hidden} values under a memory bound: float32 when it fits,
     * else float16 (ND4J {@code HALF}: 11 significant bits, relative rounding ≤ 4.9e-4 per value, enough for hidden
     * states that are L2-normalised before learning), else an error.
     *
     * @param rows     sample rows
     * @param hidden   values per row
     * @param maxBytes the bound
     * @return {@code FLOAT} or {@code HALF}
     * @throws IllegalArgumentException when even float16 exceeds the bound; the message names both sizes and
     *                                  {@code DictionarySpec.sampleMemory}
     */
    public static DataType sampleType(long rows, long hidden, long maxBytes) {
        if (rows < 1 || hidden < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("rows, hidden and maxBytes must be >= 1, got " + rows + ", " + hidden
                    + ", " + maxBytes);
        }
        double values = (double) rows * hidden;
        if (values * 4 <= maxBytes) {
            return DataType.FLOAT;
        }
        if (values * 2 <= maxBytes) {
            return DataType.HALF;
        }
        throw new IllegalArgumentException(String.format("a dictionary sample of %d tokens x %d hidden values needs "
                        + "%s as float32 or %s as float16, over the sample memory bound of %s; raise the bound "
                        + "(DictionarySpec.sampleMemory(bytes)) or sample fewer tokens (DictionarySpec.sampleTokens)",
                rows, hidden, bytes(values * 4), bytes(values * 2), bytes(maxBytes)));
    }

    /**
     * Reads every remaining row (up to the token budget) into one array, stored as {@link #sampleType} chooses for
     * the full budget; when the corpus runs out first, a view of the rows read is returned.
     *
     * @param maxBytes memory bound of the sample
     * @return [n, H] in FLOAT or HALF, rows in corpus order
     * @throws IllegalArgumentException when the budget exceeds the bound even as float16, or there are no rows
     */
    public INDArray collect(long maxBytes) {
        int hidden = teacher.config().hiddenSize();
        long want = budget - produced;
        DataType type = sampleType(Math.max(1, want), hidden, maxBytes);
        INDArray sample = Nd4j.create(type, want, hidden);                                  // [budget, H]
        long filled = 0;
        while (filled < want && hasNext()) {
            INDArray rows = next();                                                         // [≤ chunk, H]
            sample.get(NDArrayIndex.interval(filled, filled + rows.rows()), NDArrayIndex.all()).assign(rows);
            filled += rows.rows();
        }
        if (filled == 0) {
            throw new IllegalArgumentException("no hidden states: the corpus has no non-special tokens");
        }
        return filled == want ? sample : sample.get(NDArrayIndex.interval(0, filled), NDArrayIndex.all());
    }

    private static String bytes(double b) {
        return b >= 1L << 30 ? String.format("%.2f GiB", b / (1L << 30))
                : b >= 1L << 20 ? String.format("%.1f MiB", b / (1L << 20)) : String.format("%.0f bytes", b);
    }

    /** @return operations of the teacher passes run so far ({@link FlopCount#TEACHER_FORWARD}) */
    public Map<String, Double> flops() {
        return spent.snapshot();
    }

    /** @return rows handed out so far */
    public long produced() {
        return produced;
    }

    private void fill() {
        while (pending.size() < chunk && produced + pending.size() < budget && nextBatch < batches) {
            Batch b = stream.batch(nextBatch++);
            INDArray hidden = teacher.hiddenStates(b.originalIdsArray(DataType.INT32),
                    b.attentionMaskArray(teacher.dataType())).get(hiddenIndex);               // [B, T, H]
            spent.teacherPass(teacher, b);                                                  // truncated
            INDArray flat = hidden.reshape((long) b.batchSize() * b.length(), hidden.size(2))
                    .castTo(DataType.FLOAT);                                                 // [B*T, H]
            int[] ids = b.originalIds();
            int[] mask = b.attentionMask();
            for (int i = 0; i < ids.length && produced + pending.size() < budget; i++) {
                if (mask[i] == 1 && !stream.specials().isSpecial(ids[i])) {
                    pending.add(flat.getRow(i).toFloatVector());
                }
            }
        }
    }
}
