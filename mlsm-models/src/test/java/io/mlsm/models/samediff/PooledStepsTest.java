package io.mlsm.models.samediff;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training (the SameDiff graph path, {@code -Dmlsm.training=graph}) and inference through pooled buffers: results bit-identical when buffers are reused (ops overwrite all
 * they write), the pools flat from step to step, no lease left behind, and a dropped model's pools freed.
 */
class PooledStepsTest {

    private static TrainingBatch batch(Random r, DebertaConfig c, int b, int t) {
        int[][] ids = new int[b][t];
        int[][] mask = new int[b][t];
        int[][] labels = new int[b][t];
        for (int i = 0; i < b; i++) {
            int len = t - r.nextInt(3);                       // some padding
            for (int j = 0; j < t; j++) {
                ids[i][j] = 5 + r.nextInt(c.vocabSize() - 5);
                mask[i][j] = j < len ? 1 : 0;
                labels[i][j] = j < len && r.nextDouble() < 0.2 ? ids[i][j] : TrainingBatch.IGNORE;
            }
        }
        return TrainingBatch.of(ids, mask, labels);
    }

    private static float[] flat(INDArray a) {
        return a.dup().reshape(a.length()).toFloatVector();
    }

    @org.junit.jupiter.api.BeforeEach
    void graphTraining() {
        System.setProperty("mlsm.training", "graph");       // the SameDiff training graph is what pools its buffers
    }

    @org.junit.jupiter.api.AfterEach
    void restore() {
        System.clearProperty("mlsm.training");
    }

    @Test
    void reusedBuffersGiveBitIdenticalStepsAndFlatPools() {
        DebertaConfig c = DebertaConfig.tiny();
        long mark = ClosingSessions.registrationMark();   // count this model's graphs only, not earlier tests'
        DebertaModel model = DebertaModel.initialize(c, 11);
        TrainingBatch b = batch(new Random(5), c, 4, 12);
        StepResult first = model.computeGradients(TrainingObjective.mlm(), b, 3L);
        Map<String, float[]> g0 = new java.util.HashMap<>();
        first.gradients().forEach((k, v) -> g0.put(k, flat(v)));
        long[] after2 = null;
        for (int step = 1; step <= 6; step++) {
            StepResult again = model.computeGradients(TrainingObjective.mlm(), b, 3L);
            assertEquals(first.losses(), again.losses(), "step " + step);
            for (Map.Entry<String, float[]> e : g0.entrySet()) {
                assertArrayEquals(e.getValue(), flat(again.gradients().get(e.getKey())),
                        e.getKey() + " at step " + step);
            }
            System.gc();   // earlier tests' models may go now: they must not move this model's totals
            long[] totals = ClosingSessions.poolTotalsSince(mark);
            assertEquals(0, totals[1], "leases outstanding after step " + step);
            if (step == 2) {
                after2 = totals;
            } else if (step > 2) {
                assertEquals(after2[0], totals[0], "free pool bytes after step " + step + " vs step 2");
            }
        }
        assertTrue(after2[0] > 0, "the step's intermediates are pooled");

        List<INDArray> h0 = model.hiddenStates(b.inputIds(), b.attentionMask());
        float[] last0 = flat(h0.get(h0.size() - 1));
        for (int rep = 0; rep < 3; rep++) {
            List<INDArray> h = model.hiddenStates(b.inputIds(), b.attentionMask());
            assertArrayEquals(last0, flat(h.get(h.size() - 1)), "hidden states, repetition " + rep);
        }
        long before = ClosingSessions.poolTotalsSince(mark)[0];
        model.close();
        assertTrue(ClosingSessions.poolTotalsSince(mark)[0] < before, "closing the model frees its graphs' pools");
    }
}
