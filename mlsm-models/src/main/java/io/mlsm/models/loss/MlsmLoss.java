package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Objects;

/**
 * Masked latent semantic modelling (Berend 2023): {@code KL(p ‖ softmax(concept logits))} over the k latent concepts
 * at the target positions, summed over rows and divided by a row count chosen by {@link Reduction}: by default the
 * number of rows whose target is not all-zero (an all-zero row contributes nothing and is not counted); with
 * {@link Reduction#ALL_ROWS} every target row, as torch's {@code kl_div(…, reduction="batchmean")} over the target
 * rows of the papers' reference code. Key {@code mlsm}; reads {@link Targets#CONCEPTS} {@code [N, k]}. LSM and LSM15
 * are this term at other target positions.
 *
 * @param reduction what the summed row losses are divided by
 */
public record MlsmLoss(Reduction reduction) implements LossTerm {

    /** What the sum of the per-row KL divergences is divided by. */
    public enum Reduction {
        /** the number of rows whose target is not all-zero (at least 1): all-zero rows are not counted (default) */
        NON_EMPTY_ROWS,
        /** the number of target rows, all-zero ones included: torch {@code batchmean} over all target rows */
        ALL_ROWS
    }

    public MlsmLoss {
        Objects.requireNonNull(reduction, "reduction");
    }

    /** MLSM with the default {@link Reduction#NON_EMPTY_ROWS}. */
    public MlsmLoss() {
        this(Reduction.NON_EMPTY_ROWS);
    }

    @Override
    public String key() {
        return "mlsm";
    }

    @Override
    public boolean acceptsPaddedRows() {
        return true;
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        Targets.requireConcepts(model);
        Targets.requireRows(batch, Targets.CONCEPTS, targetCount, model.config().latentConcepts());
    }

    @Override
    public SDVariable build(LossGraph g) {
        SDVariable target = g.rowTarget(Targets.CONCEPTS, g.config().latentConcepts());             // [N, k]
        return reduction == Reduction.ALL_ROWS   // padding rows are all-zero: NON_EMPTY_ROWS never counts them
                ? ObjectiveLosses.klDivergenceMean(g.sd(), g.conceptLogits(), target, g.targetWeights())
                : ObjectiveLosses.klDivergenceOverNonEmpty(g.sd(), g.conceptLogits(), target);
    }
}
