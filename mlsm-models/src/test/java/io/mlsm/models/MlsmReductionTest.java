package io.mlsm.models;

import io.mlsm.models.loss.MlsmLoss;
import io.mlsm.models.loss.ObjectiveLosses;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two MLSM reductions: over non-empty target rows (default) and torch {@code batchmean} over all rows. */
class MlsmReductionTest {

    private static final double[][] LOGITS = {{0.5, -1.0, 2.0, 0.0}, {1.0, 1.0, -0.5, 0.25}, {-2.0, 0.3, 0.7, 1.1}};
    private static final double[][] TARGETS = {{0.2, 0.0, 0.8, 0.0}, {0, 0, 0, 0}, {0.1, 0.3, 0.0, 0.6}};

    /** Σ_rows Σ_j p log(p / q) with 0 log 0 = 0, computed by hand in double. */
    private static double klSum() {
        double sum = 0;
        for (int i = 0; i < LOGITS.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double l : LOGITS[i]) {
                max = Math.max(max, l);
            }
            double z = 0;
            for (double l : LOGITS[i]) {
                z += Math.exp(l - max);
            }
            for (int j = 0; j < LOGITS[i].length; j++) {
                double p = TARGETS[i][j];
                if (p > 0) {
                    double logq = LOGITS[i][j] - max - Math.log(z);
                    sum += p * (Math.log(p) - logq);
                }
            }
        }
        return sum;
    }

    @Test
    void lossValuesEqualADirectComputation() {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.constant("logits", Nd4j.createFromArray(LOGITS));
        SDVariable targets = sd.constant("targets", Nd4j.createFromArray(TARGETS));
        SDVariable all = ObjectiveLosses.klDivergenceMean(sd, logits, targets);
        SDVariable nonEmpty = ObjectiveLosses.klDivergenceOverNonEmpty(sd, logits, targets);
        double want = klSum();
        assertTrue(want > 0.1);
        assertEquals(want / 3, all.eval().getDouble(0), 1e-12, "batchmean over all 3 rows");
        assertEquals(want / 2, nonEmpty.eval().getDouble(0), 1e-12, "over the 2 non-empty rows");
    }

    @Test
    void modelLossWithAllRowsIsTheNonEmptyOneTimesTheirShare() {
        // 4 target rows, row 1 all-zero: ALL_ROWS divides the same sum by 4 instead of 3
        DebertaModel m = GradientCheckTest.randomModel(GradientCheckTest.tinyConfig(1, 5, 0.0, -1), 3);
        INDArray targets = GradientCheckTest.randomDistributions(4, 5, 6, true);
        TrainingBatch b = GradientCheckTest.batch().withConceptTargets(targets);
        TrainingObjective byDefault = TrainingObjective.mlsmPlusMlm(1.0);
        TrainingObjective allRows = byDefault.withMlsmReduction(MlsmLoss.Reduction.ALL_ROWS);
        assertEquals(byDefault, byDefault.withMlsmReduction(MlsmLoss.Reduction.NON_EMPTY_ROWS));
        assertNotEquals(byDefault, allRows);
        double nonEmpty = m.computeGradients(byDefault, b).losses().get("mlsm");
        double all = m.computeGradients(allRows, b).losses().get("mlsm");
        assertTrue(nonEmpty > 0);
        assertEquals(nonEmpty * 3 / 4, all, 1e-9 * nonEmpty);
        assertEquals(m.computeGradients(byDefault, b).losses().get("mlm"),
                m.computeGradients(allRows, b).losses().get("mlm"), 1e-12, "the MLM term is untouched");
        assertEquals(TrainingObjective.mlm(), TrainingObjective.mlm().withMlsmReduction(MlsmLoss.Reduction.ALL_ROWS));
    }
}
