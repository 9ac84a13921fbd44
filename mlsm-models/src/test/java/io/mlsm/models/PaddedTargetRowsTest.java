package io.mlsm.models;

import io.mlsm.models.loss.KdLoss;
import io.mlsm.models.loss.LatentToVocabLoss;
import io.mlsm.models.loss.LossGraph;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.loss.MlmLoss;
import io.mlsm.models.loss.MlsmLoss;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Target rows padded to a bucket (zero selector rows, label 0, all-zero row targets, weight 0) give the losses and
 * gradients of the unpadded step, for every built-in term; a term that does not opt in is never padded.
 */
class PaddedTargetRowsTest {

    /** The same term, but not accepting padded rows: the step feeds exactly N rows. */
    record Unpadded(LossTerm inner) implements LossTerm {
        @Override
        public String key() {
            return inner.key();
        }

        @Override
        public boolean usesTargetPositions() {
            return inner.usesTargetPositions();
        }

        @Override
        public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
            inner.validate(model, batch, targetCount);
        }

        @Override
        public SDVariable build(LossGraph graph) {
            return inner.build(graph);
        }
    }

    @Test
    void rowCountsRoundUpToTheBucket() {
        assertEquals(0, TrainingStep.paddedRows(0));
        assertEquals(TrainingStep.ROW_BUCKET, TrainingStep.paddedRows(1));
        assertEquals(TrainingStep.ROW_BUCKET, TrainingStep.paddedRows(TrainingStep.ROW_BUCKET));
        assertEquals(2 * TrainingStep.ROW_BUCKET, TrainingStep.paddedRows(TrainingStep.ROW_BUCKET + 1));
    }

    @Test
    void paddedStepsEqualUnpaddedOnesForEveryBuiltInTerm() {
        DebertaModel m = GradientCheckTest.randomModel(GradientCheckTest.tinyConfig(2, 5, 0.0, -1), 21);
        TrainingBatch b = GradientCheckTest.batch()                                                  // 4 targets
                .withTeacherProbs(GradientCheckTest.randomDistributions(4, 13, 5, false))
                .withConceptTargets(GradientCheckTest.randomDistributions(4, 5, 6, true));
        List<LossTerm> terms = List.of(new MlmLoss(), new KdLoss(), new MlsmLoss(),
                new MlsmLoss(MlsmLoss.Reduction.ALL_ROWS), new LatentToVocabLoss());
        for (LossTerm term : terms) {
            TrainingObjective padded = TrainingObjective.of(term);
            TrainingObjective exact = TrainingObjective.of(new Unpadded(term));
            assertTrue(padded.acceptsPaddedRows(), term.key());
            assertFalse(exact.acceptsPaddedRows(), term.key());
            StepResult p = m.computeGradients(padded, b);
            StepResult e = m.computeGradients(exact, b);
            String what = term + ": ";
            assertEquals(4, p.targetCount(), what + "the real target count is reported");
            double loss = e.losses().get(term.key());
            assertTrue(loss > 0, what + loss);
            assertEquals(loss, p.losses().get(term.key()), 1e-12 * loss, what + "loss");
            assertEquals(e.gradients().keySet(), p.gradients().keySet(), what + "gradient names");
            for (Map.Entry<String, INDArray> g : e.gradients().entrySet()) {
                INDArray want = g.getValue();
                INDArray got = p.gradients().get(g.getKey());
                double scale = Math.max(1e-8, want.amaxNumber().doubleValue());
                double diff = want.sub(got).amaxNumber().doubleValue();
                assertTrue(diff <= 1e-10 * scale, what + g.getKey() + " differs by " + diff + " (max " + scale + ")");
            }
        }
    }
}
