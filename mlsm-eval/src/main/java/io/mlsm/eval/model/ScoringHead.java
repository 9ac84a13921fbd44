package io.mlsm.eval.model;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.VocabHead;
import io.mlsm.models.graph.VariableNames;

/**
 * Which head of a {@link DebertaModel} gives the vocabulary distribution that pseudo-log-likelihood scoring reads.
 *
 * <pre>{@code
 * MaskedLmScorer s = DebertaMaskedLmScorer.of(model, ScoringHead.AUTO);   // phase-3 head when the model has one
 * }</pre>
 */
public enum ScoringHead {
    /**
     * The MLM head (for a model with latent concepts in the {@code V + k} layout the first {@code V} rows are the
     * vocabulary; {@link io.mlsm.eval.pll.Normaliser} decides whether the {@code k} concept rows enter the
     * log-softmax).
     */
    MLM,
    /**
     * The phase-3 latent-to-vocabulary head {@code k → V} on the concept logits (Berend 2023/2024: how an MLSM model
     * is scored by pseudo-log-likelihood). Its output is {@code V} rows, so it normalises over them under either
     * {@link io.mlsm.eval.pll.Normaliser}.
     */
    LATENT_TO_VOCAB,
    /** {@link #LATENT_TO_VOCAB} when the model has that head, else {@link #MLM}. */
    AUTO;

    /**
     * @param model the model to score
     * @return the concrete head ({@link #AUTO} resolved)
     * @throws IllegalArgumentException if {@link #LATENT_TO_VOCAB} is asked of a model without that head
     */
    public ScoringHead resolve(DebertaModel model) {
        boolean hasHead = model.parameters().containsKey(VariableNames.LATENT_TO_VOCAB_WEIGHT);
        return switch (this) {
            case AUTO -> hasHead ? LATENT_TO_VOCAB : MLM;
            case LATENT_TO_VOCAB -> {
                if (!hasHead) {
                    throw new IllegalArgumentException("the model has no latent-to-vocabulary head ("
                            + VariableNames.LATENT_TO_VOCAB_WEIGHT + "); train one in phase 3 or score with MLM");
                }
                yield LATENT_TO_VOCAB;
            }
            case MLM -> MLM;
        };
    }

    VocabHead term() {
        return switch (this) {
            case MLM -> VocabHead.MLM;
            case LATENT_TO_VOCAB -> VocabHead.LATENT_TO_VOCAB;
            case AUTO -> throw new IllegalStateException("AUTO must be resolved against a model first");
        };
    }
}
