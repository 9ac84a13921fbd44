package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Masked-LM cross-entropy over the vocabulary at the target positions, mean over targets (Devlin et al. 2019). Key
 * {@code mlm}. Needs only the labels.
 */
public record MlmLoss() implements LossTerm {

    @Override
    public String key() {
        return "mlm";
    }

    @Override
    public boolean acceptsPaddedRows() {
        return true;
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        // labels are checked by the model for every term that uses target positions
    }

    @Override
    public SDVariable build(LossGraph g) {
        return ObjectiveLosses.crossEntropy(g.sd(), g.vocabLogits(), g.targetLabels(), g.config().vocabSize(),
                g.targetWeights());
    }
}
