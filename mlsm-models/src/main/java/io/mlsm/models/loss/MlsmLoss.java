package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Masked latent semantic modelling (Berend 2023): {@code KL(p ‖ softmax(concept logits))} over the k latent concepts
 * at the target positions, summed over rows and divided by the number of rows whose target is not all-zero (an
 * all-zero row contributes nothing and is not counted). Key {@code mlsm}; reads {@link Targets#CONCEPTS}
 * {@code [N, k]}. LSM and LSM15 are this term at other target positions.
 */
public record MlsmLoss() implements LossTerm {

    @Override
    public String key() {
        return "mlsm";
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        Targets.requireConcepts(model);
        Targets.requireRows(batch, Targets.CONCEPTS, targetCount, model.config().latentConcepts());
    }

    @Override
    public SDVariable build(LossGraph g) {
        SDVariable target = g.target(Targets.CONCEPTS, -1, g.config().latentConcepts());            // [N, k]
        return ObjectiveLosses.klDivergenceOverNonEmpty(g.sd(), g.conceptLogits(), target);
    }
}
