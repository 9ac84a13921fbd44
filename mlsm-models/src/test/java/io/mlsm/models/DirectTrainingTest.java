package io.mlsm.models;

import io.mlsm.models.direct.DirectTraining;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct float32 training path ({@link DirectTraining} for the encoder, the loss terms as a graph on its output)
 * against the SameDiff training graph on the same weights, batch and dropout seed: losses and every gradient, for
 * each combination of the relative terms, with padding, dropout at every site, and objectives that read the target
 * rows (MLM, MLSM + MLM) or the whole encoder output (classification). The direct path is the default; these tests
 * select each path explicitly ({@code mlsm.training}).
 */
class DirectTrainingTest {

    private static final String PROPERTY = "mlsm.training";
    private static final int V = 97;

    @org.junit.jupiter.api.BeforeEach
    void direct() {
        System.setProperty(PROPERTY, "direct");
    }

    @AfterEach
    void restore() {
        System.clearProperty(PROPERTY);
    }

    private static <T> T graph(Supplier<T> s) {
        System.setProperty(PROPERTY, "graph");
        try {
            return s.get();
        } finally {
            System.setProperty(PROPERTY, "direct");
        }
    }

    private static DebertaConfig.Builder base() {
        return DebertaConfig.tiny().toBuilder().vocabSize(V).hiddenSize(32).numHeads(4).intermediateSize(48)
                .numLayers(2).hiddenDropout(0.2).attentionDropout(0.15).latentConcepts(6).initializerRange(0.2);
    }

    /** B sequences of T ids, row i keeping {@code T − 2i} tokens, about a third of the real positions targets. */
    private static TrainingBatch batch(int b, int t, long seed) {
        Random r = new Random(seed);
        int[][] ids = new int[b][t];
        int[][] mask = new int[b][t];
        int[][] labels = new int[b][t];
        for (int i = 0; i < b; i++) {
            int len = Math.max(2, t - 2 * i);
            for (int j = 0; j < t; j++) {
                ids[i][j] = j < len ? 5 + r.nextInt(V - 5) : 0;
                mask[i][j] = j < len ? 1 : 0;
                labels[i][j] = j < len && r.nextInt(3) == 0 ? 5 + r.nextInt(V - 5) : TrainingBatch.IGNORE;
            }
            labels[i][1] = 7;                                        // every sequence has a target
        }
        return TrainingBatch.of(ids, mask, labels);
    }

    private static double relError(INDArray actual, INDArray expected) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double diff = actual.castTo(DataType.DOUBLE).sub(e).amaxNumber().doubleValue();
        return diff / Math.max(e.amaxNumber().doubleValue(), 1e-30);
    }

    private static void stepsMatch(DebertaModel m, TrainingObjective objective, TrainingBatch b, Long seed,
                                   String what) {
        StepResult direct = seed == null ? m.computeGradients(objective, b) : m.computeGradients(objective, b, seed);
        StepResult graph = graph(() -> seed == null ? m.computeGradients(objective, b)
                : m.computeGradients(objective, b, seed));
        assertEquals(graph.losses().keySet(), direct.losses().keySet(), what + ": loss terms");
        for (String k : graph.losses().keySet()) {
            double g = graph.losses().get(k);
            assertEquals(g, direct.losses().get(k), 1e-5 * Math.max(1, Math.abs(g)), what + ": loss " + k);
        }
        assertEquals(graph.gradients().keySet(), direct.gradients().keySet(), what + ": gradient names");
        for (Map.Entry<String, INDArray> e : graph.gradients().entrySet()) {
            INDArray got = direct.gradients().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), what + ": shape of " + e.getKey());
            double err = relError(got, e.getValue());
            assertTrue(err < 2e-5, what + ": gradient of " + e.getKey() + " relative error " + err);
        }
    }

    @Test
    void gradientsMatchTheGraphForEveryRelativeTermCombinationWithDropout() {
        List<EnumSet<DebertaConfig.PositionAttention>> combos = List.of(
                EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C),
                EnumSet.of(DebertaConfig.PositionAttention.C2P),
                EnumSet.of(DebertaConfig.PositionAttention.P2C),
                EnumSet.noneOf(DebertaConfig.PositionAttention.class));
        long seed = 11;
        for (EnumSet<DebertaConfig.PositionAttention> terms : combos) {
            DebertaModel m = DebertaModel.initialize(base().positionAttention(terms).build(), seed++);
            stepsMatch(m, TrainingObjective.mlm(), batch(3, 9, seed), 5L, "terms " + terms + ", dropout");
        }
    }

    @Test
    void gradientsMatchWithoutDropoutAndWithTheSpanEqualToT() {
        DebertaModel m = DebertaModel.initialize(base().maxRelativePositions(8).build(), 3);   // T = R = 8
        stepsMatch(m, TrainingObjective.mlm(), batch(2, 8, 4), null, "no dropout, T = R");
        stepsMatch(m, TrainingObjective.mlm(), batch(2, 8, 4), 9L, "dropout, T = R");
    }

    @Test
    void conceptAndClassificationHeadsGetTheirEncoderGradients() {
        DebertaModel m = DebertaModel.initialize(base().build(), 21);
        TrainingBatch b = batch(3, 10, 22);
        int n = TrainingStep.targetPositions(b, V).length;
        INDArray concepts = GradientCheckTest.randomDistributions(n, 6, 23, true).castTo(DataType.FLOAT);
        stepsMatch(m, TrainingObjective.mlsmPlusMlm(0.5), b.withConceptTargets(concepts), 17L, "MLSM + MLM");
        m.addClassificationHead(3, 24);
        TrainingBatch cls = b.withClassLabels(Nd4j.createFromArray(0, 2, 1));
        stepsMatch(m, TrainingObjective.classification(), cls, 19L, "classification");
    }

    @Test
    void aStepIsRepeatableAndBuffersAreReused() {
        DebertaModel m = DebertaModel.initialize(base().build(), 31);
        TrainingBatch big = batch(4, 12, 32);
        TrainingBatch small = batch(2, 6, 33);
        StepResult first = m.computeGradients(TrainingObjective.mlm(), small, 3L);
        m.computeGradients(TrainingObjective.mlm(), big, 4L);              // grows the buffers
        StepResult again = m.computeGradients(TrainingObjective.mlm(), small, 3L);
        assertEquals(first.total(), again.total(), 0.0);
        for (Map.Entry<String, INDArray> e : first.gradients().entrySet()) {
            assertEquals(e.getValue(), again.gradients().get(e.getKey()), "bit-identical gradient of " + e.getKey());
        }
    }

    @Test
    void badModeAndMissingForwardAreRejected() {
        System.setProperty(PROPERTY, "fast");
        DebertaModel m = DebertaModel.initialize(base().build(), 41);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.computeGradients(TrainingObjective.mlm(), batch(2, 6, 42)));
        assertTrue(e.getMessage().contains("mlsm.training"), e.getMessage());
        System.setProperty(PROPERTY, "direct");
        DirectTraining t = new DirectTraining(m.config(), m.parameters());
        assertThrows(IllegalStateException.class, () -> t.backward(Nd4j.zeros(DataType.FLOAT, 12, 32)));
    }
}
