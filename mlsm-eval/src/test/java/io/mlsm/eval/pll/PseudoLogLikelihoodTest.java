package io.mlsm.eval.pll;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.eval.ContextHashScorer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PseudoLogLikelihoodTest {

    static final SpecialTokens SP = new SpecialTokens(0, 1, 2, 3, 4);
    static final int V = 50;

    /** One forward per scored position, unbatched, no padding: the definition of PLL. */
    static double bruteForce(MaskedLmScorer scorer, ScoredSequence s) {
        int[] ids = s.ids();
        int[] ones = new int[ids.length];
        java.util.Arrays.fill(ones, 1);
        double sum = 0;
        for (int pos : s.positions()) {
            int[] copy = ids.clone();
            copy[pos] = SP.mask();
            sum += scorer.logProbs(new int[][] {copy}, new int[][] {ones}, new int[] {pos}, new int[] {ids[pos]})[0];
        }
        return sum;
    }

    static List<ScoredSequence> randomSequences(Random rnd, int n, int maxLen) {
        List<ScoredSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + rnd.nextInt(maxLen - 2);
            int[] ids = new int[len];
            ids[0] = SP.cls();
            for (int t = 1; t < len - 1; t++) {
                ids[t] = 5 + rnd.nextInt(V - 5);
            }
            ids[len - 1] = SP.sep();
            out.add(rnd.nextBoolean() ? ScoredSequence.allButEnds(ids)
                    : new ScoredSequence(ids, java.util.stream.IntStream.range(1, len - 1)
                    .filter(t -> t % 2 == 1).toArray()));
        }
        out.add(out.get(2));   // a duplicate
        return out;
    }

    @Test
    void batchedEqualsBruteForceForEveryBatchShape() {
        Random rnd = new Random(7);
        List<ScoredSequence> seqs = randomSequences(rnd, 40, 20);
        ContextHashScorer scorer = new ContextHashScorer(V, 11, SP.pad());
        double[] expected = seqs.stream().mapToDouble(s -> bruteForce(scorer, s)).toArray();
        for (int rows : new int[] {1, 3, 7, 64, 10_000}) {
            for (int tokens : new int[] {20, 100, 1_000_000}) {
                ContextHashScorer fresh = new ContextHashScorer(V, 11, SP.pad());
                PseudoLogLikelihood pll = new PseudoLogLikelihood(fresh, SP, new PllOptions(rows, tokens, 20));
                double[] got = pll.score(seqs);
                assertArrayEquals(expected, got, 0.0, "rows=" + rows + " tokens=" + tokens);
                assertTrue(fresh.maxTokensPerCall.get() <= tokens, "token budget exceeded");
                assertTrue(fresh.maxRowsPerCall.get() <= rows, "row budget exceeded");
            }
        }
    }

    @Test
    void paddingDoesNotChangeScores() {
        Random rnd = new Random(3);
        List<ScoredSequence> shortOnes = randomSequences(rnd, 10, 6);
        ContextHashScorer scorer = new ContextHashScorer(V, 5, SP.pad());
        PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, SP, new PllOptions(1000, 100_000, 40));
        double[] alone = pll.score(shortOnes);
        List<ScoredSequence> withLong = new ArrayList<>(shortOnes);
        int[] longIds = new int[40];
        longIds[0] = SP.cls();
        for (int t = 1; t < 39; t++) {
            longIds[t] = 5 + t;
        }
        longIds[39] = SP.sep();
        withLong.add(0, ScoredSequence.allButEnds(longIds));
        double[] mixed = pll.score(withLong);
        for (int i = 0; i < alone.length; i++) {
            assertEquals(alone[i], mixed[i + 1], 0.0, "sentence " + i + " changed when padded to 40");
        }
    }

    @Test
    void masksAcrossSentencesShareForwardPasses() {
        // 10 sentences x 3 scored tokens = 30 masked copies; 8 rows per pass -> 4 passes
        List<ScoredSequence> seqs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seqs.add(ScoredSequence.allButEnds(new int[] {0, 5 + i, 6 + i, 7 + i, 1}));
        }
        ContextHashScorer scorer = new ContextHashScorer(V, 1, SP.pad());
        PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, SP, new PllOptions(8, 1000, 10));
        pll.score(seqs);
        assertEquals(30, pll.maskedRows());
        assertEquals(4, pll.forwardPasses());
        assertEquals(4, scorer.calls.get());
    }

    @Test
    void aPaddingSensitiveModelIsCaughtByTheBruteForceComparison() {
        // sanity check of the test design: a model that (wrongly) sees padding gives different batched scores
        MaskedLmScorer leaky = (ids, mask, pos, tgt) -> {
            float[] out = new float[ids.length];
            for (int r = 0; r < ids.length; r++) {
                out[r] = -0.01f * ids[r].length - 0.001f * tgt[r];
            }
            return out;
        };
        List<ScoredSequence> seqs = List.of(ScoredSequence.allButEnds(new int[] {0, 5, 6, 1}),
                ScoredSequence.allButEnds(new int[] {0, 5, 6, 7, 8, 9, 1}));
        double[] batched = new PseudoLogLikelihood(leaky, SP, new PllOptions(100, 1000, 10)).score(seqs);
        assertFalse(batched[0] == bruteForce(leaky, seqs.get(0)));
    }

    @Test
    void logSoftmaxHelperIsStableAndMatchesHandValues() {
        // log softmax of (0, ln 3) at 1 = ln(3/4)
        assertEquals(Math.log(0.75), MaskedLmScorer.logSoftmaxAt(new float[] {0f, (float) Math.log(3)}, 1), 1e-6);
        // huge logits do not overflow: (1000, 1000) -> ln 1/2
        assertEquals(Math.log(0.5), MaskedLmScorer.logSoftmaxAt(new float[] {1000f, 1000f}, 0), 1e-6);
        assertEquals(-2000.0, MaskedLmScorer.logSoftmaxAt(new float[] {1000f, -1000f}, 1), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> MaskedLmScorer.logSoftmaxAt(new float[] {1f}, 1));
        assertThrows(IllegalArgumentException.class, () -> MaskedLmScorer.logSoftmaxAt(new float[] {Float.NaN}, 0));
    }

    @Test
    void sequenceWithoutScoredPositionsHasZeroPll() {
        ContextHashScorer scorer = new ContextHashScorer(V, 1, SP.pad());
        double[] s = new PseudoLogLikelihood(scorer, SP, PllOptions.defaults())
                .score(List.of(ScoredSequence.allButEnds(new int[] {0, 1})));
        assertEquals(0.0, s[0]);
        assertEquals(0, scorer.calls.get());
    }

    @Test
    void rejectsBadInputAndBadScorers() {
        ContextHashScorer scorer = new ContextHashScorer(V, 1, SP.pad());
        PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, SP, new PllOptions(4, 10, 5));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> pll.score(List.of(ScoredSequence.allButEnds(new int[] {0, 5, 6, 7, 8, 1}))));
        assertTrue(tooLong.getMessage().contains("maxLength 5"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScoredSequence(new int[] {0, 5, 1}, new int[] {2, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ScoredSequence(new int[] {0, 5, 1}, new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> new PllOptions(0, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new PllOptions(4, 4, 5));

        List<ScoredSequence> one = List.of(ScoredSequence.allButEnds(new int[] {0, 5, 1}));
        IllegalStateException wrongLength = assertThrows(IllegalStateException.class,
                () -> new PseudoLogLikelihood((i, m, p, t) -> new float[0], SP, PllOptions.defaults()).score(one));
        assertTrue(wrongLength.getMessage().contains("batch of 1 rows"), wrongLength.getMessage());
        IllegalStateException nan = assertThrows(IllegalStateException.class,
                () -> new PseudoLogLikelihood((i, m, p, t) -> new float[] {Float.NaN}, SP, PllOptions.defaults())
                        .score(one));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalStateException.class,
                () -> new PseudoLogLikelihood((i, m, p, t) -> new float[] {0.5f}, SP, PllOptions.defaults())
                        .score(one));
    }
}
