package io.mlsm.eval.pll;

import io.mlsm.eval.ContextHashScorer;
import io.mlsm.eval.EvalProgress;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.MinimalPair;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlimpEvaluatorTest {

    /** log p = -5 for the piece "▁zzz", -1 for every other piece, whatever the context. */
    static MaskedLmScorer penalising(FakeWordTokenizer tok, String piece) {
        return (ids, mask, pos, tgt) -> {
            float[] out = new float[ids.length];
            for (int r = 0; r < ids.length; r++) {
                out[r] = tok.idToPiece(tgt[r]).equals(piece) ? -5f : -1f;
            }
            return out;
        };
    }

    static MinimalPair pair(String bench, String paradigm, String phen, String good, String bad) {
        return new MinimalPair(bench, paradigm, phen, good, bad, "test");
    }

    @Test
    void accuraciesPerParadigmPhenomenonAndAveragesMatchHandCounts() {
        FakeWordTokenizer tok = new FakeWordTokenizer(100);
        BlimpEvaluator ev = new BlimpEvaluator(tok, penalising(tok, "▁zzz"), PllOptions.defaults());
        List<MinimalPair> pairs = List.of(
                pair("blimp", "a", "X", "the cat sat", "the cat zzz"),   // -3 vs -7: correct
                pair("blimp", "a", "X", "cat zzz", "cat sat"),           // -6 vs -2: wrong
                pair("blimp", "b", "X", "a b", "a c"),                   // -2 vs -2: tie, wrong
                pair("supplement", "c", "Y", "dog", "zzz"));             // -1 vs -5: correct
        BlimpResult r = ev.evaluate(pairs, null);
        assertEquals(-3.0, r.scores().get(0).goodPll());
        assertEquals(-7.0, r.scores().get(0).badPll());
        assertEquals(0.5, r.byParadigm().get("a").value());
        assertEquals(0.0, r.byParadigm().get("b").value());
        assertEquals(1.0, r.byParadigm().get("c").value());
        assertEquals(1, r.byPhenomenon().get("X").correct());
        assertEquals(3, r.byPhenomenon().get("X").total());
        assertEquals((1.0 / 3 + 1.0) / 2, r.phenomenonAverage(), 1e-15);
        assertEquals(0.25, r.paradigmAverage("blimp"), 1e-15);
        assertEquals(1.0, r.paradigmAverage("supplement"), 1e-15);
        assertEquals(0.5, r.overall().value());
    }

    @Test
    void sentenceScoresEqualBruteForcePllAndProgressReachesTheEnd() {
        FakeWordTokenizer tok = new FakeWordTokenizer(400);
        ContextHashScorer scorer = new ContextHashScorer(400, 99, tok.specials().pad());
        BlimpEvaluator ev = new BlimpEvaluator(tok, scorer, new PllOptions(37, 37 * 40, 40));
        List<MinimalPair> pairs = new ArrayList<>();
        String[] words = {"the", "kitten", "dogs", "walked", "quickly", "home", "a", "teacher", "saw", "them"};
        for (int i = 0; i < BlimpEvaluator.CHUNK_PAIRS + 40; i++) {
            StringBuilder g = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int w = 0; w < 2 + i % 7; w++) {
                g.append(words[(i * 3 + w) % words.length]).append(' ');
                b.append(words[(i * 5 + 2 * w) % words.length]).append(' ');
            }
            pairs.add(pair("blimp", "p" + (i % 3), "X", g.toString(), b.toString()));
        }
        List<EvalProgress> progress = new ArrayList<>();
        BlimpResult r = ev.evaluate(pairs, progress::add);
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(PseudoLogLikelihoodTest.bruteForce(scorer, ev.encode(pairs.get(i).good())),
                    r.scores().get(i).goodPll(), 0.0);
            assertEquals(PseudoLogLikelihoodTest.bruteForce(scorer, ev.encode(pairs.get(i).bad())),
                    r.scores().get(i).badPll(), 0.0);
        }
        assertEquals(2, progress.size());
        assertEquals(BlimpEvaluator.CHUNK_PAIRS, progress.get(0).done());
        assertEquals(pairs.size(), progress.get(1).done());
        assertEquals(pairs.size(), progress.get(1).total());
        assertTrue(ev.pll().forwardPasses() < ev.pll().maskedRows() / 10, "masked copies were not batched");
    }
}
