package io.mlsm.models.graph;

import io.mlsm.models.DebertaConfig;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * The DeBERTa v1 encoder (He, Liu, Gao, Chen 2021) as a SameDiff graph, numerically the Hugging Face
 * {@code DebertaModel} (transformers 4.27): word embeddings (no absolute positions, no token types), embedding
 * LayerNorm and mask, then {@code numLayers} post-LN layers of disentangled self-attention (c2p and p2c terms,
 * scale {@code sqrt(d * (1 + #terms))}, XSoftmax masking) and a GELU feed-forward block.
 *
 * <p>The sequence length {@code T} is fixed per graph (the relative shift needs it); the batch is dynamic.
 * Activations are kept 2-D ({@code [B*T, H]}) between blocks; attention runs in the layout {@code [nH, B, T, ·]}.
 * The word-embedding rows are a placeholder ({@link VariableNames#IN_TOKEN_EMBEDDINGS}) looked up outside the graph:
 * the gather op's gradient is wrong in ND4J 1.0.0-M2.1 and a one-hot product over the vocabulary is wasteful.
 *
 * <pre>{@code
 * EncoderGraph enc = EncoderGraph.build(binding, config, 128, true, true);
 * SDVariable last = enc.hiddenStates().get(config.numLayers());   // [B*T, H]
 * }</pre>
 *
 * @param hiddenStates index 0 = embedding output, i = output of layer i − 1, each {@code [B*T, H]}
 * @param attentionMask the mask placeholder {@code [B, T]}
 */
public record EncoderGraph(List<SDVariable> hiddenStates, SDVariable attentionMask) {

    /** Large negative added to masked scores (exp underflows to 0 in float32 and float64). */
    static final double MASK_NEGATIVE = -1e9;

    /**
     * @param p        parameter binding of the graph
     * @param cfg      architecture
     * @param seqLen   sequence length T of this graph
     * @param training whether dropout placeholders are built in
     * @param tokensAsVariable training graph: make {@link VariableNames#IN_TOKEN_EMBEDDINGS} a variable (its array
     *                         set per call) instead of a placeholder, so its gradient can be requested (SameDiff
     *                         1.0.0-M2.1 computes no gradients for placeholders), and skip zeroing the attention of
     *                         padded query rows (hidden states at padded positions then differ from Hugging Face;
     *                         nothing at real tokens does)
     * @return the encoder outputs
     */
    public static EncoderGraph build(ParameterBinding p, DebertaConfig cfg, int seqLen, boolean training,
                                     boolean tokensAsVariable) {
        return new Steps(p, cfg, seqLen, training, tokensAsVariable, null).encoder();
    }

    /**
     * An inference encoder whose last layer is finished at selected rows only: the last layer's attention runs over
     * all positions (its keys and values need them), then its output projection, residual, LayerNorm and
     * feed-forward run on the {@code N} selected rows. The last hidden state is then {@code [N, H]}, the rows
     * {@code rows × (B*T, H)} of the full encoder's output (the same row-wise arithmetic on fewer rows); the other
     * hidden states are as in {@link #build}. Scoring heads that need a few positions per sequence (PLL: one) save
     * most of a layer.
     *
     * @param p      parameter binding of the graph
     * @param cfg    architecture
     * @param seqLen sequence length T of this graph
     * @param rows   one-hot row selector {@code [N, B*T]}
     * @return the encoder outputs, the last one {@code [N, H]}
     */
    public static EncoderGraph buildAtRows(ParameterBinding p, DebertaConfig cfg, int seqLen, SDVariable rows) {
        if (rows == null) {
            throw new IllegalArgumentException("rows selector is required");
        }
        return new Steps(p, cfg, seqLen, false, false, rows).encoder();
    }

    /** The encoder built in sub-steps that share the graph, sizes and masks. */
    private static final class Steps {
        private final SameDiff sd;
        private final ParameterBinding p;
        private final DebertaConfig cfg;
        private final int seqLen;
        private final long t;
        private final long h;
        private final int heads;
        private final long d;
        private final boolean dropHidden;
        private final boolean dropAttn;
        private final boolean tokensAsVariable;
        private final double invScale;
        private SDVariable mask;
        private SDVariable maskBias;
        private SDVariable queryMask;
        private SDVariable relC2p;
        private SDVariable relP2c;
        private final SDVariable lastRows;

        Steps(ParameterBinding p, DebertaConfig cfg, int seqLen, boolean training, boolean tokensAsVariable,
              SDVariable lastRows) {
            this.lastRows = lastRows;
            this.sd = p.sd();
            this.p = p;
            this.cfg = cfg;
            this.seqLen = seqLen;
            this.t = seqLen;
            this.h = cfg.hiddenSize();
            this.heads = cfg.numHeads();
            this.d = cfg.headSize();
            this.dropHidden = training && cfg.hiddenDropout() > 0;
            this.dropAttn = training && cfg.attentionDropout() > 0;
            this.tokensAsVariable = tokensAsVariable;
            int terms = (cfg.c2p() ? 1 : 0) + (cfg.p2c() ? 1 : 0);
            this.invScale = 1.0 / Math.sqrt(d * (1.0 + terms));
        }

        EncoderGraph encoder() {
            SDVariable x = embeddings();                                                        // [B*T, H]
            List<SDVariable> hidden = new ArrayList<>();
            hidden.add(sd.identity(hiddenState(0), x));
            attentionMasks();
            relativeRows();
            for (int l = 0; l < cfg.numLayers(); l++) {
                SDVariable rows = l == cfg.numLayers() - 1 ? lastRows : null;
                SDVariable a = attention(l, x, rows);                                           // [B*T or N, H]
                x = feedForward(l, a);                                                          // [B*T or N, H]
                hidden.add(sd.identity(hiddenState(l + 1), x));
            }
            return new EncoderGraph(List.copyOf(hidden), mask);
        }

        /** Word-embedding rows (looked up outside the graph), LayerNorm, padding mask, dropout. */
        private SDVariable embeddings() {
            DataType dt = p.get(EMBEDDINGS_LN_WEIGHT).dataType();
            SDVariable tokens = tokensAsVariable
                    ? sd.var(IN_TOKEN_EMBEDDINGS, org.nd4j.linalg.factory.Nd4j.zeros(dt, t, h))
                    : sd.placeHolder(IN_TOKEN_EMBEDDINGS, dt, -1, h);                            // [B*T, H]
            mask = sd.placeHolder(IN_ATTENTION_MASK, dt, -1, t);                                // [B, T]
            SDVariable maskCol = sd.reshape(mask, -1, 1);                                       // [B*T, 1]
            SDVariable x = LayerBlocks.layerNorm(sd, tokens, p.get(EMBEDDINGS_LN_WEIGHT), p.get(EMBEDDINGS_LN_BIAS),
                    cfg.layerNormEps()).mul(maskCol);                                           // [B*T, H]
            if (dropHidden) {
                x = LayerBlocks.dropout(sd, x, DROPOUT_EMBEDDINGS, -1, h);
            }
            return x;
        }

        /**
         * XSoftmax with m[i, j] = mask_i * mask_j: padded keys pushed to -1e9 before the softmax, then probabilities
         * of padded queries zeroed (Hugging Face fills whole padded rows and zeroes them afterwards: same result,
         * but a softmax over a fully masked row returns NaN in float64 with ND4J 1.0.0-M2.1). Attention tensors are
         * rank 3, [nH*B, T, T] (head-major), so the masks are tiled over heads once per graph.
         */
        private void attentionMasks() {
            SDVariable keyBias = sd.tile(sd.reshape(mask.rsub(1.0).mul(MASK_NEGATIVE), 1, -1, t),
                    heads, 1, 1);                                                               // [nH, B, T]
            maskBias = sd.reshape(keyBias, -1, 1, t);                                           // [nH*B, 1, T]
            queryMask = sd.reshape(sd.tile(sd.reshape(mask, 1, -1, t), heads, 1, 1), -1, t, 1); // [nH*B, T, 1]
        }

        /** The 2T relative-position rows the c2p / p2c terms use, selected once per graph. */
        private void relativeRows() {
            if (!cfg.c2p() && !cfg.p2c()) {
                return;
            }
            DataType dt = p.get(EMBEDDINGS_LN_WEIGHT).dataType();
            int maxRel = cfg.effectiveMaxRelativePositions();
            SDVariable rel = p.get(REL_EMBEDDINGS);                                             // [2R, H]
            if (cfg.c2p()) {
                SDVariable sel = sd.constant(CONST_REL_SELECT_C2P,
                        RelativePositionTerms.selectorC2p(seqLen, maxRel, dt));                 // [2T, 2R]
                relC2p = sd.mmul(sel, rel);                                                     // [2T, H]
            }
            if (cfg.p2c()) {
                SDVariable sel = sd.constant(CONST_REL_SELECT_P2C,
                        RelativePositionTerms.selectorP2c(seqLen, maxRel, dt));                 // [2T, 2R]
                relP2c = sd.mmul(sel, rel);                                                     // [2T, H]
            }
        }

        /**
         * Disentangled self-attention of layer l, output projection, residual and LayerNorm; with a row selector
         * the projection, residual and LayerNorm run at the selected rows only ({@code [N, H]}).
         */
        private SDVariable attention(int l, SDVariable x, SDVariable rows) {
            // q, k, v projections: in_proj rows are [head][q|k|v][d]
            SDVariable inProj = sd.reshape(p.get(layer(l, IN_PROJ)), heads, 3, d, h);           // [nH, 3, d, H]
            SDVariable wq = sd.reshape(pick(inProj, 0), heads * d, h);                          // [A, H]
            SDVariable wk = sd.reshape(pick(inProj, 1), heads * d, h);                          // [A, H]
            SDVariable wv = sd.reshape(pick(inProj, 2), heads * d, h);                          // [A, H]
            SDVariable q = LayerBlocks.linear(sd, x, wq, p.get(layer(l, Q_BIAS))).mul(invScale); // [B*T, A]
            SDVariable k = LayerBlocks.linear(sd, x, wk, null);                                 // [B*T, A]
            SDVariable v = LayerBlocks.linear(sd, x, wv, p.get(layer(l, V_BIAS)));              // [B*T, A]
            SDVariable q3 = sd.permute(sd.reshape(q, -1, heads, d), 1, 0, 2);                   // [nH, B*T, d]
            SDVariable k3 = sd.permute(sd.reshape(k, -1, heads, d), 1, 0, 2);                   // [nH, B*T, d]
            SDVariable v3 = sd.permute(sd.reshape(v, -1, heads, d), 1, 0, 2);                   // [nH, B*T, d]
            SDVariable qb = sd.reshape(q3, -1, t, d);                                           // [nH*B, T, d]
            SDVariable kb = sd.reshape(k3, -1, t, d);                                           // [nH*B, T, d]
            SDVariable vb = sd.reshape(v3, -1, t, d);                                           // [nH*B, T, d]

            SDVariable scores = sd.mmul(qb, kb, false, true, false);                            // [nH*B, T, T]
            if (relC2p != null) {
                SDVariable rel = dropAttnRel(sd, relC2p, l, SITE_REL_C2P, dropHidden, t, h);    // [2T, H]
                SDVariable posKey = LayerBlocks.linear(sd, rel, p.get(layer(l, POS_PROJ)), null); // [2T, A]
                SDVariable pk = sd.permute(sd.reshape(posKey, 2 * t, heads, d), 1, 2, 0);       // [nH, d, 2T]
                SDVariable raw = sd.mmul(q3, pk);                                               // [nH, B*T, 2T]
                scores = scores.add(RelativePositionTerms.shift(sd, raw, seqLen));              // [nH*B, T, T]
            }
            if (relP2c != null) {
                SDVariable rel = dropAttnRel(sd, relP2c, l, SITE_REL_P2C, dropHidden, t, h);    // [2T, H]
                SDVariable posQuery = LayerBlocks.linear(sd, rel, p.get(layer(l, POS_Q_PROJ_WEIGHT)),
                        p.get(layer(l, POS_Q_PROJ_BIAS))).mul(invScale);                        // [2T, A]
                SDVariable pq = sd.permute(sd.reshape(posQuery, 2 * t, heads, d), 1, 2, 0);     // [nH, d, 2T]
                SDVariable raw = sd.mmul(k3, pq);                                               // [nH, B*T(j), 2T]
                SDVariable shifted = RelativePositionTerms.shift(sd, raw, seqLen);              // [nH*B, T(j), T(i)]
                scores = scores.add(sd.permute(shifted, 0, 2, 1));                              // [nH*B, T(i), T(j)]
            }
            SDVariable probs = sd.nn.softmax(scores.add(maskBias), 2);                          // [nH*B, T, T]
            if (!tokensAsVariable) {
                // Hugging Face zeroes the attention of padded query rows; only the hidden states at padded positions
                // depend on it, so training graphs (losses at real tokens only) skip this broadcast product
                probs = probs.mul(queryMask);                                                   // [nH*B, T, T]
            }
            if (dropAttn) {
                probs = LayerBlocks.dropout(sd, probs, dropout(l, SITE_ATTENTION_PROBS), -1, t, t);
            }
            SDVariable ctx = sd.reshape(sd.mmul(probs, vb), heads, -1, d);                      // [nH, B*T, d]
            SDVariable ctx2 = sd.reshape(sd.permute(ctx, 1, 0, 2), -1, heads * d);              // [B*T, A]
            SDVariable residual = x;                                                            // [B*T, H]
            if (rows != null) {
                ctx2 = sd.mmul(rows, ctx2);                                                     // [N, A]
                residual = sd.mmul(rows, x);                                                    // [N, H]
            }

            SDVariable attnOut = LayerBlocks.linear(sd, ctx2, p.get(layer(l, ATTN_OUT_WEIGHT)),
                    p.get(layer(l, ATTN_OUT_BIAS)));                                            // [B*T, H]
            if (dropHidden) {
                attnOut = LayerBlocks.dropout(sd, attnOut, dropout(l, SITE_ATTENTION_OUTPUT), -1, h);
            }
            return LayerBlocks.layerNorm(sd, attnOut.add(residual), p.get(layer(l, ATTN_LN_WEIGHT)),
                    p.get(layer(l, ATTN_LN_BIAS)), cfg.layerNormEps());                         // [B*T, H]
        }

        /** GELU feed-forward of layer l, residual and LayerNorm. */
        private SDVariable feedForward(int l, SDVariable a) {
            SDVariable inter = LayerBlocks.gelu(sd, LayerBlocks.linear(sd, a, p.get(layer(l, INTERMEDIATE_WEIGHT)),
                    p.get(layer(l, INTERMEDIATE_BIAS))));                                       // [B*T, I]
            SDVariable out = LayerBlocks.linear(sd, inter, p.get(layer(l, OUTPUT_WEIGHT)),
                    p.get(layer(l, OUTPUT_BIAS)));                                              // [B*T, H]
            if (dropHidden) {
                out = LayerBlocks.dropout(sd, out, dropout(l, SITE_OUTPUT), -1, h);
            }
            return LayerBlocks.layerNorm(sd, out.add(a), p.get(layer(l, OUTPUT_LN_WEIGHT)),
                    p.get(layer(l, OUTPUT_LN_BIAS)), cfg.layerNormEps());                       // [B*T, H]
        }
    }

    private static SDVariable pick(SDVariable inProj, int which) {
        return inProj.get(SDIndex.all(), SDIndex.point(which), SDIndex.all(), SDIndex.all()); // [nH, d, H]
    }

    private static SDVariable dropAttnRel(SameDiff sd, SDVariable rel, int layer, String site, boolean on, long t,
                                          long h) {
        return on ? LayerBlocks.dropout(sd, rel, dropout(layer, site), 2 * t, h) : rel;
    }
}
