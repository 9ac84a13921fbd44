package io.mlsm.models.direct;

import io.mlsm.models.DebertaConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Float32 inference of the DeBERTa v1 encoder and its heads on the CPU without a SameDiff graph: the same arithmetic
 * as {@link io.mlsm.models.graph.EncoderGraph} (and so as Hugging Face's {@code DebertaModel}), with the matrix
 * products as direct OpenBLAS calls on strided sub-matrices and everything between them (biases, relative-position
 * gathers, masks, softmax, LayerNorm, GELU) as fused Java loops over rows, split over the common fork-join pool.
 *
 * <p>Why: a SameDiff inference pass of the small preset spent less than half its time in matrix products; the rest
 * went to libnd4j's single-threaded strided copies of the relative shift, unfused elementwise kernels and the
 * session's per-op bookkeeping (docs/benchmarks.md). Here the relative terms are read straight from the
 * {@code [T, 2s]} content-to-position products by index, per (sequence, head) while the scores are still in cache,
 * and nothing is materialised that the next step does not need.
 *
 * <p>Results equal the graph's to float32 rounding (not bit for bit: summation orders differ), which
 * {@code DirectForwardTest} checks against the graph and against the Hugging Face fixture. Rows are independent
 * and split at fixed boundaries, so the output does not depend on the number of threads.
 *
 * <p>One instance per model, used by one thread at a time (like the model). It keeps its scratch buffers between
 * calls, grown to the largest batch seen (fresh native arrays cost page faults: 9.6 ms for 16 MB here), and frees
 * them in {@link #close()}. The parameter arrays are read, never written, and are looked up in the live map at every
 * call (in-place updates are seen).
 */
public final class DirectForward implements AutoCloseable {

    /** Added to the scores of padded keys, as in the graph (exp underflows to 0). */
    private static final float MASK_NEGATIVE = -1e9f;
    /** Row-chunk length of the elementwise passes (floats per scratch copy). */
    private static final int CHUNK = 8192;

    private final DebertaConfig cfg;
    private final Map<String, INDArray> params;
    private final ScratchBuffers scratch = new ScratchBuffers();
    private final int h;
    private final int heads;
    private final int d;
    private final int a;
    private final float invScale;

    /**
     * @param cfg    architecture
     * @param params float32 parameters by Hugging Face name (the model's live map)
     */
    public DirectForward(DebertaConfig cfg, Map<String, INDArray> params) {
        this.cfg = cfg;
        this.params = params;
        this.h = cfg.hiddenSize();
        this.heads = cfg.numHeads();
        this.d = cfg.headSize();
        this.a = heads * d;
        int terms = (cfg.c2p() ? 1 : 0) + (cfg.p2c() ? 1 : 0);
        this.invScale = (float) (1.0 / Math.sqrt(d * (1.0 + terms)));
    }

    /**
     * Whether this path serves a model: float32 parameters on ND4J's CPU backend, unless
     * {@code -Dmlsm.inference=graph} asks for the SameDiff graph. Float64 models (gradient checks) and other backends
     * always run the graph.
     *
     * @throws IllegalArgumentException when {@code mlsm.inference} is neither {@code direct} nor {@code graph}
     */
    public static boolean serves(DataType dataType) {
        String mode = System.getProperty("mlsm.inference", "direct");
        if (!mode.equals("direct") && !mode.equals("graph")) {
            throw new IllegalArgumentException("system property mlsm.inference must be 'direct' or 'graph', got '"
                    + mode + "'");
        }
        return mode.equals("direct") && dataType == DataType.FLOAT && Nd4j.getEnvironment().isCPU();
    }

    // ------------------------------------------------------------------------------------------- entry points

    /**
     * @param ids  token ids, row-major {@code [B*T]}, already range-checked
     * @param mask attention mask {@code [B*T]}, 1 = token, 0 = padding
     * @return the {@code numLayers + 1} hidden states, each a new {@code [B*T, H]} array (index 0 = embeddings)
     */
    public List<INDArray> hiddenStates(int[] ids, float[] mask, int batch, int seqLen) {
        return encode(ids, mask, batch, seqLen, null, true);
    }

    /**
     * The last hidden state only, in a scratch buffer of this instance (valid until its next call).
     *
     * @return {@code [B*T, H]} row-major in the first {@code B*T*H} elements of a flat buffer
     */
    public INDArray lastHiddenState(int[] ids, float[] mask, int batch, int seqLen) {
        List<INDArray> hidden = encode(ids, mask, batch, seqLen, null, false);
        return hidden.get(hidden.size() - 1);
    }

    /**
     * Logits of the MLM decoder rows {@code [rowStart, rowStart + count)} (vocabulary: 0 and V; all outputs: 0 and
     * V + k; concepts: V and k) at selected positions, the last layer finished at those positions only.
     *
     * @param positions flat positions {@code b * T + t}, already range-checked; row n of the result is position n
     * @return {@code [N, count]}
     */
    public INDArray decoderLogitsAt(int[] ids, float[] mask, int batch, int seqLen, int[] positions,
                                    int rowStart, int count) {
        List<INDArray> hidden = encode(ids, mask, batch, seqLen, positions, false);
        return decoder(transform(hidden.get(hidden.size() - 1), positions.length), positions.length, rowStart,
                count, true);
    }

    /** Latent-to-vocabulary logits {@code [N, V]} at selected positions (phase-3 head over the concept logits). */
    public INDArray latentToVocabLogitsAt(int[] ids, float[] mask, int batch, int seqLen, int[] positions) {
        int m = positions.length;
        List<INDArray> hidden = encode(ids, mask, batch, seqLen, positions, false);
        INDArray concepts = decoder(transform(hidden.get(hidden.size() - 1), m), m, cfg.vocabSize(),
                cfg.latentConcepts(), false);                                                       // [N, k]
        return linear(concepts, m, cfg.latentConcepts(), param(LATENT_TO_VOCAB_WEIGHT),
                vector(LATENT_TO_VOCAB_BIAS), false, null);
    }

    /**
     * The MLM head at every row of a last hidden state: decoder rows {@code [rowStart, rowStart + count)}.
     *
     * @param lastHidden {@code [B*T, H]} (its first {@code rows · H} elements)
     * @return a new {@code [rows, count]}
     */
    public INDArray decoderLogits(INDArray lastHidden, int rows, int rowStart, int count) {
        return decoder(transform(lastHidden, rows), rows, rowStart, count, true);
    }

    /**
     * Class logits: the {@code [CLS]} row of each sequence → pooler (dense, GELU) → classifier.
     *
     * @param lastHidden {@code [B*T, H]} (its first {@code B*T*H} elements)
     * @return a new {@code [B, C]}
     */
    public INDArray classLogits(INDArray lastHidden, int batch, int seqLen) {
        INDArray cls = slot("cls", (long) batch * h);
        FloatBuffer src = lastHidden.data().asNioFloat();
        FloatBuffer dst = cls.data().asNioFloat();
        float[] row = new float[h];
        for (int b = 0; b < batch; b++) {
            src.get(b * seqLen * h, row);
            dst.put(b * h, row);
        }
        INDArray pooled = linear(cls, batch, h, param(POOLER_WEIGHT), vector(POOLER_BIAS), true, "pooled");
        return linear(pooled, batch, h, param(CLASSIFIER_WEIGHT), vector(CLASSIFIER_BIAS), false, null);
    }

    /** Frees the scratch buffers (not the arrays returned); the instance stays usable. */
    @Override
    public void close() {
        scratch.close();
    }

    // ------------------------------------------------------------------------------------------- encoder

    /**
     * @param lastRows null for every row; otherwise the last layer runs its queries, projection and feed-forward at
     *                 these flat positions only and its hidden state is {@code [N, H]} in this order
     * @param keep     true: every hidden state is a new array the caller owns; false: they are scratch buffers
     *                 (two alternating), only the last one valid on return
     */
    private List<INDArray> encode(int[] ids, float[] mask, int batch, int seqLen, int[] lastRows, boolean keep) {
        int n = batch * seqLen;
        checkSize(n, seqLen);
        List<INDArray> hidden = new ArrayList<>();
        INDArray x = embeddings(ids, mask, n, keep ? null : "x0");
        hidden.add(x);
        Layer work = new Layer(batch, seqLen, mask);
        for (int l = 0; l < cfg.numLayers(); l++) {
            boolean last = l == cfg.numLayers() - 1;
            x = work.run(l, x, last ? lastRows : null, keep ? null : "x" + ((l + 1) % 2));
            hidden.add(x);
        }
        return hidden;
    }

    /** LayerNorm of the word-embedding rows, times the padding mask. */
    private INDArray embeddings(int[] ids, float[] mask, int n, String slot) {
        INDArray out = output(slot, n, h);
        FloatBuffer emb = param(WORD_EMBEDDINGS).data().asNioFloat();
        FloatBuffer dst = out.data().asNioFloat();
        float[] g = vector(EMBEDDINGS_LN_WEIGHT);
        float[] b = vector(EMBEDDINGS_LN_BIAS);
        float eps = (float) cfg.layerNormEps();
        forRows(n, (lo, hi) -> {
            float[] row = new float[h];
            for (int r = lo; r < hi; r++) {
                emb.get(ids[r] * h, row);
                layerNorm(row, g, b, eps);
                float m = mask[r];
                if (m != 1f) {
                    for (int c = 0; c < h; c++) {
                        row[c] *= m;
                    }
                }
                dst.put(r * h, row);
            }
        });
        return out;
    }

    /** The scratch of one pass, sized for every row and reused by each layer. */
    private final class Layer {
        private final int batch;
        private final int t;
        private final int n;
        private final float[] mask;
        private final int span;
        private final int relRows;
        private final INDArray qkv;
        private final INDArray posKey;
        private final INDArray posQuery;
        private final INDArray c2p;
        private final INDArray p2c;
        private final INDArray probs;
        private final INDArray ctx;
        private final INDArray attn;
        private final INDArray inter;
        private final INDArray qSel;

        Layer(int batch, int t, float[] mask) {
            this.batch = batch;
            this.t = t;
            this.n = batch * t;
            this.mask = mask;
            this.span = Math.min(t, cfg.effectiveMaxRelativePositions());
            this.relRows = 2 * span;
            this.qkv = slot("qkv", (long) n * 3 * a);
            this.posKey = cfg.c2p() ? slot("posKey", (long) relRows * a) : null;
            this.posQuery = cfg.p2c() ? slot("posQuery", (long) relRows * a) : null;
            this.c2p = cfg.c2p() ? slot("c2p", (long) heads * n * relRows) : null;
            this.p2c = cfg.p2c() ? slot("p2c", (long) heads * n * relRows) : null;
            this.probs = slot("probs", (long) heads * n * t);
            this.ctx = slot("ctx", (long) n * a);
            this.attn = slot("attn", (long) n * h);
            this.inter = slot("inter", (long) n * cfg.intermediateSize());
            this.qSel = slot("qSel", (long) n * a);
        }

        /**
         * Layer l on input {@code x [B*T, H]}; with {@code rows} its queries and output at those rows only.
         *
         * @param slot scratch buffer for the output, or null for a new array
         */
        INDArray run(int l, INDArray x, int[] rows, String slot) {
            // q, k, v of every row: in_proj rows are [head][q|k|v][d], so head h's q is columns h·3d .. h·3d + d
            Sgemm.gemm(false, true, n, 3 * a, h, x, 0, h, param(layer(l, IN_PROJ)), 0, h, 0f, qkv, 0, 3 * a);
            biasAndScaleQkv(l);
            relativeProjections(l);

            Queries q = rows == null ? Queries.all(batch, t) : Queries.at(rows, batch, t);
            INDArray qArr = qkv;
            int qLd = 3 * a;
            int qHead = 3 * d;
            if (rows != null) {
                gatherQueries(q);
                qArr = qSel;
                qLd = a;
                qHead = d;
            }
            int m = q.rows.length;
            for (int hd = 0; hd < heads; hd++) {
                if (c2p != null) {                                 // c2p[h][query][r] = q · posKey[2s − 1 − r]
                    Sgemm.gemm(false, true, m, relRows, d, qArr, (long) hd * qHead, qLd, posKey, (long) hd * d, a,
                            0f, c2p, (long) hd * n * relRows, relRows);
                }
                if (p2c != null) {                                 // p2c[h][key][r] = k · posQuery[r]
                    Sgemm.gemm(false, true, n, relRows, d, qkv, (long) hd * 3 * d + d, 3 * a, posQuery,
                            (long) hd * d, a, 0f, p2c, (long) hd * n * relRows, relRows);
                }
            }
            attention(q, qArr, qLd, qHead);

            // output projection, residual (the input rows of the queries), LayerNorm
            Sgemm.gemm(false, true, m, h, a, ctx, 0, a, param(layer(l, ATTN_OUT_WEIGHT)), 0, a, 0f, attn, 0, h);
            addResidualAndNormalize(attn, vector(layer(l, ATTN_OUT_BIAS)), x, q.rows, rows == null,
                    vector(layer(l, ATTN_LN_WEIGHT)), vector(layer(l, ATTN_LN_BIAS)), attn, m);

            // feed-forward
            int inner = cfg.intermediateSize();
            Sgemm.gemm(false, true, m, inner, h, attn, 0, h, param(layer(l, INTERMEDIATE_WEIGHT)), 0, h, 0f,
                    inter, 0, inner);
            biasGelu(inter, (long) m * inner, vector(layer(l, INTERMEDIATE_BIAS)));
            INDArray out = rows == null || q.identityOrder ? output(slot, m, h) : slot("unordered", (long) m * h);
            Sgemm.gemm(false, true, m, h, inner, inter, 0, inner, param(layer(l, OUTPUT_WEIGHT)), 0, inner, 0f,
                    out, 0, h);
            addResidualAndNormalize(out, vector(layer(l, OUTPUT_BIAS)), attn, null, true,
                    vector(layer(l, OUTPUT_LN_WEIGHT)), vector(layer(l, OUTPUT_LN_BIAS)), out, m);
            if (rows != null && !q.identityOrder) {
                INDArray ordered = output(slot, m, h);
                permuteRows(out, q.order, ordered);
                return ordered;
            }
            return out;
        }

        /** q ← (q + q_bias)·invScale, v ← v + v_bias, in the {@code [N, 3A]} projection. */
        private void biasAndScaleQkv(int l) {
            DirectForward.biasAndScaleQkv(qkv, n, vector(layer(l, Q_BIAS)), vector(layer(l, V_BIAS)), heads, d,
                    invScale);
        }

        /** posKey = rel·W_posᵀ and posQuery = (rel·W_posqᵀ + b)·invScale over the 2s table rows in use. */
        private void relativeProjections(int l) {
            if (posKey == null && posQuery == null) {
                return;
            }
            INDArray rel = param(REL_EMBEDDINGS);                                // [2R, H]
            long first = (long) (cfg.effectiveMaxRelativePositions() - span) * h;
            if (posKey != null) {
                Sgemm.gemm(false, true, relRows, a, h, rel, first, h, param(layer(l, POS_PROJ)), 0, h, 0f,
                        posKey, 0, a);
                // reversed rows: a query's c2p terms over its keys are then a forward run of its product row
                FloatBuffer buf = posKey.data().asNioFloat();
                float[] top = new float[a];
                float[] bottom = new float[a];
                for (int r = 0; r < span; r++) {
                    buf.get(r * a, top);
                    buf.get((relRows - 1 - r) * a, bottom);
                    buf.put(r * a, bottom);
                    buf.put((relRows - 1 - r) * a, top);
                }
            }
            if (posQuery != null) {
                Sgemm.gemm(false, true, relRows, a, h, rel, first, h, param(layer(l, POS_Q_PROJ_WEIGHT)), 0, h,
                        0f, posQuery, 0, a);
                float[] b = vector(layer(l, POS_Q_PROJ_BIAS));
                FloatBuffer buf = posQuery.data().asNioFloat();
                for (int r = 0; r < relRows; r++) {
                    for (int c = 0; c < a; c++) {
                        int i = r * a + c;
                        buf.put(i, (buf.get(i) + b[c]) * invScale);
                    }
                }
            }
        }

        /** qSel[g] = the q columns of every head at row {@code q.rows[g]}, {@code [M, A]} head-major. */
        private void gatherQueries(Queries q) {
            FloatBuffer src = qkv.data().asNioFloat();
            FloatBuffer dst = qSel.data().asNioFloat();
            float[] row = new float[3 * a];
            for (int g = 0; g < q.rows.length; g++) {
                src.get(q.rows[g] * 3 * a, row);
                for (int hd = 0; hd < heads; hd++) {
                    dst.put(g * a + hd * d, row, hd * 3 * d, d);
                }
            }
        }

        /**
         * Per (sequence, head): scores = q·kᵀ + c2p + p2c at the clamped relative index, padded keys pushed to
         * −1e9, softmax, padded queries zeroed, then the context {@code P·v} into {@code ctx [M, A]}.
         */
        private void attention(Queries q, INDArray qArr, int qLd, int qHead) {
            FloatBuffer pb = probs.data().asNioFloat();
            FloatBuffer cb = c2p == null ? null : c2p.data().asNioFloat();
            FloatBuffer pcb = p2c == null ? null : p2c.data().asNioFloat();
            int last = relRows - 1;
            // the products run one after another on OpenBLAS's own threads, the elementwise work between them on
            // the fork-join pool: calling OpenBLAS from several threads at once oversubscribed the cores (a small
            // pass took 0.58 s against 0.38 s with one BLAS thread)
            eachBlock(q, false, (b, hd, g0, g1) -> Sgemm.gemm(false, true, g1 - g0, t, d, qArr,
                    (long) g0 * qLd + (long) hd * qHead, qLd, qkv, (long) b * t * 3 * a + (long) hd * 3 * d + d, 3 * a,
                    0f, probs, ((long) hd * n + g0) * t, t));
            eachBlock(q, true, (b, hd, g0, g1) -> {
                long sOff = ((long) hd * n + g0) * t;
                long keyRow = (long) b * t;
                float[] row = new float[t];
                float[] tmp = new float[t];
                float[] rel = new float[relRows];
                int keyBase = (int) ((hd * (long) n + keyRow) * relRows);  // this (sequence, head)'s [T, 2s] block
                float[] keyBias = keyBias(b);                            // zeros without padding
                for (int g = g0; g < g1; g++) {
                    int i = q.rows[g] - b * t;                          // query position in its sequence
                    int at = (int) (sOff + (long) (g - g0) * t);
                    pb.get(at, row);
                    if (cb != null) {
                        int off = span - 1 - i;
                        int from = Math.max(0, off);                   // the part of the row addShifted reads
                        int to = Math.min(last, off + t - 1);
                        cb.get((hd * n + g) * relRows + from, rel, from, to - from + 1);
                        addShifted(row, rel, off, t, last);
                    }
                    // p2c at the clamped index i − j + s (a stride of 2s − 1 through the block), the key padding
                    // bias and the row maximum in one pass
                    float max = Float.NEGATIVE_INFINITY;
                    int jA = Math.max(0, Math.min(t, i + span - last));  // j < jA: index clamped to 2s − 1
                    int jB = Math.max(jA, Math.min(t, i + span + 1));     // j ≥ jB: index clamped to 0
                    for (int j = 0; j < t; j++) {
                        float v = row[j] + keyBias[j];
                        if (pcb != null) {
                            int idx = j < jA ? last : j < jB ? i + span - j : 0;
                            v += pcb.get(keyBase + j * relRows + idx);
                        }
                        row[j] = v;
                        max = v > max ? v : max;
                    }
                    float mi = mask[b * t + i];
                    if (mi == 0f) {
                        Arrays.fill(row, 0f);                           // padded query: the graph zeroes its row
                    } else {
                        softmax(row, tmp, max);
                        if (mi != 1f) {
                            for (int j = 0; j < t; j++) {
                                row[j] *= mi;
                            }
                        }
                    }
                    pb.put(at, row);
                }
            });
            eachBlock(q, false, (b, hd, g0, g1) -> Sgemm.gemm(false, false, g1 - g0, d, t, probs,
                    ((long) hd * n + g0) * t, t, qkv, (long) b * t * 3 * a + (long) hd * 3 * d + 2 * d, 3 * a, 0f,
                    ctx, (long) g0 * a + (long) hd * d, a));
        }

        /**
         * Runs {@code body} for every (sequence, head) block that has queries: one after another, or over the fork-join
         * pool.
         */
        private void eachBlock(Queries q, boolean inParallel, Block body) {
            IntConsumer task = k -> {
                int b = k / heads;
                int g0 = q.start[b];
                int g1 = q.start[b + 1];
                if (g0 < g1) {
                    body.run(b, k % heads, g0, g1);
                }
            };
            if (inParallel) {
                parallel(batch * heads, task);
            } else {
                for (int k = 0; k < batch * heads; k++) {
                    task.accept(k);
                }
            }
        }

        /** @return {@code (1 − mask)·(−1e9)} over the keys of sequence b (−0 or 0 at real tokens: adding it is exact) */
        private float[] keyBias(int b) {
            float[] bias = new float[t];
            for (int j = 0; j < t; j++) {
                float mj = mask[b * t + j];
                if (mj != 1f) {
                    bias[j] = (1f - mj) * MASK_NEGATIVE;
                }
            }
            return bias;
        }
    }

    /**
     * q ← (q + q_bias)·invScale and v ← v + v_bias in the first {@code rows} rows of a {@code [N, 3A]} projection
     * whose columns are {@code [head][q|k|v][d]} (the inference and the training passes).
     */
    static void biasAndScaleQkv(INDArray qkv, int rows, float[] qb, float[] vb, int heads, int d, float invScale) {
        FloatBuffer buf = qkv.data().asNioFloat();
        int width = 3 * heads * d;
        forRows(rows, (lo, hi) -> {
            float[] row = new float[width];
            for (int r = lo; r < hi; r++) {
                buf.get(r * width, row);
                for (int hd = 0; hd < heads; hd++) {
                    int base = hd * 3 * d;
                    for (int e = 0; e < d; e++) {
                        row[base + e] = (row[base + e] + qb[hd * d + e]) * invScale;
                        row[base + 2 * d + e] += vb[hd * d + e];
                    }
                }
                buf.put(r * width, row);
            }
        });
    }

    /**
     * {@code row[j] += rel[clamp(off + j, 0, last)]} for {@code j < t}: the c2p terms of one query from its product
     * with the reversed relative rows; the unclamped middle is a plain forward run (vectorised).
     */
    static void addShifted(float[] row, float[] rel, int off, int t, int last) {
        int lo = Math.min(t, Math.max(0, -off));                  // j < lo: index clamped to 0
        int hi = Math.max(lo, Math.min(t, last - off + 1));       // j ≥ hi: index clamped to last
        for (int j = 0; j < lo; j++) {
            row[j] += rel[0];
        }
        for (int j = lo; j < hi; j++) {
            row[j] += rel[off + j];
        }
        for (int j = hi; j < t; j++) {
            row[j] += rel[last];
        }
    }

    /** The query rows of a layer, grouped by sequence. */
    private static final class Queries {
        /** flat row of each query, grouped by sequence */
        final int[] rows;
        /** queries of sequence b are {@code rows[start[b] .. start[b + 1])} */
        final int[] start;
        /** {@code order[g]} = index in the caller's position list of grouped query g */
        final int[] order;
        final boolean identityOrder;

        private Queries(int[] rows, int[] start, int[] order, boolean identityOrder) {
            this.rows = rows;
            this.start = start;
            this.order = order;
            this.identityOrder = identityOrder;
        }

        static Queries all(int batch, int t) {
            int[] rows = IntStream.range(0, batch * t).toArray();
            int[] start = new int[batch + 1];
            for (int b = 0; b <= batch; b++) {
                start[b] = b * t;
            }
            return new Queries(rows, start, rows, true);
        }

        static Queries at(int[] positions, int batch, int t) {
            Integer[] idx = new Integer[positions.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (x, y) -> Integer.compare(positions[x] / t, positions[y] / t));   // stable
            int[] rows = new int[positions.length];
            int[] order = new int[positions.length];
            int[] start = new int[batch + 1];
            boolean identity = true;
            for (int g = 0; g < idx.length; g++) {
                order[g] = idx[g];
                identity &= idx[g] == g;
                rows[g] = positions[idx[g]];
                start[rows[g] / t + 1]++;
            }
            for (int b = 0; b < batch; b++) {
                start[b + 1] += start[b];
            }
            return new Queries(rows, start, order, identity);
        }
    }

    // ------------------------------------------------------------------------------------------- heads

    /** MLM transform: dense, GELU, LayerNorm ({@code m} rows of H → scratch {@code [m, H]}). */
    private INDArray transform(INDArray rows, int m) {
        INDArray dense = linear(rows, m, h, param(MLM_DENSE_WEIGHT), vector(MLM_DENSE_BIAS), true, "transform");
        float[] g = vector(MLM_LN_WEIGHT);
        float[] b = vector(MLM_LN_BIAS);
        float eps = (float) cfg.layerNormEps();
        FloatBuffer buf = dense.data().asNioFloat();
        forRows(m, (lo, hi) -> {
            float[] row = new float[h];
            for (int r = lo; r < hi; r++) {
                buf.get(r * h, row);
                layerNorm(row, g, b, eps);
                buf.put(r * h, row);
            }
        });
        return dense;
    }

    /**
     * Decoder rows {@code [rowStart, rowStart + count)} of the tied word embeddings plus their biases.
     *
     * @param result true: a new array; false: scratch
     */
    private INDArray decoder(INDArray transformed, int m, int rowStart, int count, boolean result) {
        INDArray out = result ? Nd4j.createUninitialized(DataType.FLOAT, m, count) : slot("decoder", (long) m * count);
        Sgemm.gemm(false, true, m, count, h, transformed, 0, h, param(WORD_EMBEDDINGS), (long) rowStart * h, h,
                0f, out, 0, count);
        float[] bias = Arrays.copyOfRange(vector(MLM_BIAS), rowStart, rowStart + count);
        addBias(out, m, bias);
        return out;
    }

    /**
     * {@code x·Wᵀ + b} over {@code m} rows of width {@code in}, optionally through GELU.
     *
     * @param slot scratch buffer for the result, or null for a new {@code [m, out]} array the caller owns
     */
    private INDArray linear(INDArray x, int m, int in, INDArray w, float[] bias, boolean gelu, String slot) {
        int out = (int) w.size(0);
        INDArray y = output(slot, m, out);
        Sgemm.gemm(false, true, m, out, in, x, 0, in, w, 0, in, 0f, y, 0, out);
        if (gelu) {
            biasGelu(y, (long) m * out, bias);
        } else {
            addBias(y, m, bias);
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------- row kernels

    /** {@code dst[r] = LN(y[r] + bias + residual[rows[r] or r])} for the first {@code m} rows ({@code dst} may be y). */
    private void addResidualAndNormalize(INDArray y, float[] bias, INDArray residual, int[] rows, boolean sameRows,
                                         float[] g, float[] b, INDArray dst, int m) {
        FloatBuffer yb = y.data().asNioFloat();
        FloatBuffer rb = residual.data().asNioFloat();
        FloatBuffer db = dst.data().asNioFloat();
        float eps = (float) cfg.layerNormEps();
        forRows(m, (lo, hi) -> {
            float[] row = new float[h];
            float[] res = new float[h];
            for (int r = lo; r < hi; r++) {
                yb.get(r * h, row);
                rb.get((sameRows ? r : rows[r]) * h, res);
                for (int c = 0; c < h; c++) {
                    row[c] += bias[c] + res[c];
                }
                layerNorm(row, g, b, eps);
                db.put(r * h, row);
            }
        });
    }

    /**
     * Hugging Face {@code DebertaLayerNorm} over one row, in place: mean and biased variance of the centred values
     * (eight float partial sums, combined in double: instruction-level parallelism), then a loop C2 vectorises.
     */
    static void layerNorm(float[] row, float[] g, float[] b, float eps) {
        int len = row.length;
        float mean = (float) (sumPlain(row) / len);
        float inv = (float) (1.0 / Math.sqrt(sumSquares(row, mean) / len + eps));
        for (int c = 0; c < len; c++) {
            row[c] = (row[c] - mean) * inv * g[c] + b[c];
        }
    }

    static double sumPlain(float[] x) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int c = 0;
        for (; c + 7 < x.length; c += 8) {
            s0 += x[c];
            s1 += x[c + 1];
            s2 += x[c + 2];
            s3 += x[c + 3];
            s4 += x[c + 4];
            s5 += x[c + 5];
            s6 += x[c + 6];
            s7 += x[c + 7];
        }
        double sum = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
        for (; c < x.length; c++) {
            sum += x[c];
        }
        return sum;
    }

    static double sumSquares(float[] x, float centre) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int c = 0;
        for (; c + 7 < x.length; c += 8) {
            float d0 = x[c] - centre;
            float d1 = x[c + 1] - centre;
            float d2 = x[c + 2] - centre;
            float d3 = x[c + 3] - centre;
            float d4 = x[c + 4] - centre;
            float d5 = x[c + 5] - centre;
            float d6 = x[c + 6] - centre;
            float d7 = x[c + 7] - centre;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        double sum = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
        for (; c < x.length; c++) {
            float dv = x[c] - centre;
            sum += dv * dv;
        }
        return sum;
    }

    /** Softmax of one row in place, given its maximum. */
    static void softmax(float[] row, float[] tmp, float max) {
        for (int j = 0; j < row.length; j++) {
            row[j] -= max;
        }
        FloatKernels.exp(row, row, tmp, row.length);
        float inv = (float) (1.0 / sumPlain(row));
        for (int j = 0; j < row.length; j++) {
            row[j] *= inv;
        }
    }

    private void biasGelu(INDArray x, long length, float[] bias) {
        FloatBuffer buf = x.data().asNioFloat();
        int chunks = (int) ((length + CHUNK - 1) / CHUNK);
        parallel(chunks, c -> {
            int lo = c * CHUNK;
            int len = (int) Math.min(CHUNK, length - lo);
            float[] part = new float[len];
            buf.get(lo, part);
            FloatKernels.biasGelu(part, len, bias, lo);
            buf.put(lo, part);
        });
    }

    private void addBias(INDArray y, int m, float[] bias) {
        int cols = bias.length;
        FloatBuffer buf = y.data().asNioFloat();
        forRows(m, (lo, hi) -> {
            float[] row = new float[cols];
            for (int r = lo; r < hi; r++) {
                buf.get(r * cols, row);
                for (int c = 0; c < cols; c++) {
                    row[c] += bias[c];
                }
                buf.put(r * cols, row);
            }
        });
    }

    private void permuteRows(INDArray src, int[] order, INDArray dst) {
        FloatBuffer s = src.data().asNioFloat();
        FloatBuffer t = dst.data().asNioFloat();
        float[] row = new float[h];
        for (int g = 0; g < order.length; g++) {
            s.get(g * h, row);
            t.put(order[g] * h, row);
        }
    }

    // ------------------------------------------------------------------------------------------- plumbing

    /** The queries {@code [g0, g1)} of sequence b, head hd. */
    @FunctionalInterface
    private interface Block {
        void run(int b, int hd, int g0, int g1);
    }

    /** A range of rows {@code [lo, hi)}. */
    @FunctionalInterface
    interface RowRange {
        void run(int lo, int hi);
    }

    /** Rows split into fixed blocks of 64 (the result does not depend on the thread count). */
    static void forRows(int rows, RowRange body) {
        int block = 64;
        int blocks = (rows + block - 1) / block;
        parallel(blocks, i -> body.run(i * block, Math.min(rows, (i + 1) * block)));
    }

    static void parallel(int tasks, IntConsumer body) {
        if (tasks == 1) {
            body.accept(0);
        } else if (tasks > 1) {
            IntStream.range(0, tasks).parallel().forEach(body);
        }
    }

    /** @return a scratch buffer of at least {@code elements} floats, kept between calls (grown when needed) */
    private INDArray slot(String name, long elements) {
        return scratch.get(name, elements);
    }

    /** @return the scratch buffer {@code slot}, or a new {@code [rows, cols]} array when {@code slot} is null */
    private INDArray output(String slot, int rows, int cols) {
        return slot == null ? Nd4j.createUninitialized(DataType.FLOAT, rows, cols) : slot(slot, (long) rows * cols);
    }

    /** @return the parameter as a dense float32 array (views and other layouts are rejected, not copied) */
    private INDArray param(String name) {
        return denseFloat(params, name);
    }

    /** @return {@code params.get(name)}, checked to be a dense row-major float32 array (views are rejected) */
    static INDArray denseFloat(Map<String, INDArray> params, String name) {
        INDArray x = params.get(name);
        if (x == null) {
            throw new IllegalArgumentException("model has no parameter '" + name + "'");
        }
        if (x.dataType() != DataType.FLOAT || x.isView() || x.ordering() != 'c' || x.data().length() != x.length()) {
            throw new IllegalStateException("parameter '" + name + "' is not a dense float32 array (" + x.dataType()
                    + ", view " + x.isView() + ", order " + x.ordering() + ")");
        }
        return x;
    }

    private float[] vector(String name) {
        return param(name).toFloatVector();
    }

    /** FloatBuffer indices are ints: every array of a pass must stay below 2³¹ elements. */
    private void checkSize(int n, int t) {
        long span = 2L * Math.min(t, cfg.effectiveMaxRelativePositions());
        long widest = Math.max(Math.max(3L * a, cfg.intermediateSize()), (long) heads * Math.max(t, span));
        if ((long) n * widest >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + n + " tokens is too large for one direct inference pass "
                    + "(" + n + " × " + widest + " elements ≥ 2^31): split it");
        }
    }
}
