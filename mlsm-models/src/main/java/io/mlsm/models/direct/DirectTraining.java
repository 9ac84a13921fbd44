package io.mlsm.models.direct;

import io.mlsm.models.DebertaConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Float32 training of the DeBERTa v1 encoder on the CPU without a SameDiff graph: a forward pass that keeps what its
 * backward pass needs, and a hand-written backward pass from the gradient of the last hidden state to every encoder
 * parameter and to the looked-up word-embedding rows. The arithmetic is the training graph's
 * ({@link io.mlsm.models.graph.EncoderGraph} with {@code tokensAsVariable}): the same dropout sites fed with the same
 * masks, padded queries not zeroed, relative rows in the graph's layout; the loss heads stay a SameDiff graph on the
 * encoder output (see {@code TrainingStep}).
 *
 * <p>Matrix products are {@code cblas_sgemm} calls of ND4J's OpenBLAS ({@link Sgemm}); the weight gradients are
 * products over all rows ({@code dW = dYᵀ·X}), the attention's per (sequence, head) products run one after another
 * on OpenBLAS's threads and the row work between them over the fork-join pool, as in {@link DirectForward}. Column
 * sums (bias and LayerNorm gradients) are taken in fixed blocks of rows and combined in block order, so a step's
 * gradients do not depend on the number of Java threads.
 *
 * <p>Backward of the pieces, per layer (x input, ⊙ dropout masks, LN = LayerNorm with x̂ the normalised input):
 * <ul>
 *   <li>LN: {@code dz = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂⊙x̂))} with {@code dx̂ = dy⊙γ}; {@code dγ = Σ dy⊙x̂},
 *       {@code dβ = Σ dy}.</li>
 *   <li>GELU: {@code Φ(x) + x φ(x)} (recomputed from the saved pre-activation).</li>
 *   <li>Softmax: {@code dS = P⊙(dP − Σⱼ P dP)}; the c2p term {@code q_i·K_r[T−1−i+j]} and the p2c term
 *       {@code k_j·Q_r[i−j+T−1]} scatter {@code dS} into {@code [T, 2T]} relative tables (each entry written once),
 *       whose products with the relative projections and with q, k give the rest.</li>
 * </ul>
 *
 * <p>Supports {@code T ≤ maxRelativePositions} (every relative row distinct, as the graph lays them out); longer
 * sequences train through the graph. One instance per model, one thread at a time; buffers are kept between steps
 * (grown to the largest batch) and freed by {@link #close()}.
 */
public final class DirectTraining implements AutoCloseable {

    /** Name of the row gradient of the looked-up word embeddings in {@link #backward}'s result. */
    public static final String TOKEN_EMBEDDING_ROWS = IN_TOKEN_EMBEDDINGS;

    /** Dropout masks of one step by site name ({@code dropout.*}); the arrays stay the caller's. */
    @FunctionalInterface
    public interface Masks {
        /** @return the mask of {@code site} (values 0 or {@code 1/keep}) */
        INDArray next(String site);
    }

    private static final float MASK_NEGATIVE = -1e9f;
    private static final int BLOCK = 64;
    private static final int CHUNK = 8192;

    private final DebertaConfig cfg;
    private final Map<String, INDArray> params;
    private final ScratchBuffers scratch = new ScratchBuffers();
    private final Map<String, INDArray> gradients = new java.util.HashMap<>();
    private final int h;
    private final int heads;
    private final int d;
    private final int a;
    private final int inner;
    private final float invScale;
    private final float eps;

    private Pass pass;

    /**
     * @param cfg    architecture
     * @param params float32 parameters by Hugging Face name (the model's live map; read, never written)
     */
    public DirectTraining(DebertaConfig cfg, Map<String, INDArray> params) {
        this.cfg = cfg;
        this.params = params;
        this.h = cfg.hiddenSize();
        this.heads = cfg.numHeads();
        this.d = cfg.headSize();
        this.a = heads * d;
        this.inner = cfg.intermediateSize();
        int terms = (cfg.c2p() ? 1 : 0) + (cfg.p2c() ? 1 : 0);
        this.invScale = (float) (1.0 / Math.sqrt(d * (1.0 + terms)));
        this.eps = (float) cfg.layerNormEps();
    }

    /**
     * Whether this path trains a model at sequence length T: float32 on ND4J's CPU backend, T within the relative
     * span, and {@code mlsm.training} not set to {@code graph} (the default is {@code direct}).
     *
     * @throws IllegalArgumentException when {@code mlsm.training} is neither {@code direct} nor {@code graph}
     */
    public static boolean serves(DataType dataType, DebertaConfig cfg, int seqLen) {
        String mode = System.getProperty("mlsm.training", "direct");
        if (!mode.equals("direct") && !mode.equals("graph")) {
            throw new IllegalArgumentException("system property mlsm.training must be 'direct' or 'graph', got '"
                    + mode + "'");
        }
        return mode.equals("direct") && dataType == DataType.FLOAT && Nd4j.getEnvironment().isCPU()
                && seqLen <= cfg.effectiveMaxRelativePositions();
    }

    // ------------------------------------------------------------------------------------------- entry points

    /**
     * The encoder with dropout (when {@code masks} is not null), keeping what {@link #backward} needs.
     *
     * @param ids   token ids {@code [B*T]}, already range-checked
     * @param mask  attention mask {@code [B*T]}
     * @param masks dropout masks, or null for none
     * @return the last hidden state {@code [B*T, H]} in the first {@code B*T*H} elements of a buffer of this
     *         instance, valid until the next call
     */
    public INDArray forward(int[] ids, float[] mask, int batch, int seqLen, Masks masks) {
        if (seqLen > cfg.effectiveMaxRelativePositions()) {
            throw new IllegalArgumentException("direct training needs T ≤ maxRelativePositions ("
                    + cfg.effectiveMaxRelativePositions() + "), got T = " + seqLen);
        }
        releasePass();
        int n = batch * seqLen;
        checkSize(n, seqLen);
        boolean dropHidden = masks != null && cfg.hiddenDropout() > 0;
        boolean dropAttn = masks != null && cfg.attentionDropout() > 0;
        Pass p = new Pass(ids, mask, batch, seqLen);
        pass = p;
        p.embeddings(dropHidden ? masks.next(DROPOUT_EMBEDDINGS) : null);
        for (int l = 0; l < cfg.numLayers(); l++) {
            LayerState s = new LayerState(l, p);
            p.layers.add(s);
            s.forward(p.input(l), masks, dropHidden, dropAttn);
        }
        return p.input(cfg.numLayers());
    }

    /**
     * Gradients of the last {@link #forward} pass.
     *
     * @param dLast gradient of the loss with respect to the last hidden state, {@code [B*T, H]} dense float32
     * @return arrays by parameter name (every encoder parameter the configuration uses, in the parameters' shapes),
     *         owned by this instance and overwritten by its next step ({@link #owns}), and
     *         {@link #TOKEN_EMBEDDING_ROWS} → the gradient of the looked-up rows {@code [B*T, H]} (a new array)
     */
    public Map<String, INDArray> backward(INDArray dLast) {
        Pass p = pass;
        if (p == null) {
            throw new IllegalStateException("backward() needs a forward() pass first");
        }
        if (dLast.length() != (long) p.n * h || dLast.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("gradient of the last hidden state must be float32 [" + p.n + ", " + h
                    + "], got " + dLast.dataType() + " " + java.util.Arrays.toString(dLast.shape()));
        }
        Map<String, INDArray> grads = new LinkedHashMap<>();
        INDArray dx = slot("b.dx", (long) p.n * h);
        copy(dLast.isView() || dLast.ordering() != 'c' ? dLast.dup('c') : dLast, dx, (long) p.n * h);
        INDArray dRel = cfg.c2p() || cfg.p2c() ? gradBuffer(REL_EMBEDDINGS).assign(0) : null;
        for (int l = cfg.numLayers() - 1; l >= 0; l--) {
            p.layers.get(l).backward(p.input(l), dx, grads, dRel);
        }
        if (dRel != null) {
            grads.put(REL_EMBEDDINGS, dRel);
        }
        p.embeddingsBackward(dx, grads);
        releasePass();
        return grads;
    }

    /**
     * The MLM loss at target positions of the last {@link #forward} pass, without a graph: the head's transform
     * (dense, GELU, LayerNorm), the tied decoder over the vocabulary rows {@code [0, V)} plus their biases, and the
     * mean cross-entropy over the targets — {@link io.mlsm.models.loss.MlmLoss} on the graph. With {@code grads} it
     * also puts {@code weight ×} the head's parameter gradients (arrays of this instance, as {@link #backward}'s) and
     * writes the gradient of each target row into {@code dLast}.
     *
     * @param targets flat positions of the targets (distinct), row i of the loss
     * @param labels  label id of each target, already range-checked
     * @param weight  the term's weight in the objective (the gradients are those of {@code weight · loss})
     * @param grads   null for the loss only; otherwise receives the head's gradients by parameter name
     * @param dLast   with {@code grads}: a zeroed {@code [B*T, H]} array that receives the target rows' gradients
     * @return the unweighted mean cross-entropy
     */
    public double mlmLoss(int[] targets, int[] labels, float weight, Map<String, INDArray> grads, INDArray dLast) {
        Pass p = pass;
        if (p == null) {
            throw new IllegalStateException("mlmLoss() needs a forward() pass first");
        }
        int m = targets.length;
        int vocab = cfg.vocabSize();
        INDArray last = p.input(cfg.numLayers());
        INDArray rows = slot("mlm.rows", (long) m * h);
        FloatBuffer src = fb(last);
        FloatBuffer dst = fb(rows);
        float[] row = new float[h];
        for (int i = 0; i < m; i++) {
            src.get(targets[i] * h, row);
            dst.put(i * h, row);
        }
        // transform: pre = rows·Wᵀ + b (kept), GELU, LayerNorm (x̂ kept)
        INDArray pre = slot("mlm.pre", (long) m * h);
        INDArray act = slot("mlm.act", (long) m * h);
        INDArray xhat = slot("mlm.xhat", (long) m * h);
        float[] inv = new float[m];
        INDArray wd = param(MLM_DENSE_WEIGHT);                                                   // [H, H]
        Sgemm.gemm(false, true, m, h, h, rows, 0, h, wd, 0, h, 0f, pre, 0, h);
        biasThenGelu(pre, act, vector(MLM_DENSE_BIAS), (long) m * h);
        float[] g = vector(MLM_LN_WEIGHT);
        float[] b = vector(MLM_LN_BIAS);
        FloatBuffer ab = fb(act);
        FloatBuffer xb = fb(xhat);
        DirectForward.forRows(m, (lo, hi) -> {
            float[] r = new float[h];
            float[] xr = new float[h];
            for (int i = lo; i < hi; i++) {
                ab.get(i * h, r);
                inv[i] = layerNormSave(r, g, b, eps, xr);
                xb.put(i * h, xr);
                ab.put(i * h, r);
            }
        });
        // logits over the vocabulary rows, then per row: log-sum-exp, loss, and (P − onehot)·weight / m in place
        INDArray emb = param(WORD_EMBEDDINGS);                                                   // [V(+k), H]
        INDArray logits = slot("mlm.logits", (long) m * vocab);
        Sgemm.gemm(false, true, m, vocab, h, act, 0, h, emb, 0, h, 0f, logits, 0, vocab);
        float[] bias = java.util.Arrays.copyOf(vector(MLM_BIAS), vocab);
        double[] losses = new double[m];
        float scale = weight / m;
        FloatBuffer lb = fb(logits);
        DirectForward.parallel(m, i -> {
            float[] z = new float[vocab];
            float[] tmp = new float[vocab];
            lb.get(i * vocab, z);
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < vocab; c++) {
                z[c] += bias[c];
                max = Math.max(max, z[c]);
            }
            float picked = z[labels[i]] - max;
            for (int c = 0; c < vocab; c++) {
                z[c] -= max;
            }
            FloatKernels.exp(z, z, tmp, vocab);
            double sum = DirectForward.sumPlain(z);
            losses[i] = Math.log(sum) - picked;
            if (grads != null) {
                float invSum = (float) (1.0 / sum);
                for (int c = 0; c < vocab; c++) {
                    z[c] *= invSum * scale;
                }
                z[labels[i]] -= scale;
                lb.put(i * vocab, z);
            }
        });
        double loss = 0;
        for (double v : losses) {
            loss += v;
        }
        loss /= m;
        if (grads == null) {
            return loss;
        }
        // decoder: dE[0, V) = dLᵀ·act, d bias = Σ dL, d act = dL·E
        INDArray dEmb = gradBuffer(WORD_EMBEDDINGS).assign(0);
        Sgemm.gemm(true, false, vocab, h, m, logits, 0, vocab, act, 0, h, 0f, dEmb, 0, h);
        float[] dBias = new float[(int) param(MLM_BIAS).length()];
        System.arraycopy(columnSums(logits, m, vocab), 0, dBias, 0, vocab);
        INDArray dAct = slot("mlm.dAct", (long) m * h);
        Sgemm.gemm(false, false, m, h, vocab, logits, 0, vocab, emb, 0, h, 0f, dAct, 0, h);
        // LayerNorm, GELU and dense backward
        INDArray dPre = slot("mlm.dPre", (long) m * h);
        float[][] ln = layerNormBackward(dAct, xhat, inv, g, m, dPre, null, null);
        INDArray slope = slot("mlm.slope", (long) m * h);
        geluAndSlope(pre, act, slope, (long) m * h);
        multiplyInPlace(dPre, slope, (long) m * h);
        grads.put(MLM_DENSE_WEIGHT, weightGrad(MLM_DENSE_WEIGHT, dPre, rows, h, h, m));
        grads.put(MLM_DENSE_BIAS, vectorGrad(MLM_DENSE_BIAS, columnSums(dPre, m, h)));
        grads.put(MLM_LN_WEIGHT, vectorGrad(MLM_LN_WEIGHT, ln[0]));
        grads.put(MLM_LN_BIAS, vectorGrad(MLM_LN_BIAS, ln[1]));
        grads.put(WORD_EMBEDDINGS, dEmb);
        grads.put(MLM_BIAS, vectorGrad(MLM_BIAS, dBias));
        INDArray dRows = slot("mlm.dRows", (long) m * h);
        Sgemm.gemm(false, false, m, h, h, dPre, 0, h, wd, 0, h, 0f, dRows, 0, h);
        FloatBuffer dr = fb(dRows);
        FloatBuffer dl = fb(dLast);
        for (int i = 0; i < m; i++) {
            dr.get(i * h, row);
            dl.put(targets[i] * h, row);
        }
        return loss;
    }

    /** @return whether {@code x} is one of this instance's gradient arrays (reused by the next step) */
    public boolean owns(INDArray x) {
        for (INDArray g : gradients.values()) {
            if (g == x) {
                return true;
            }
        }
        return false;
    }

    /** @return the dropout sites a {@link #forward} with masks asks for (none when the rates are 0) */
    public List<String> dropoutSites() {
        List<String> sites = new ArrayList<>();
        boolean hidden = cfg.hiddenDropout() > 0;
        if (hidden) {
            sites.add(DROPOUT_EMBEDDINGS);
        }
        for (int l = 0; l < cfg.numLayers(); l++) {
            if (hidden && cfg.c2p()) {
                sites.add(dropout(l, SITE_REL_C2P));
            }
            if (hidden && cfg.p2c()) {
                sites.add(dropout(l, SITE_REL_P2C));
            }
            if (cfg.attentionDropout() > 0) {
                sites.add(dropout(l, SITE_ATTENTION_PROBS));
            }
            if (hidden) {
                sites.add(dropout(l, SITE_ATTENTION_OUTPUT));
                sites.add(dropout(l, SITE_OUTPUT));
            }
        }
        return sites;
    }

    /** @return the parameters {@link #backward} returns gradients for (besides the token-embedding rows) */
    public List<String> parameterNames() {
        List<String> names = new ArrayList<>(List.of(EMBEDDINGS_LN_WEIGHT, EMBEDDINGS_LN_BIAS));
        if (cfg.c2p() || cfg.p2c()) {
            names.add(REL_EMBEDDINGS);
        }
        for (int l = 0; l < cfg.numLayers(); l++) {
            for (String suffix : List.of(IN_PROJ, Q_BIAS, V_BIAS, ATTN_OUT_WEIGHT, ATTN_OUT_BIAS, ATTN_LN_WEIGHT,
                    ATTN_LN_BIAS, INTERMEDIATE_WEIGHT, INTERMEDIATE_BIAS, OUTPUT_WEIGHT, OUTPUT_BIAS, OUTPUT_LN_WEIGHT,
                    OUTPUT_LN_BIAS)) {
                names.add(layer(l, suffix));
            }
            if (cfg.c2p()) {
                names.add(layer(l, POS_PROJ));
            }
            if (cfg.p2c()) {
                names.add(layer(l, POS_Q_PROJ_WEIGHT));
                names.add(layer(l, POS_Q_PROJ_BIAS));
            }
        }
        return names;
    }

    /** Frees the buffers and the state of an unfinished pass; the instance stays usable. */
    @Override
    public void close() {
        releasePass();
        scratch.close();
        gradients.values().forEach(INDArray::close);
        gradients.clear();
    }

    private void releasePass() {
        if (pass != null) {
            pass.release();
            pass = null;
        }
    }

    // ------------------------------------------------------------------------------------------- one pass

    /** What a forward pass keeps for its backward pass. */
    private final class Pass {
        final int[] ids;
        final float[] mask;
        final int batch;
        final int t;
        final int n;
        final List<LayerState> layers = new ArrayList<>();
        final List<INDArray> masks = new ArrayList<>();
        INDArray x0;
        INDArray xhatE;
        float[] invE;
        INDArray dropE;

        Pass(int[] ids, float[] mask, int batch, int t) {
            this.ids = ids;
            this.mask = mask;
            this.batch = batch;
            this.t = t;
            this.n = batch * t;
        }

        /** @return the input of layer l (l = numLayers: the last hidden state) */
        INDArray input(int l) {
            return l == 0 ? x0 : layers.get(l - 1).out;
        }

        /** x0 = LN(E[ids]) · mask ⊙ dropout. */
        void embeddings(INDArray drop) {
            dropE = keep(drop);
            x0 = slot("x0", (long) n * h);
            xhatE = slot("xhatE", (long) n * h);
            invE = new float[n];
            FloatBuffer emb = param(WORD_EMBEDDINGS).data().asNioFloat();
            FloatBuffer out = fb(x0);
            FloatBuffer xh = fb(xhatE);
            FloatBuffer dm = drop == null ? null : fb(drop);
            float[] g = vector(EMBEDDINGS_LN_WEIGHT);
            float[] b = vector(EMBEDDINGS_LN_BIAS);
            DirectForward.forRows(n, (lo, hi) -> {
                float[] row = new float[h];
                float[] xr = new float[h];
                float[] m = new float[h];
                for (int r = lo; r < hi; r++) {
                    emb.get(ids[r] * h, row);
                    invE[r] = layerNormSave(row, g, b, eps, xr);
                    xh.put(r * h, xr);
                    scaleRow(row, mask[r], dm, r, m);
                    out.put(r * h, row);
                }
            });
        }

        void embeddingsBackward(INDArray dx, Map<String, INDArray> grads) {
            FloatBuffer db = fb(dx);
            FloatBuffer dm = dropE == null ? null : fb(dropE);
            // d(LN output) = dx · mask ⊙ dropout, in place
            DirectForward.forRows(n, (lo, hi) -> {
                float[] row = new float[h];
                float[] m = new float[h];
                for (int r = lo; r < hi; r++) {
                    db.get(r * h, row);
                    scaleRow(row, mask[r], dm, r, m);
                    db.put(r * h, row);
                }
            });
            INDArray dE = Nd4j.createUninitialized(DataType.FLOAT, n, h);
            float[][] sums = layerNormBackward(dx, xhatE, invE, vector(EMBEDDINGS_LN_WEIGHT), n, dE, null, null);
            grads.put(EMBEDDINGS_LN_WEIGHT, vectorGrad(EMBEDDINGS_LN_WEIGHT, sums[0]));
            grads.put(EMBEDDINGS_LN_BIAS, vectorGrad(EMBEDDINGS_LN_BIAS, sums[1]));
            grads.put(TOKEN_EMBEDDING_ROWS, dE);
        }

        INDArray keep(INDArray m) {
            if (m != null) {
                masks.add(m);
            }
            return m;
        }

        void release() {
            masks.clear();                                          // the caller's arrays
        }
    }

    /** One layer's saved activations and its forward and backward steps. */
    private final class LayerState {
        final int l;
        final Pass p;
        final int n;
        final int t;
        final int rel;
        INDArray qkv;
        INDArray relC;
        INDArray relP;
        INDArray relMaskC;
        INDArray relMaskP;
        INDArray relKey;
        INDArray relQuery;
        INDArray probs;
        INDArray dropped;
        INDArray dropProbs;
        INDArray ctx;
        INDArray attn;
        INDArray xhatA;
        float[] invA;
        INDArray dropAttnOut;
        INDArray inter;
        INDArray out;
        INDArray xhatO;
        float[] invO;
        INDArray dropOut;

        LayerState(int l, Pass p) {
            this.l = l;
            this.p = p;
            this.n = p.n;
            this.t = p.t;
            this.rel = 2 * p.t;
        }

        private INDArray mine(String name, long elements) {
            return slot(l + "." + name, elements);
        }

        void forward(INDArray x, Masks masks, boolean dropHidden, boolean dropAttn) {
            qkv = mine("qkv", (long) n * 3 * a);
            Sgemm.gemm(false, true, n, 3 * a, h, x, 0, h, param(layer(l, IN_PROJ)), 0, h, 0f, qkv, 0, 3 * a);
            biasAndScaleQkv();
            INDArray c2p = null;
            INDArray p2c = null;
            if (cfg.c2p()) {
                relMaskC = dropHidden ? p.keep(masks.next(dropout(l, SITE_REL_C2P))) : null;
                relC = relativeRows("relC", true, relMaskC);
                relKey = mine("relKey", (long) rel * a);
                Sgemm.gemm(false, true, rel, a, h, relC, 0, h, param(layer(l, POS_PROJ)), 0, h, 0f, relKey, 0, a);
                c2p = slot("c2p", (long) heads * n * rel);
                for (int hd = 0; hd < heads; hd++) {              // C[h][i][r] = q_i · relKey[r]
                    Sgemm.gemm(false, true, n, rel, d, qkv, (long) hd * 3 * d, 3 * a, relKey, (long) hd * d, a, 0f,
                            c2p, (long) hd * n * rel, rel);
                }
            }
            if (cfg.p2c()) {
                relMaskP = dropHidden ? p.keep(masks.next(dropout(l, SITE_REL_P2C))) : null;
                relP = relativeRows("relP", false, relMaskP);
                relQuery = mine("relQuery", (long) rel * a);
                Sgemm.gemm(false, true, rel, a, h, relP, 0, h, param(layer(l, POS_Q_PROJ_WEIGHT)), 0, h, 0f,
                        relQuery, 0, a);
                float[] b = vector(layer(l, POS_Q_PROJ_BIAS));
                FloatBuffer buf = fb(relQuery);
                for (int r = 0; r < rel; r++) {
                    for (int c = 0; c < a; c++) {
                        int i = r * a + c;
                        buf.put(i, (buf.get(i) + b[c]) * invScale);
                    }
                }
                p2c = slot("p2c", (long) heads * n * rel);
                for (int hd = 0; hd < heads; hd++) {              // Pq[h][j][r] = k_j · relQuery[r]
                    Sgemm.gemm(false, true, n, rel, d, qkv, (long) hd * 3 * d + d, 3 * a, relQuery, (long) hd * d, a,
                            0f, p2c, (long) hd * n * rel, rel);
                }
            }
            attentionForward(c2p, p2c, dropAttn ? p.keep(masks.next(dropout(l, SITE_ATTENTION_PROBS))) : null);

            // output projection, bias, dropout, residual, LayerNorm
            attn = mine("attn", (long) n * h);
            xhatA = mine("xhatA", (long) n * h);
            invA = new float[n];
            Sgemm.gemm(false, true, n, h, a, ctx, 0, a, param(layer(l, ATTN_OUT_WEIGHT)), 0, a, 0f, attn, 0, h);
            dropAttnOut = dropHidden ? p.keep(masks.next(dropout(l, SITE_ATTENTION_OUTPUT))) : null;
            residualNorm(attn, vector(layer(l, ATTN_OUT_BIAS)), dropAttnOut, x, vector(layer(l, ATTN_LN_WEIGHT)),
                    vector(layer(l, ATTN_LN_BIAS)), xhatA, invA);

            // feed-forward: the pre-activation is kept, GELU into a shared buffer
            inter = mine("inter", (long) n * inner);
            Sgemm.gemm(false, true, n, inner, h, attn, 0, h, param(layer(l, INTERMEDIATE_WEIGHT)), 0, h, 0f, inter, 0,
                    inner);
            INDArray act = slot("gelu", (long) n * inner);
            biasThenGelu(inter, act, vector(layer(l, INTERMEDIATE_BIAS)), (long) n * inner);
            out = mine("out", (long) n * h);
            xhatO = mine("xhatO", (long) n * h);
            invO = new float[n];
            Sgemm.gemm(false, true, n, h, inner, act, 0, inner, param(layer(l, OUTPUT_WEIGHT)), 0, inner, 0f, out, 0,
                    h);
            dropOut = dropHidden ? p.keep(masks.next(dropout(l, SITE_OUTPUT))) : null;
            residualNorm(out, vector(layer(l, OUTPUT_BIAS)), dropOut, attn, vector(layer(l, OUTPUT_LN_WEIGHT)),
                    vector(layer(l, OUTPUT_LN_BIAS)), xhatO, invO);
        }

        /** q ← (q + q_bias)·invScale, v ← v + v_bias. */
        private void biasAndScaleQkv() {
            DirectForward.biasAndScaleQkv(qkv, n, vector(layer(l, Q_BIAS)), vector(layer(l, V_BIAS)), heads, d,
                    invScale);
        }

        /**
         * The 2T relative rows in the training graph's layout, times their dropout mask: c2p row r holds table row
         * {@code R − T + 2T − 1 − r}, p2c row r holds {@code R − T + r + 1}; the last row of each is zero.
         */
        private INDArray relativeRows(String name, boolean c2pLayout, INDArray drop) {
            INDArray dst = mine(name, (long) rel * h);
            FloatBuffer table = param(REL_EMBEDDINGS).data().asNioFloat();
            FloatBuffer out = fb(dst);
            FloatBuffer dm = drop == null ? null : fb(drop);
            int base = cfg.effectiveMaxRelativePositions() - t;
            float[] row = new float[h];
            float[] m = new float[h];
            for (int r = 0; r < rel; r++) {
                if (r == rel - 1) {
                    java.util.Arrays.fill(row, 0f);
                } else {
                    table.get((base + (c2pLayout ? rel - 1 - r : r + 1)) * h, row);
                    if (dm != null) {
                        dm.get(r * h, m);
                        for (int c = 0; c < h; c++) {
                            row[c] *= m[c];
                        }
                    }
                }
                out.put(r * h, row);
            }
            return dst;
        }

        /** Scores, relative terms, key padding, softmax (kept), dropout (kept), context into {@code ctx}. */
        private void attentionForward(INDArray c2p, INDArray p2c, INDArray drop) {
            probs = mine("probs", (long) heads * n * t);
            dropProbs = drop;
            dropped = drop == null ? probs : mine("dropped", (long) heads * n * t);
            ctx = mine("ctx", (long) n * a);
            eachBlock(false, (b, hd) -> Sgemm.gemm(false, true, t, t, d, qkv, rowOf(b) * 3 * a + (long) hd * 3 * d,
                    3 * a, qkv, rowOf(b) * 3 * a + (long) hd * 3 * d + d, 3 * a, 0f, probs, block(hd, b), t));
            FloatBuffer pb = fb(probs);
            FloatBuffer db = fb(dropped);
            FloatBuffer mb = drop == null ? null : fb(drop);
            FloatBuffer cb = c2p == null ? null : fb(c2p);
            FloatBuffer pcb = p2c == null ? null : fb(p2c);
            eachBlock(true, (b, hd) -> {
                float[] row = new float[t];
                float[] tmp = new float[t];
                float[] m = new float[t];
                float[] keyBias = keyBias(b);
                long at0 = block(hd, b);
                long relBase = ((long) hd * n + (long) b * t) * rel;
                for (int i = 0; i < t; i++) {
                    int at = (int) (at0 + (long) i * t);
                    pb.get(at, row);
                    if (cb != null) {                               // + q_i · relKey[T − 1 − i + j]
                        int from = (int) (relBase + (long) i * rel) + t - 1 - i;
                        cb.get(from, tmp, 0, t);
                        for (int j = 0; j < t; j++) {
                            row[j] += tmp[j];
                        }
                    }
                    float max = Float.NEGATIVE_INFINITY;
                    int diag = (int) relBase + i + t - 1;           // + k_j · relQuery[i − j + T − 1]
                    for (int j = 0; j < t; j++) {
                        float v = row[j] + keyBias[j];
                        if (pcb != null) {
                            v += pcb.get(diag + j * (rel - 1));
                        }
                        row[j] = v;
                        max = v > max ? v : max;
                    }
                    DirectForward.softmax(row, tmp, max);
                    pb.put(at, row);
                    if (mb != null) {
                        mb.get(at, m);
                        for (int j = 0; j < t; j++) {
                            row[j] *= m[j];
                        }
                        db.put(at, row);
                    }
                }
            });
            INDArray pd = dropped;
            eachBlock(false, (b, hd) -> Sgemm.gemm(false, false, t, d, t, pd, block(hd, b), t, qkv,
                    rowOf(b) * 3 * a + (long) hd * 3 * d + 2 * d, 3 * a, 0f, ctx, rowOf(b) * a + (long) hd * d, a));
        }

        /**
         * @param x  the layer's input
         * @param dx in: gradient of the layer's output; out: gradient of its input
         */
        void backward(INDArray x, INDArray dx, Map<String, INDArray> grads, INDArray dRel) {
            // output LayerNorm: dz to the residual (da) and, through the dropout, to the dense output (dOut)
            INDArray da = slot("b.da", (long) n * h);
            INDArray dOut = slot("b.dOut", (long) n * h);
            float[][] lnO = layerNormBackward(dx, xhatO, invO, vector(layer(l, OUTPUT_LN_WEIGHT)), n, da, dOut,
                    dropOut);
            grads.put(layer(l, OUTPUT_LN_WEIGHT), vectorGrad(layer(l, OUTPUT_LN_WEIGHT), lnO[0]));
            grads.put(layer(l, OUTPUT_LN_BIAS), vectorGrad(layer(l, OUTPUT_LN_BIAS), lnO[1]));
            grads.put(layer(l, OUTPUT_BIAS), vectorGrad(layer(l, OUTPUT_BIAS), columnSums(dOut, n, h)));
            INDArray act = slot("gelu", (long) n * inner);
            INDArray slope = slot("b.geluGrad", (long) n * inner);
            geluAndSlope(inter, act, slope, (long) n * inner);
            INDArray wo = param(layer(l, OUTPUT_WEIGHT));                                    // [H, I]
            grads.put(layer(l, OUTPUT_WEIGHT), weightGrad(layer(l, OUTPUT_WEIGHT), dOut, act, h, inner, n));
            INDArray dInter = slot("b.dInter", (long) n * inner);
            Sgemm.gemm(false, false, n, inner, h, dOut, 0, h, wo, 0, inner, 0f, dInter, 0, inner);
            multiplyInPlace(dInter, slope, (long) n * inner);
            grads.put(layer(l, INTERMEDIATE_BIAS), vectorGrad(layer(l, INTERMEDIATE_BIAS), columnSums(dInter, n, inner)));
            INDArray wi = param(layer(l, INTERMEDIATE_WEIGHT));                              // [I, H]
            grads.put(layer(l, INTERMEDIATE_WEIGHT), weightGrad(layer(l, INTERMEDIATE_WEIGHT), dInter, attn, inner, h,
                    n));
            Sgemm.gemm(false, false, n, h, inner, dInter, 0, inner, wi, 0, h, 1f, da, 0, h);

            // attention LayerNorm: dy to the residual (the layer input's gradient) and to the output projection
            INDArray dAttnOut = slot("b.dOut", (long) n * h);
            float[][] lnA = layerNormBackward(da, xhatA, invA, vector(layer(l, ATTN_LN_WEIGHT)), n, dx, dAttnOut,
                    dropAttnOut);
            grads.put(layer(l, ATTN_LN_WEIGHT), vectorGrad(layer(l, ATTN_LN_WEIGHT), lnA[0]));
            grads.put(layer(l, ATTN_LN_BIAS), vectorGrad(layer(l, ATTN_LN_BIAS), lnA[1]));
            grads.put(layer(l, ATTN_OUT_BIAS), vectorGrad(layer(l, ATTN_OUT_BIAS), columnSums(dAttnOut, n, h)));
            INDArray wAo = param(layer(l, ATTN_OUT_WEIGHT));                                 // [H, A]
            grads.put(layer(l, ATTN_OUT_WEIGHT), weightGrad(layer(l, ATTN_OUT_WEIGHT), dAttnOut, ctx, h, a, n));
            INDArray dCtx = slot("b.dCtx", (long) n * a);
            Sgemm.gemm(false, false, n, a, h, dAttnOut, 0, h, wAo, 0, a, 0f, dCtx, 0, a);

            INDArray dQkv = slot("b.dQkv", (long) n * 3 * a);
            attentionBackward(dCtx, dQkv, grads, dRel);

            // q scale, q and v biases, in_proj, and the input's gradient
            float[] sums = scaleQueryGradAndSum(dQkv);
            float[] dqb = new float[a];
            float[] dvb = new float[a];
            for (int hd = 0; hd < heads; hd++) {
                System.arraycopy(sums, hd * 3 * d, dqb, hd * d, d);
                System.arraycopy(sums, hd * 3 * d + 2 * d, dvb, hd * d, d);
            }
            grads.put(layer(l, Q_BIAS), vectorGrad(layer(l, Q_BIAS), dqb));
            grads.put(layer(l, V_BIAS), vectorGrad(layer(l, V_BIAS), dvb));
            INDArray win = param(layer(l, IN_PROJ));                                         // [3A, H]
            grads.put(layer(l, IN_PROJ), weightGrad(layer(l, IN_PROJ), dQkv, x, 3 * a, h, n));
            Sgemm.gemm(false, false, n, h, 3 * a, dQkv, 0, 3 * a, win, 0, h, 1f, dx, 0, h);
        }

        private void attentionBackward(INDArray dCtx, INDArray dQkv, Map<String, INDArray> grads, INDArray dRel) {
            INDArray dS = slot("b.dProbs", (long) heads * n * t);
            INDArray pd = dropped;
            // dPd = dctx · vᵀ; dv = Pdᵀ · dctx (per sequence and head)
            eachBlock(false, (b, hd) -> {
                Sgemm.gemm(false, true, t, t, d, dCtx, rowOf(b) * a + (long) hd * d, a, qkv,
                        rowOf(b) * 3 * a + (long) hd * 3 * d + 2 * d, 3 * a, 0f, dS, block(hd, b), t);
                Sgemm.gemm(true, false, t, d, t, pd, block(hd, b), t, dCtx, rowOf(b) * a + (long) hd * d, a, 0f,
                        dQkv, rowOf(b) * 3 * a + (long) hd * 3 * d + 2 * d, 3 * a);
            });
            INDArray dC = cfg.c2p() ? slot("b.dC2p", (long) heads * n * rel) : null;
            INDArray dPq = cfg.p2c() ? slot("b.dP2c", (long) heads * n * rel) : null;
            FloatBuffer sb = fb(dS);
            FloatBuffer pb = fb(probs);
            FloatBuffer mb = dropProbs == null ? null : fb(dropProbs);
            FloatBuffer cb = dC == null ? null : fb(dC);
            FloatBuffer qb = dPq == null ? null : fb(dPq);
            eachBlock(true, (b, hd) -> {
                float[] row = new float[t];
                float[] pr = new float[t];
                float[] m = new float[t];
                float[] relRow = new float[rel];
                long at0 = block(hd, b);
                int relBase = (int) (((long) hd * n + (long) b * t) * rel);
                float[] pqBlock = qb == null ? null : new float[t * rel];
                for (int i = 0; i < t; i++) {
                    int at = (int) (at0 + (long) i * t);
                    sb.get(at, row);
                    pb.get(at, pr);
                    if (mb != null) {
                        mb.get(at, m);
                        for (int j = 0; j < t; j++) {
                            row[j] *= m[j];
                        }
                    }
                    double dot = 0;
                    for (int j = 0; j < t; j++) {
                        dot += pr[j] * row[j];
                    }
                    float dt = (float) dot;
                    for (int j = 0; j < t; j++) {
                        row[j] = pr[j] * (row[j] - dt);
                    }
                    sb.put(at, row);
                    if (cb != null) {                               // dC[i][T − 1 − i + j] = dS[i][j]
                        java.util.Arrays.fill(relRow, 0f);
                        System.arraycopy(row, 0, relRow, t - 1 - i, t);
                        cb.put(relBase + i * rel, relRow);
                    }
                    if (pqBlock != null) {                          // dPq[j][i − j + T − 1] = dS[i][j]
                        for (int j = 0; j < t; j++) {
                            pqBlock[j * rel + i - j + t - 1] = row[j];
                        }
                    }
                }
                if (pqBlock != null) {
                    qb.put(relBase, pqBlock);
                }
            });
            // dq = dS · k, dk = dSᵀ · q (q is the scaled query the scores used)
            eachBlock(false, (b, hd) -> {
                long rowQ = rowOf(b) * 3 * a + (long) hd * 3 * d;
                Sgemm.gemm(false, false, t, d, t, dS, block(hd, b), t, qkv, rowQ + d, 3 * a, 0f, dQkv, rowQ, 3 * a);
                Sgemm.gemm(true, false, t, d, t, dS, block(hd, b), t, qkv, rowQ, 3 * a, 0f, dQkv, rowQ + d, 3 * a);
            });
            if (dC != null) {
                INDArray dRelKey = slot("b.dRelKey", (long) rel * a);
                for (int hd = 0; hd < heads; hd++) {
                    long col = (long) hd * 3 * d;
                    Sgemm.gemm(false, false, n, d, rel, dC, (long) hd * n * rel, rel, relKey, (long) hd * d, a, 1f,
                            dQkv, col, 3 * a);
                    Sgemm.gemm(true, false, rel, d, n, dC, (long) hd * n * rel, rel, qkv, col, 3 * a, 0f, dRelKey,
                            (long) hd * d, a);
                }
                INDArray w = param(layer(l, POS_PROJ));                                      // [A, H]
                grads.put(layer(l, POS_PROJ), weightGrad(layer(l, POS_PROJ), dRelKey, relC, a, h, rel));
                relativeRowsBackward(dRelKey, w, true, relMaskC, dRel);
            }
            if (dPq != null) {
                INDArray dRelQuery = slot("b.dRelQuery", (long) rel * a);
                for (int hd = 0; hd < heads; hd++) {
                    long col = (long) hd * 3 * d + d;
                    Sgemm.gemm(false, false, n, d, rel, dPq, (long) hd * n * rel, rel, relQuery, (long) hd * d, a,
                            1f, dQkv, col, 3 * a);
                    Sgemm.gemm(true, false, rel, d, n, dPq, (long) hd * n * rel, rel, qkv, col, 3 * a, 0f,
                            dRelQuery, (long) hd * d, a);
                }
                FloatBuffer buf = fb(dRelQuery);                    // through the scale
                for (int i = 0; i < rel * a; i++) {
                    buf.put(i, buf.get(i) * invScale);
                }
                grads.put(layer(l, POS_Q_PROJ_BIAS), vectorGrad(layer(l, POS_Q_PROJ_BIAS), columnSums(dRelQuery, rel, a)));
                INDArray w = param(layer(l, POS_Q_PROJ_WEIGHT));                             // [A, H]
                grads.put(layer(l, POS_Q_PROJ_WEIGHT), weightGrad(layer(l, POS_Q_PROJ_WEIGHT), dRelQuery, relP, a, h,
                        rel));
                relativeRowsBackward(dRelQuery, w, false, relMaskP, dRel);
            }
        }

        /** The table rows' gradient: {@code (dProj · W) ⊙ mask}, added to the rows {@link #relativeRows} read. */
        private void relativeRowsBackward(INDArray dProj, INDArray w, boolean c2pLayout, INDArray drop,
                                          INDArray dRel) {
            INDArray dRows = slot("b.dRelRows", (long) rel * h);
            Sgemm.gemm(false, false, rel, h, a, dProj, 0, a, w, 0, h, 0f, dRows, 0, h);
            FloatBuffer src = fb(dRows);
            FloatBuffer dm = drop == null ? null : fb(drop);
            FloatBuffer dst = dRel.data().asNioFloat();
            int base = cfg.effectiveMaxRelativePositions() - t;
            float[] row = new float[h];
            float[] m = new float[h];
            float[] acc = new float[h];
            for (int r = 0; r < rel - 1; r++) {
                src.get(r * h, row);
                if (dm != null) {
                    dm.get(r * h, m);
                    for (int c = 0; c < h; c++) {
                        row[c] *= m[c];
                    }
                }
                int target = (base + (c2pLayout ? rel - 1 - r : r + 1)) * h;
                dst.get(target, acc);
                for (int c = 0; c < h; c++) {
                    acc[c] += row[c];
                }
                dst.put(target, acc);
            }
        }

        /** dq ← dq·invScale in the q columns; @return the column sums of the whole {@code [N, 3A]} gradient */
        private float[] scaleQueryGradAndSum(INDArray dQkv) {
            FloatBuffer buf = fb(dQkv);
            int width = 3 * a;
            DirectForward.forRows(n, (lo, hi) -> {
                float[] row = new float[width];
                for (int r = lo; r < hi; r++) {
                    buf.get(r * width, row);
                    for (int hd = 0; hd < heads; hd++) {
                        int base = hd * 3 * d;
                        for (int e = 0; e < d; e++) {
                            row[base + e] *= invScale;
                        }
                    }
                    buf.put(r * width, row);
                }
            });
            return columnSums(dQkv, n, width);
        }

        /** @return {@code [B*T]} row offset of sequence b */
        private long rowOf(int b) {
            return (long) b * t;
        }

        /** @return element offset of the {@code [T, T]} block of (head hd, sequence b) in a {@code [nH, B*T, T]} array */
        private long block(int hd, int b) {
            return ((long) hd * n + (long) b * t) * t;
        }

        private float[] keyBias(int b) {
            float[] bias = new float[t];
            for (int j = 0; j < t; j++) {
                float mj = p.mask[b * t + j];
                if (mj != 1f) {
                    bias[j] = (1f - mj) * MASK_NEGATIVE;
                }
            }
            return bias;
        }

        /** Every (sequence, head) block: serially (OpenBLAS products) or over the fork-join pool (row work). */
        private void eachBlock(boolean inParallel, BlockBody body) {
            int tasks = p.batch * heads;
            if (inParallel) {
                DirectForward.parallel(tasks, k -> body.run(k / heads, k % heads));
            } else {
                for (int k = 0; k < tasks; k++) {
                    body.run(k / heads, k % heads);
                }
            }
        }
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(int b, int hd);
    }

    // ------------------------------------------------------------------------------------------- row kernels

    /**
     * {@code y ← LN((y + bias) ⊙ drop + residual)} row by row, keeping x̂ and the inverse standard deviations.
     */
    private void residualNorm(INDArray y, float[] bias, INDArray drop, INDArray residual, float[] g, float[] b,
                              INDArray xhat, float[] inv) {
        FloatBuffer yb = fb(y);
        FloatBuffer rb = fb(residual);
        FloatBuffer xb = fb(xhat);
        FloatBuffer dm = drop == null ? null : fb(drop);
        int rows = inv.length;
        DirectForward.forRows(rows, (lo, hi) -> {
            float[] row = new float[h];
            float[] res = new float[h];
            float[] m = new float[h];
            float[] xr = new float[h];
            for (int r = lo; r < hi; r++) {
                yb.get(r * h, row);
                rb.get(r * h, res);
                for (int c = 0; c < h; c++) {
                    row[c] += bias[c];
                }
                if (dm != null) {
                    dm.get(r * h, m);
                    for (int c = 0; c < h; c++) {
                        row[c] *= m[c];
                    }
                }
                for (int c = 0; c < h; c++) {
                    row[c] += res[c];
                }
                inv[r] = layerNormSave(row, g, b, eps, xr);
                xb.put(r * h, xr);
                yb.put(r * h, row);
            }
        });
    }

    /**
     * LayerNorm backward over {@code rows} rows of width H.
     *
     * @param dy     gradient of the LayerNorm output
     * @param dz     receives the gradient of its input
     * @param masked null, or receives {@code dz ⊙ drop} (the gradient before a dropout feeding the input)
     * @return {@code {dγ, dβ}}
     */
    private float[][] layerNormBackward(INDArray dy, INDArray xhat, float[] inv, float[] g, int rows, INDArray dz,
                                        INDArray masked, INDArray drop) {
        FloatBuffer yb = fb(dy);
        FloatBuffer xb = fb(xhat);
        FloatBuffer zb = fb(dz);
        FloatBuffer mb = masked == null ? null : fb(masked);
        FloatBuffer db = drop == null ? null : fb(drop);
        int blocks = (rows + BLOCK - 1) / BLOCK;
        float[][] pg = new float[blocks][h];
        float[][] pb = new float[blocks][h];
        DirectForward.parallel(blocks, k -> {
            float[] dr = new float[h];
            float[] xr = new float[h];
            float[] m = new float[h];
            float[] sg = pg[k];
            float[] sb = pb[k];
            int hi = Math.min(rows, (k + 1) * BLOCK);
            for (int r = k * BLOCK; r < hi; r++) {
                yb.get(r * h, dr);
                xb.get(r * h, xr);
                float s1 = 0;
                float s2 = 0;
                for (int c = 0; c < h; c++) {
                    sg[c] += dr[c] * xr[c];
                    sb[c] += dr[c];
                    float dxh = dr[c] * g[c];
                    s1 += dxh;
                    s2 += dxh * xr[c];
                }
                float m1 = s1 / h;
                float m2 = s2 / h;
                float iv = inv[r];
                for (int c = 0; c < h; c++) {
                    dr[c] = iv * (dr[c] * g[c] - m1 - xr[c] * m2);
                }
                zb.put(r * h, dr);
                if (mb != null) {
                    if (db != null) {
                        db.get(r * h, m);
                        for (int c = 0; c < h; c++) {
                            dr[c] *= m[c];
                        }
                    }
                    mb.put(r * h, dr);
                }
            }
        });
        return new float[][]{combine(pg), combine(pb)};
    }

    /** @return the column sums of the first {@code rows × cols} elements (fixed row blocks, combined in order) */
    private static float[] columnSums(INDArray x, int rows, int cols) {
        FloatBuffer buf = fb(x);
        int blocks = (rows + BLOCK - 1) / BLOCK;
        float[][] part = new float[blocks][cols];
        DirectForward.parallel(blocks, k -> {
            float[] row = new float[cols];
            float[] s = part[k];
            int hi = Math.min(rows, (k + 1) * BLOCK);
            for (int r = k * BLOCK; r < hi; r++) {
                buf.get(r * cols, row);
                for (int c = 0; c < cols; c++) {
                    s[c] += row[c];
                }
            }
        });
        return combine(part);
    }

    private static float[] combine(float[][] parts) {
        float[] sum = parts[0].clone();
        for (int k = 1; k < parts.length; k++) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += parts[k][c];
            }
        }
        return sum;
    }

    /** @return the gradient buffer of {@code name} holding {@code dW [out, in] = dYᵀ · X} over {@code rows} rows */
    private INDArray weightGrad(String name, INDArray dy, INDArray x, int out, int in, int rows) {
        INDArray g = gradBuffer(name);
        Sgemm.gemm(true, false, out, in, rows, dy, 0, out, x, 0, in, 0f, g, 0, in);
        return g;
    }

    /** @return the gradient buffer of parameter {@code name} holding {@code values} */
    private INDArray vectorGrad(String name, float[] values) {
        INDArray g = gradBuffer(name);
        g.data().asNioFloat().put(0, values);
        return g;
    }

    /**
     * @return this instance's gradient array of parameter {@code name}: dense, in the parameter's shape, kept between
     *         steps (a fresh base-preset gradient set cost 0.45 s of page faults per step)
     */
    private INDArray gradBuffer(String name) {
        long[] shape = param(name).shape();
        INDArray g = gradients.get(name);
        if (g == null || !java.util.Arrays.equals(g.shape(), shape)) {
            if (g != null) {
                g.close();
            }
            g = Nd4j.createUninitialized(DataType.FLOAT, shape);
            gradients.put(name, g);
        }
        return g;
    }

    /** {@code dst ← gelu(x + bias)} with {@code x ← x + bias} (the pre-activation kept). */
    private void biasThenGelu(INDArray x, INDArray dst, float[] bias, long length) {
        FloatBuffer src = fb(x);
        FloatBuffer out = fb(dst);
        int chunks = (int) ((length + CHUNK - 1) / CHUNK);
        DirectForward.parallel(chunks, c -> {
            int lo = c * CHUNK;
            int len = (int) Math.min(CHUNK, length - lo);
            float[] part = new float[len];
            src.get(lo, part);
            FloatKernels.biasGelu(part, len, bias, lo);            // gelu(x + b) in part
            out.put(lo, part);
            src.get(lo, part);
            addBiasRuns(part, len, bias, lo);
            src.put(lo, part);
        });
    }

    private static void addBiasRuns(float[] x, int n, float[] bias, int offset) {
        int cols = bias.length;
        int col = offset % cols;
        int i = 0;
        while (i < n) {
            int run = Math.min(n - i, cols - col);
            for (int j = 0; j < run; j++) {
                x[i + j] += bias[col + j];
            }
            i += run;
            col = 0;
        }
    }

    /** {@code act ← gelu(pre)}, {@code slope ← gelu'(pre)}. */
    private void geluAndSlope(INDArray pre, INDArray act, INDArray slope, long length) {
        FloatBuffer src = fb(pre);
        FloatBuffer g = fb(act);
        FloatBuffer s = fb(slope);
        int chunks = (int) ((length + CHUNK - 1) / CHUNK);
        DirectForward.parallel(chunks, c -> {
            int lo = c * CHUNK;
            int len = (int) Math.min(CHUNK, length - lo);
            float[] x = new float[len];
            float[] gv = new float[len];
            float[] sv = new float[len];
            float[] tmp = new float[len];
            float[] scr = new float[len];
            src.get(lo, x);
            FloatKernels.geluWithGrad(x, gv, sv, tmp, scr, len);
            g.put(lo, gv);
            s.put(lo, sv);
        });
    }

    private static void multiplyInPlace(INDArray x, INDArray y, long length) {
        FloatBuffer xb = fb(x);
        FloatBuffer yb = fb(y);
        int chunks = (int) ((length + CHUNK - 1) / CHUNK);
        DirectForward.parallel(chunks, c -> {
            int lo = c * CHUNK;
            int len = (int) Math.min(CHUNK, length - lo);
            float[] u = new float[len];
            float[] v = new float[len];
            xb.get(lo, u);
            yb.get(lo, v);
            for (int i = 0; i < len; i++) {
                u[i] *= v[i];
            }
            xb.put(lo, u);
        });
    }

    /** {@code row ← row · maskValue ⊙ drop[r]} (the embedding output's padding mask and dropout). */
    private void scaleRow(float[] row, float maskValue, FloatBuffer drop, int r, float[] m) {
        if (maskValue != 1f) {
            for (int c = 0; c < h; c++) {
                row[c] *= maskValue;
            }
        }
        if (drop != null) {
            drop.get(r * h, m);
            for (int c = 0; c < h; c++) {
                row[c] *= m[c];
            }
        }
    }

    /**
     * {@link DirectForward#layerNorm} keeping the normalised row: the same arithmetic, so the forward values equal
     * the inference path's.
     *
     * @return the inverse standard deviation
     */
    static float layerNormSave(float[] row, float[] g, float[] b, float eps, float[] xhat) {
        int len = row.length;
        float mean = (float) (DirectForward.sumPlain(row) / len);
        float inv = (float) (1.0 / Math.sqrt(DirectForward.sumSquares(row, mean) / len + eps));
        for (int c = 0; c < len; c++) {
            float centred = (row[c] - mean) * inv;
            xhat[c] = centred;
            row[c] = centred * g[c] + b[c];
        }
        return inv;
    }

    // ------------------------------------------------------------------------------------------- plumbing

    private static FloatBuffer fb(INDArray x) {
        return x.data().asNioFloat();
    }

    private static void copy(INDArray src, INDArray dst, long length) {
        FloatBuffer s = fb(src);
        FloatBuffer t = fb(dst);
        float[] part = new float[CHUNK];
        for (long lo = 0; lo < length; lo += CHUNK) {
            int len = (int) Math.min(CHUNK, length - lo);
            s.get((int) lo, part, 0, len);
            t.put((int) lo, part, 0, len);
        }
    }

    private INDArray slot(String name, long elements) {
        return scratch.get(name, elements);
    }

    private INDArray param(String name) {
        return DirectForward.denseFloat(params, name);
    }

    private float[] vector(String name) {
        return param(name).toFloatVector();
    }

    private void checkSize(int n, int t) {
        long widest = Math.max(Math.max(3L * a, inner), (long) heads * 2 * t);
        if ((long) n * widest >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + n + " tokens is too large for one direct training pass "
                    + "(" + n + " × " + widest + " elements ≥ 2^31): split it");
        }
    }
}
