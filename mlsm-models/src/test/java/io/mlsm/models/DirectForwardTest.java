package io.mlsm.models;

import io.mlsm.models.direct.DirectForward;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct float32 inference path ({@link DirectForward}) against the SameDiff inference graphs on the same
 * weights: every hidden state, the heads at selected rows (in any order, across sequences), full logits, class
 * logits, padding, the relative-position clamp and each combination of the c2p / p2c terms. The Hugging Face fixture
 * ({@link HfReferenceTest}) runs through the direct path by default.
 */
class DirectForwardTest {

    private static final String PROPERTY = "mlsm.inference";

    @AfterEach
    void restore() {
        System.clearProperty(PROPERTY);
    }

    private static <T> T graph(Supplier<T> s) {
        System.setProperty(PROPERTY, "graph");
        try {
            return s.get();
        } finally {
            System.clearProperty(PROPERTY);
        }
    }

    /** Wide initial weights (as the HF fixture has) so attention and the relative terms matter numerically. */
    private static DebertaModel model(DebertaConfig.Builder b, long seed) {
        return DebertaModel.initialize(b.initializerRange(0.2).build(), seed);
    }

    private static DebertaConfig.Builder base() {
        return DebertaConfig.tiny().toBuilder().vocabSize(97).hiddenSize(32).numHeads(4).intermediateSize(48)
                .numLayers(2);
    }

    private static INDArray ids(int b, int t, int vocab, long seed) {
        Random r = new Random(seed);
        int[][] x = new int[b][t];
        for (int[] row : x) {
            for (int j = 0; j < t; j++) {
                row[j] = 5 + r.nextInt(vocab - 5);
            }
        }
        return Nd4j.createFromArray(x);
    }

    /** Rows of varying length: row i keeps {@code t − 2i} tokens (at least 1). */
    private static INDArray padded(int b, int t) {
        int[][] m = new int[b][t];
        for (int i = 0; i < b; i++) {
            int len = Math.max(1, t - 2 * i);
            for (int j = 0; j < len; j++) {
                m[i][j] = 1;
            }
        }
        return Nd4j.createFromArray(m);
    }

    private static double relError(INDArray actual, INDArray expected) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double diff = actual.castTo(DataType.DOUBLE).sub(e).amaxNumber().doubleValue();
        return diff / Math.max(e.amaxNumber().doubleValue(), 1e-30);
    }

    private static void assertClose(INDArray actual, INDArray expected, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double err = relError(actual, expected);
        assertTrue(err < 1e-5, what + ": relative error " + err);
    }

    private static void hiddenStatesMatch(DebertaModel m, INDArray ids, INDArray mask, String what) {
        List<INDArray> direct = m.hiddenStates(ids, mask);
        List<INDArray> graph = graph(() -> m.hiddenStates(ids, mask));
        assertEquals(graph.size(), direct.size());
        for (int i = 0; i < graph.size(); i++) {
            assertClose(direct.get(i), graph.get(i), what + ", hidden state " + i);
        }
    }

    @Test
    void hiddenStatesMatchTheGraphForEveryRelativeTermCombination() {
        List<EnumSet<DebertaConfig.PositionAttention>> combos = List.of(
                EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C),
                EnumSet.of(DebertaConfig.PositionAttention.C2P),
                EnumSet.of(DebertaConfig.PositionAttention.P2C),
                EnumSet.noneOf(DebertaConfig.PositionAttention.class));
        long seed = 1;
        for (EnumSet<DebertaConfig.PositionAttention> terms : combos) {
            DebertaModel m = model(base().positionAttention(terms), seed++);
            hiddenStatesMatch(m, ids(3, 11, 97, seed), padded(3, 11), "terms " + terms);
        }
    }

    @Test
    void theRelativeClampMatchesWhenTheSequenceIsLongerThanTheSpan() {
        DebertaModel m = model(base().maxRelativePositions(4), 7);            // span 4 < T = 19
        hiddenStatesMatch(m, ids(2, 19, 97, 8), padded(2, 19), "T 19, R 4");
        hiddenStatesMatch(m, ids(1, 3, 97, 9), Nd4j.ones(DataType.INT32, 1, 3), "T 3, R 4");
    }

    @Test
    void headsAtRowsMatchInAnyOrderAcrossSequences() {
        DebertaModel m = model(base().latentConcepts(6), 11);
        m.addLatentToVocabHead(12);
        INDArray ids = ids(4, 9, 97, 13);
        INDArray mask = padded(4, 9);
        int[][] selections = {
                {0 * 9 + 2, 1 * 9 + 0, 2 * 9 + 4, 3 * 9 + 1},        // grouped, one per sequence
                {3 * 9 + 8, 0 * 9 + 1, 2 * 9 + 3, 0 * 9 + 7, 3 * 9 + 8},  // unordered, repeated, a padded position
                {2 * 9 + 5}};
        for (int[] at : selections) {
            assertClose(m.vocabLogitsAt(ids, mask, at, VocabHead.MLM),
                    graph(() -> m.vocabLogitsAt(ids, mask, at, VocabHead.MLM)), "MLM at rows");
            assertClose(m.outputLogitsAt(ids, mask, at), graph(() -> m.outputLogitsAt(ids, mask, at)),
                    "V + k outputs at rows");
            assertClose(m.vocabLogitsAt(ids, mask, at, VocabHead.LATENT_TO_VOCAB),
                    graph(() -> m.vocabLogitsAt(ids, mask, at, VocabHead.LATENT_TO_VOCAB)), "latent-to-vocab");
        }
        assertThrows(IllegalArgumentException.class, () -> m.vocabLogitsAt(ids, mask, new int[] {36}, VocabHead.MLM));
    }

    @Test
    void fullLogitsConceptLogitsAndClassLogitsMatch() {
        DebertaModel m = model(base().latentConcepts(5), 21);
        m.addClassificationHead(3, 22);
        INDArray ids = ids(3, 7, 97, 23);
        INDArray mask = padded(3, 7);
        ForwardResult d = m.forward(ids, mask);
        ForwardResult g = graph(() -> m.forward(ids, mask));
        assertClose(d.logits(), g.logits(), "vocabulary logits");
        assertClose(d.conceptLogits(), g.conceptLogits(), "concept logits");
        assertClose(m.classLogits(ids, mask), graph(() -> m.classLogits(ids, mask)), "class logits");
    }

    @Test
    void scratchIsReusedAcrossCallsAndShapesWithoutChangingResults() {
        DebertaModel m = model(base(), 31);
        INDArray bigIds = ids(6, 16, 97, 32);
        INDArray smallIds = ids(2, 5, 97, 33);
        INDArray bigMask = padded(6, 16);
        INDArray smallMask = padded(2, 5);
        int[] at = {3, 7};
        INDArray firstSmall = m.vocabLogitsAt(smallIds, smallMask, at, VocabHead.MLM).dup();
        INDArray firstBig = m.hiddenStates(bigIds, bigMask).get(2).dup();
        INDArray againSmall = m.vocabLogitsAt(smallIds, smallMask, at, VocabHead.MLM);
        INDArray againBig = m.hiddenStates(bigIds, bigMask).get(2);
        assertEquals(firstSmall, againSmall, "same input, same bits after a larger call grew the scratch");
        assertEquals(firstBig, againBig, "same input, same bits");
        try (DebertaModel fresh = model(base(), 31)) {
            assertEquals(firstSmall, fresh.vocabLogitsAt(smallIds, smallMask, at, VocabHead.MLM),
                    "a fresh model gives the same bits");
        }
        m.releaseGraphs();
        assertEquals(firstBig, m.hiddenStates(bigIds, bigMask).get(2), "after releasing the scratch");
    }

    @Test
    void anUnknownInferenceModeIsRejected() {
        System.setProperty(PROPERTY, "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectForward.serves(DataType.FLOAT));
        assertTrue(e.getMessage().contains("'fast'"), e.getMessage());
        System.clearProperty(PROPERTY);
        assertTrue(DirectForward.serves(DataType.FLOAT));
        assertTrue(!DirectForward.serves(DataType.DOUBLE), "float64 models run the graph");
    }
}
