package io.mlsm.eval.pll;

import io.mlsm.eval.ContextHashScorer;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.EwokItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EwokEvaluatorTest {

    static EwokItem item(String domain, String c1, String c2, String t1, String t2) {
        return new EwokItem(domain, "a", "b", "direct", "x", "y", c1, c2, t1, t2, "test");
    }

    /** "they" costs 2; "fan" costs 1 after "hot" and 4 otherwise; "rub" costs 1 after "cold", 4 otherwise. */
    static MaskedLmScorer weather(FakeWordTokenizer tok) {
        int hot = tok.encode("hot")[0];
        int cold = tok.encode("cold")[0];
        int sweat = tok.encode("fan")[0];
        int shiver = tok.encode("rub")[0];
        return (ids, mask, pos, tgt) -> {
            float[] out = new float[ids.length];
            for (int r = 0; r < ids.length; r++) {
                boolean isHot = contains(ids[r], hot);
                boolean isCold = contains(ids[r], cold);
                if (tgt[r] == sweat) {
                    out[r] = isHot ? -1 : -4;
                } else if (tgt[r] == shiver) {
                    out[r] = isCold ? -1 : -4;
                } else {
                    out[r] = -2;
                }
            }
            return out;
        };
    }

    static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    @Test
    void encodesContextThenTargetAndScoresOnlyTargetTokens() {
        FakeWordTokenizer tok = new FakeWordTokenizer(100);
        EwokEvaluator ev = new EwokEvaluator(tok, new ContextHashScorer(100, 1, 3), PllOptions.defaults(),
                EwokRule.TARGETS_UNDER_CONTEXT1);
        ScoredSequence s = ev.encode("the cat", "sat in kitchens");   // kitchens -> 2 pieces
        int[] c = tok.encode("the cat");
        int[] t = tok.encode("sat in kitchens");
        assertEquals(4, t.length);
        int[] expected = new int[] {0, c[0], c[1], t[0], t[1], t[2], t[3], 1};
        assertArrayEquals(expected, s.ids());
        assertArrayEquals(new int[] {3, 4, 5, 6}, s.positions());
    }

    @Test
    void longContextIsCutFromTheLeft() {
        FakeWordTokenizer tok = new FakeWordTokenizer(100);
        EwokEvaluator ev = new EwokEvaluator(tok, new ContextHashScorer(100, 1, 3), new PllOptions(8, 64, 6),
                EwokRule.TARGETS_UNDER_CONTEXT1);
        ScoredSequence s = ev.encode("one two six ten", "is big");
        int[] c = tok.encode("one two six ten");
        int[] t = tok.encode("is big");
        assertArrayEquals(new int[] {0, c[2], c[3], t[0], t[1], 1}, s.ids());
        assertArrayEquals(new int[] {3, 4}, s.positions());
    }

    @Test
    void rulesJudgePlantedItemsAndCountTiesAsWrong() {
        FakeWordTokenizer tok = new FakeWordTokenizer(100);
        MaskedLmScorer scorer = weather(tok);
        List<EwokItem> items = List.of(
                item("d1", "it is hot", "it is cold", "they fan", "they rub"),    // right
                item("d1", "it is cold", "it is hot", "they fan", "they rub"),    // contexts swapped: wrong
                item("d2", "it is hot", "it is cold", "they fan", "they fan"));    // identical targets: tie
        EwokResult r1 = new EwokEvaluator(tok, scorer, PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1)
                .evaluate(items, null);
        EwokScore first = r1.scores().get(0);
        assertEquals(-3.0, first.s11());
        assertEquals(-6.0, first.s21());
        assertTrue(Double.isNaN(first.s12()));
        assertTrue(first.correct());
        assertFalse(r1.scores().get(1).correct());
        assertFalse(r1.scores().get(2).correct());
        assertEquals(0.5, r1.byDomain().get("d1").value());
        assertEquals(0.0, r1.byDomain().get("d2").value());
        assertEquals(1, r1.overall().correct());
        assertEquals(0.25, r1.domainAverage(), 1e-15);

        EwokResult r2 = new EwokEvaluator(tok, scorer, PllOptions.defaults(), EwokRule.CONTEXTS_PER_TARGET)
                .evaluate(items, null);
        EwokScore f2 = r2.scores().get(0);
        assertEquals(-3.0, f2.s11());
        assertEquals(-6.0, f2.s12());
        assertEquals(-3.0, f2.s22());
        assertEquals(-6.0, f2.s21());
        assertTrue(f2.correct());
        assertFalse(r2.scores().get(1).correct());
        // identical targets: s11 > s12 holds but s22 (= s(T1|C2)) > s21 (= s(T1|C1)) does not
        assertFalse(r2.scores().get(2).correct());
    }

    @Test
    void scoreComparisonsHandleTiesAndNaN() {
        EwokItem it = item("d", "c1", "c2", "t1", "t2");
        assertFalse(new EwokScore(it, EwokRule.TARGETS_UNDER_CONTEXT1, -2, -2, Double.NaN, Double.NaN).correct());
        assertTrue(new EwokScore(it, EwokRule.TARGETS_UNDER_CONTEXT1, -1.999, -2, Double.NaN, Double.NaN).correct());
        assertFalse(new EwokScore(it, EwokRule.TARGETS_UNDER_CONTEXT1, Double.NaN, -2, 0, 0).correct());
        assertFalse(new EwokScore(it, EwokRule.CONTEXTS_PER_TARGET, -1, -3, -2, -3).correct());   // s22 == s21
        assertTrue(new EwokScore(it, EwokRule.CONTEXTS_PER_TARGET, -1, -3, -2, -2.5).correct());
    }

    @Test
    void itemTextsStayOutOfToString() {
        EwokItem it = item("social", "secret context", "other", "target one", "target two");
        assertFalse(it.toString().contains("secret"));
        assertTrue(it.toString().contains("social"));
    }
}
