package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * One term of a training loss: it names itself, checks that the model and the batch carry what it needs, and builds
 * its scalar loss into the training graph. A {@link io.mlsm.models.TrainingObjective} is a weighted set of terms; the
 * model builds one graph per (terms, scope, sequence length, dropout) and loops over the terms, so a new objective is
 * a new implementation of this interface and nothing else.
 *
 * <p>Implementations must be immutable values with {@code equals}/{@code hashCode} over everything that changes the
 * graph (a record does this): compiled graphs are cached by term.
 *
 * <pre>{@code
 * record TemperatureMlsm(double tau) implements LossTerm {
 *     public String key() { return "mlsm_t"; }
 *     public void validate(DebertaModel m, TrainingBatch b, int n) {
 *         Targets.requireConcepts(m);
 *         Targets.requireRows(b, Targets.CONCEPTS, n, m.config().latentConcepts());
 *     }
 *     public SDVariable build(LossGraph g) {
 *         SDVariable target = g.target(Targets.CONCEPTS, -1, g.config().latentConcepts());   // [N, k]
 *         return ObjectiveLosses.klDivergenceOverNonEmpty(g.sd(), g.conceptLogits().div(tau), target);
 *     }
 * }
 * }</pre>
 */
public interface LossTerm {

    /**
     * @return short name, unique within an objective: the key in {@link io.mlsm.models.StepResult#losses()}, the
     *         metrics CSV column and the SameDiff name of the loss ({@code loss.<key>}); lower case, letters, digits
     *         and underscores
     */
    String key();

    /**
     * @return true when the loss is taken at the target positions (labels other than {@code −100}, rows in
     *         row-major order); false for a per-sequence loss (classification). A batch without any target position
     *         gives zero losses and gradients when some term takes its loss there.
     */
    default boolean usesTargetPositions() {
        return true;
    }

    /**
     * Whether this term is correct when the target rows are padded: the step may append rows of zeros to the target
     * selector (so {@link LossGraph#targetRows} and every head output at the targets get extra rows), label 0 and
     * all-zero rows to every {@link LossGraph#rowTarget row target}; the term must then weight its rows by
     * {@link LossGraph#targetWeights} (1 real, 0 padding), e.g. through {@link ObjectiveLosses}. A constant row count
     * lets the step reuse its buffers from batch to batch. The default, false, keeps the rows unpadded.
     *
     * @return true if the term reduces over target rows with {@link LossGraph#targetWeights}
     */
    default boolean acceptsPaddedRows() {
        return false;
    }

    /**
     * Checks, before anything runs, that the model has the heads this term needs and that the batch carries its
     * targets with the right shape; throws {@link IllegalArgumentException} naming what is missing or mis-shaped.
     *
     * @param model       the model the step runs on
     * @param batch       the batch
     * @param targetCount number of target positions N in the batch (0 for a term without target positions)
     */
    void validate(DebertaModel model, TrainingBatch batch, int targetCount);

    /**
     * Builds this term's scalar loss. Shared pieces (target rows, the MLM transform, vocabulary and concept logits)
     * come from {@code graph} and are built once however many terms use them; targets are declared with
     * {@link LossGraph#target(String, long...)} and fed from {@link TrainingBatch#target(String)}.
     *
     * @param graph the graph under construction
     * @return the unweighted loss, a scalar
     */
    SDVariable build(LossGraph graph);
}
