package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.pll.PseudoLogLikelihood;
import io.mlsm.eval.pll.ScoredSequence;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.ForwardResult;
import io.mlsm.models.graph.VariableNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DeBERTa scorers on a tiny real model with latent concepts (V + k layout) and a phase-3 head: the batched PLL
 * (padded passes of several sequences) equals one unpadded full forward pass per masked position, with the heads
 * applied to the full outputs independently of the scorer; the phase-3 scorer reads the latent-to-vocabulary head and
 * not the MLM decoder. The MLM scores here use {@link Normaliser#VOCABULARY} (first {@code V} rows); the
 * {@code V + k} normaliser is checked in {@link NormaliserTest}.
 */
class DebertaMaskedLmScorerTest {

    static final SpecialTokens SP = new SpecialTokens(0, 1, 2, 3, 4);
    private static DebertaModel model;
    private static List<ScoredSequence> sequences;

    /** Reference PLL per sequence: [0] through the MLM head, [1] through the latent-to-vocabulary head. */
    private static double[][] reference;

    @BeforeAll
    static void setUp() {
        DebertaConfig cfg = DebertaConfig.tiny().withPadTokenId(SP.pad()).withLatentConcepts(16);
        model = DebertaModel.initialize(cfg, 21L);
        model.addLatentToVocabHead(22L);
        randomise(model.parameter(VariableNames.LATENT_TO_VOCAB_BIAS), new Random(23), 0.5);
        randomise(model.parameter(VariableNames.MLM_BIAS), new Random(24), 0.5);
        Random r = new Random(5);
        sequences = new ArrayList<>();
        for (int len : new int[] {6, 4, 8}) {
            int[] ids = new int[len];
            ids[0] = SP.cls();
            for (int t = 1; t < len - 1; t++) {
                ids[t] = 5 + r.nextInt(cfg.vocabSize() - 5);
            }
            ids[len - 1] = SP.sep();
            sequences.add(ScoredSequence.allButEnds(ids));
        }
        reference = new double[sequences.size()][];
        for (int i = 0; i < sequences.size(); i++) {
            reference[i] = bruteForce(model, sequences.get(i));
        }
    }

    static void randomise(INDArray a, Random r, double scale) {
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, scale * r.nextGaussian());
        }
    }

    /**
     * The PLL by one unpadded {@link DebertaModel#forward} (B = 1) per masked position, independently of the
     * scorer: the MLM log-softmax from the full logits, and the phase-3 log-softmax of {@code W c + b} computed here
     * from the forward pass's concept logits {@code c}.
     *
     * @return {MLM PLL, latent-to-vocabulary PLL}
     */
    static double[] bruteForce(DebertaModel m, ScoredSequence s) {
        int[] ids = s.ids();
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        INDArray w = m.parameter(VariableNames.LATENT_TO_VOCAB_WEIGHT);   // [V, k]
        INDArray bias = m.parameter(VariableNames.LATENT_TO_VOCAB_BIAS);  // [V]
        int v = m.config().vocabSize();
        double[] sum = new double[2];
        for (int pos : s.positions()) {
            int[] copy = ids.clone();
            copy[pos] = SP.mask();
            ForwardResult out = m.forward(new int[][] {copy}, new int[][] {ones});
            float[] mlm = out.logits().get(NDArrayIndex.point(0), NDArrayIndex.point(pos), NDArrayIndex.all())
                    .toFloatVector();                                              // [V]
            sum[0] += MaskedLmScorer.logSoftmaxAt(mlm, ids[pos]);
            INDArray c = out.conceptLogits().get(NDArrayIndex.point(0), NDArrayIndex.point(pos),
                    NDArrayIndex.all());                                           // [k]
            float[] phase3 = w.mmul(c.reshape(-1, 1)).reshape(v).add(bias).toFloatVector();   // [V]
            sum[1] += MaskedLmScorer.logSoftmaxAt(phase3, ids[pos]);
        }
        return sum;
    }

    private static void assertBatchedEqualsReference(MaskedLmScorer scorer, int head) {
        // 12 masked copies, at most 5 rows per pass: passes mix lengths and pad rows
        PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, SP,
                new PllOptions(5, 5 * 8, 8, Normaliser.VOCABULARY));
        double[] batched = pll.score(sequences);
        assertEquals(3, pll.forwardPasses());
        for (int i = 0; i < sequences.size(); i++) {
            assertTrue(reference[i][head] < 0);
            assertEquals(reference[i][head], batched[i], 1e-4, "sequence " + i);
        }
        assertTrue(Math.abs(reference[0][0] - reference[0][1]) > 0.1, "the two heads give different scores");
    }

    @Test
    void mlmHeadBatchedPllEqualsOneForwardPerPosition() {
        assertBatchedEqualsReference(DebertaMaskedLmScorer.mlmHead(model), 0);
    }

    @Test
    void latentToVocabBatchedPllEqualsOneForwardPerPosition() {
        assertBatchedEqualsReference(DebertaMaskedLmScorer.latentToVocabHead(model), 1);
    }

    @Test
    void mlmRowsAreTheLogSoftmaxOfTheFullForwardLogits() {
        int[][] ids = {{0, 17, 4, 99, 1, 3}, {0, 4, 250, 1, 3, 3}, {0, 5, 6, 7, 8, 1}};
        int[][] mask = {{1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}};
        int[] pos = {2, 1, 4};
        int[] tgt = {77, 250, 8};
        float[] got = DebertaMaskedLmScorer.mlmHead(model).logProbs(ids, mask, pos, tgt, Normaliser.VOCABULARY);
        INDArray logits = model.forward(ids, mask).logits();   // [B, T, V]
        assertEquals(model.config().vocabSize(), logits.size(2));
        for (int b = 0; b < ids.length; b++) {
            float[] row = logits.get(NDArrayIndex.point(b), NDArrayIndex.point(pos[b]), NDArrayIndex.all())
                    .toFloatVector();                          // [V]
            assertEquals(MaskedLmScorer.logSoftmaxAt(row, tgt[b]), got[b], 1e-5, "row " + b);
        }
    }

    @Test
    void phase3ScorerReadsTheLatentToVocabularyHeadNotTheMlmDecoder() {
        DebertaModel m = DebertaModel.initialize(DebertaConfig.tiny().withLatentConcepts(8), 31L);
        m.addLatentToVocabHead(32L);
        MaskedLmScorer phase3 = DebertaMaskedLmScorer.latentToVocabHead(m);
        MaskedLmScorer mlm = DebertaMaskedLmScorer.mlmHead(m);
        int[][] ids = {{0, 4, 10, 11, 1}, {0, 12, 4, 13, 1}};
        int[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
        int[] pos = {1, 2};
        int[] tgt = {40, 41};
        float[] p3Before = phase3.logProbs(ids, mask, pos, tgt);
        float[] mlmBefore = mlm.logProbs(ids, mask, pos, tgt);

        // the MLM decoder bias of the target words: the MLM scores move, the phase-3 scores do not
        INDArray mlmBias = m.parameter(VariableNames.MLM_BIAS);   // [V + k]
        mlmBias.putScalar(40, 3.0);
        mlmBias.putScalar(41, -3.0);
        assertArrayEquals(p3Before, phase3.logProbs(ids, mask, pos, tgt), 0f);
        float[] mlmAfter = mlm.logProbs(ids, mask, pos, tgt);
        assertTrue(mlmAfter[0] > mlmBefore[0] + 2 && mlmAfter[1] < mlmBefore[1] - 2, Arrays.toString(mlmAfter));

        // the latent-to-vocabulary weights: the phase-3 scores move
        INDArray w = m.parameter(VariableNames.LATENT_TO_VOCAB_WEIGHT);   // [V, k]
        randomise(w.getRow(40), new Random(3), 2.0);
        randomise(w.getRow(41), new Random(4), 2.0);
        float[] p3After = phase3.logProbs(ids, mask, pos, tgt);
        assertNotEquals(p3Before[0], p3After[0]);
        assertNotEquals(p3Before[1], p3After[1]);
        // and the head's bias
        m.parameter(VariableNames.LATENT_TO_VOCAB_BIAS).putScalar(40, 5.0);
        assertTrue(phase3.logProbs(ids, mask, pos, tgt)[0] > p3After[0] + 4);
    }

    @Test
    void lengthsArePaddedToAFewBucketsWithinTheModelsPositions() {
        assertEquals(8, DebertaMaskedLmScorer.bucketLength(5, 512));     // the sequences above: scored padded to 8
        assertEquals(4, DebertaMaskedLmScorer.bucketLength(4, 512));
        assertEquals(16, DebertaMaskedLmScorer.bucketLength(16, 512));
        assertEquals(20, DebertaMaskedLmScorer.bucketLength(17, 512));   // steps of 4 up to 64
        assertEquals(64, DebertaMaskedLmScorer.bucketLength(61, 512));
        assertEquals(64, DebertaMaskedLmScorer.bucketLength(64, 512));
        assertEquals(80, DebertaMaskedLmScorer.bucketLength(65, 512));   // steps of 16 above 64
        assertEquals(160, DebertaMaskedLmScorer.bucketLength(129, 512));
        assertEquals(100, DebertaMaskedLmScorer.bucketLength(97, 100));  // never beyond the position table
        assertEquals(100, DebertaMaskedLmScorer.bucketLength(100, 100));
    }

    @Test
    void headsResolveAndBadInputsAreRejected() {
        DebertaModel plain = DebertaModel.initialize(DebertaConfig.tiny(), 1L);
        assertEquals(ScoringHead.MLM, DebertaMaskedLmScorer.of(plain, ScoringHead.AUTO).head());
        assertEquals(ScoringHead.LATENT_TO_VOCAB, DebertaMaskedLmScorer.of(model, ScoringHead.AUTO).head());
        assertThrows(IllegalArgumentException.class, () -> DebertaMaskedLmScorer.latentToVocabHead(plain));
        MaskedLmScorer s = DebertaMaskedLmScorer.mlmHead(plain);
        int[][] ids = {{0, 5, 1, 3}};
        int[][] mask = {{1, 1, 1, 0}};
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.logProbs(ids, mask, new int[] {1}, new int[] {500})).getMessage().contains("500"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> s.logProbs(ids, mask, new int[] {3}, new int[] {5})).getMessage().contains("position 3"));
        assertThrows(IllegalArgumentException.class, () -> s.logProbs(ids, mask, new int[] {1, 2}, new int[] {5}));
    }
}
