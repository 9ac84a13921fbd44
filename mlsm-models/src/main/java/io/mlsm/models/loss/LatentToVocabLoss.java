package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.heads.LatentToVocabHead;
import org.nd4j.autodiff.samediff.SDVariable;

import static io.mlsm.models.graph.VariableNames.LATENT_TO_VOCAB_WEIGHT;

/**
 * Phase 3: MLM cross-entropy through the latent-to-vocabulary head {@code k → V} on the concept logits, mean over
 * targets. Key {@code latent_to_vocab}. Needs latent concepts and the head
 * ({@link DebertaModel#addLatentToVocabHead(long)}).
 */
public record LatentToVocabLoss() implements LossTerm {

    @Override
    public String key() {
        return "latent_to_vocab";
    }

    @Override
    public boolean acceptsPaddedRows() {
        return true;
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        Targets.requireConcepts(model);
        Targets.requireParameter(model, LATENT_TO_VOCAB_WEIGHT,
                "call addLatentToVocabHead(seed) or load a model that has the latent-to-vocabulary head");
    }

    @Override
    public SDVariable build(LossGraph g) {
        SDVariable logits = LatentToVocabHead.logits(g.parameters(), g.conceptLogits());            // [N, V]
        return ObjectiveLosses.crossEntropy(g.sd(), logits, g.targetLabels(), g.config().vocabSize(),
                g.targetWeights());
    }
}
