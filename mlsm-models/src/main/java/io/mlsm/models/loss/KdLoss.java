package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Knowledge distillation: {@code KL(p_teacher ‖ softmax(logits))} over the vocabulary at the target positions, mean
 * over targets (Hinton et al. 2015, temperature 1). Key {@code kd}; reads {@link Targets#TEACHER_PROBS}
 * {@code [N, V]}.
 */
public record KdLoss() implements LossTerm {

    @Override
    public String key() {
        return "kd";
    }

    @Override
    public boolean acceptsPaddedRows() {
        return true;
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        Targets.requireRows(batch, Targets.TEACHER_PROBS, targetCount, model.config().vocabSize());
    }

    @Override
    public SDVariable build(LossGraph g) {
        SDVariable teacher = g.rowTarget(Targets.TEACHER_PROBS, g.config().vocabSize());            // [N, V]
        return ObjectiveLosses.klDivergenceMean(g.sd(), g.vocabLogits(), teacher, g.targetWeights());
    }
}
