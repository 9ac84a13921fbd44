package io.mlsm.models.heads;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.graph.LayerBlocks;
import io.mlsm.models.graph.ParameterBinding;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * The Hugging Face {@code DebertaOnlyMLMHead}: transform (dense, exact GELU, LayerNorm) then a decoder tied to the
 * word embeddings plus its own bias. With latent concepts ({@code k > 0}) the released checkpoints append the
 * {@code k} concepts as extra output rows ({@code V + k}); {@link #vocabLogits} uses the first {@code V} rows and
 * {@link ConceptHead} the last {@code k}, sharing the transform.
 *
 * <pre>{@code
 * SDVariable t = MlmHead.transform(binding, cfg, rows);       // [N, H]
 * SDVariable logits = MlmHead.vocabLogits(binding, cfg, t);   // [N, V]
 * }</pre>
 */
public final class MlmHead {

    private MlmHead() {
    }

    /**
     * @param rows encoder output rows {@code [N, H]}
     * @return transformed rows {@code [N, H]}
     */
    public static SDVariable transform(ParameterBinding p, DebertaConfig cfg, SDVariable rows) {
        SameDiff sd = p.sd();
        SDVariable dense = LayerBlocks.linear(sd, rows, p.get(MLM_DENSE_WEIGHT), p.get(MLM_DENSE_BIAS)); // [N, H]
        return LayerBlocks.layerNorm(sd, LayerBlocks.gelu(sd, dense), p.get(MLM_LN_WEIGHT), p.get(MLM_LN_BIAS),
                cfg.layerNormEps());                                                                 // [N, H]
    }

    /**
     * @param transformed output of {@link #transform} {@code [N, H]}
     * @return vocabulary logits {@code [N, V]}
     */
    public static SDVariable vocabLogits(ParameterBinding p, DebertaConfig cfg, SDVariable transformed) {
        SameDiff sd = p.sd();
        SDVariable emb = p.get(WORD_EMBEDDINGS);                                                     // [V+k, H]
        SDVariable bias = p.get(MLM_BIAS);                                                           // [V+k]
        if (cfg.latentConcepts() > 0) {
            long v = cfg.vocabSize();
            emb = emb.get(SDIndex.interval(0L, v), SDIndex.all());                                   // [V, H]
            bias = bias.get(SDIndex.interval(0L, v));                                                // [V]
        }
        return LayerBlocks.linear(sd, transformed, emb, bias);                                       // [N, V]
    }

    /**
     * Every output row of the decoder: the {@code V} vocabulary logits followed by the {@code k} concept logits
     * (the same values as {@link #vocabLogits} and {@link ConceptHead#logits}, in one product). For a model without
     * latent concepts this is {@link #vocabLogits}.
     *
     * @param transformed output of {@link #transform} {@code [N, H]}
     * @return output logits {@code [N, V + k]}
     */
    public static SDVariable outputLogits(ParameterBinding p, DebertaConfig cfg, SDVariable transformed) {
        return LayerBlocks.linear(p.sd(), transformed, p.get(WORD_EMBEDDINGS), p.get(MLM_BIAS));   // [N, V+k]
    }
}
