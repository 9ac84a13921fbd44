package io.mlsm.eval.finetune;

import io.mlsm.eval.data.GlueMetric;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassificationMetricsTest {

    @Test
    void binaryCaseComputedByHand() {
        // TP=3 FN=1 FP=1 TN=3
        int[] gold = {1, 1, 1, 0, 0, 0, 1, 0};
        int[] pred = {1, 0, 1, 0, 1, 0, 1, 0};
        assertEquals(0.75, ClassificationMetrics.accuracy(gold, pred), 1e-15);
        assertEquals(6.0 / 8, ClassificationMetrics.f1(gold, pred), 1e-15);
        assertEquals((3.0 * 3 - 1.0 * 1) / Math.sqrt(4.0 * 4 * 4 * 4), ClassificationMetrics.mcc(gold, pred), 1e-15);
        // TP=2 FP=1 FN=1 TN=1: MCC = (2*1 - 1*1) / sqrt(3*3*2*2) = 1/6, F1 = 4/6
        int[] g2 = {1, 0, 1, 1, 0};
        int[] p2 = {1, 1, 1, 0, 0};
        assertEquals(1.0 / 6, ClassificationMetrics.mcc(g2, p2), 1e-15);
        assertEquals(4.0 / 6, ClassificationMetrics.score(GlueMetric.F1, g2, p2), 1e-15);
        assertEquals(-1.0, ClassificationMetrics.mcc(new int[] {0, 1, 0, 1}, new int[] {1, 0, 1, 0}), 1e-15);
        assertEquals(1.0, ClassificationMetrics.score(GlueMetric.MCC, new int[] {0, 1, 1}, new int[] {0, 1, 1}),
                1e-15);
    }

    @Test
    void degenerateCasesFollowScikitLearn() {
        // all predictions one class -> MCC 0 (a zero denominator), as sklearn.metrics.matthews_corrcoef
        assertEquals(0.0, ClassificationMetrics.mcc(new int[] {0, 1, 1, 0}, new int[] {1, 1, 1, 1}));
        assertEquals(0.0, ClassificationMetrics.mcc(new int[] {1, 1, 1}, new int[] {1, 1, 1}));
        assertEquals(0.0, ClassificationMetrics.mcc(new int[] {0, 0}, new int[] {0, 1}));
        // no positive anywhere -> F1 0 (sklearn's zero_division default)
        assertEquals(0.0, ClassificationMetrics.f1(new int[] {0, 0, 0}, new int[] {0, 0, 0}));
        // positives predicted but none true -> precision 0, F1 0
        assertEquals(0.0, ClassificationMetrics.f1(new int[] {0, 0}, new int[] {1, 0}));
    }

    @Test
    void multiClassMccUsesTheGeneralFormula() {
        // t = [2,2,2], p = [3,1,2], c = 3, s = 6: (3*6 - 12) / sqrt((36 - 14) * (36 - 12)) = 6 / sqrt(528)
        int[] gold = {0, 1, 2, 0, 1, 2};
        int[] pred = {0, 2, 1, 0, 0, 2};
        assertEquals(6 / Math.sqrt(528), ClassificationMetrics.mcc(gold, pred), 1e-15);
        assertEquals(0.5, ClassificationMetrics.accuracy(gold, pred), 1e-15);
    }

    @Test
    void rejectsMismatchedOrEmptyOrNegativeLabels() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.accuracy(new int[2], new int[3]));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.mcc(new int[0], new int[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.f1(new int[] {1, -1}, new int[] {1, 1}));
        assertEquals("labels must be >= 0, got gold -1 predicted 1 at 1", e.getMessage());
    }
}
