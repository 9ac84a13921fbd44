package io.mlsm.eval.sweep;

import io.mlsm.eval.ContextHashScorer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.BlimpPhenomena;
import io.mlsm.eval.data.EwokItem;
import io.mlsm.eval.data.GlueExample;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuningTest;
import io.mlsm.eval.pll.EwokRule;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.PllOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuitesTest {

    /** log p = -5 for the piece "▁zzz" and -1 for any other, whatever the context. */
    static MaskedLmScorer penalising(FakeWordTokenizer tok) {
        return (ids, mask, pos, tgt) -> {
            float[] out = new float[ids.length];
            for (int r = 0; r < ids.length; r++) {
                out[r] = tok.idToPiece(tgt[r]).equals("▁zzz") ? -5f : -1f;
            }
            return out;
        };
    }

    @Test
    void zeroShotRowsFollowThePapersLayoutWithHandComputedValues() {
        FakeWordTokenizer tok = new FakeWordTokenizer(100);
        List<MinimalPair> pairs = List.of(
                new MinimalPair("blimp", "p1", "binding", "a cat", "a zzz", "t"),          // right
                new MinimalPair("blimp", "p2", "binding", "a zzz", "a cat", "t"),          // wrong
                new MinimalPair("blimp", "p3", "ellipsis", "the dog", "zzz dog", "t"),     // right
                new MinimalPair("supplement", "hypernym", "hypernym", "x", "zzz", "t"));   // right
        List<EwokItem> ewok = List.of(
                new EwokItem("d1", "a", "b", "t", "x", "y", "c one", "c two", "fine", "zzz", "t"),   // right
                new EwokItem("d2", "a", "b", "t", "x", "y", "c one", "c two", "zzz", "fine", "t"));  // wrong
        ZeroShotSuite suite = new ZeroShotSuite(tok, PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1, pairs,
                ewok);
        LinkedHashMap<String, Double> s = suite.evaluate(penalising(tok), null);
        assertEquals(List.of("binding", "ellipsis", "hypernym", "Average", "BLiMP", "BLiMP supplement", "EWoK"),
                new ArrayList<>(s.keySet()));
        assertEquals(0.5, s.get("binding"));
        assertEquals(1.0, s.get("ellipsis"));
        assertEquals((0.5 + 1 + 1) / 3, s.get("Average"), 1e-15);
        assertEquals((1 + 0 + 1) / 3.0, s.get("BLiMP"), 1e-15);
        assertEquals(1.0, s.get("BLiMP supplement"));
        assertEquals(0.5, s.get("EWoK"));
    }

    @Test
    void zeroShotSuiteRunsOnTheRealDataSubset() throws IOException {
        String shared = System.getProperty("mlsm.shared.dir");
        Assumptions.assumeTrue(shared != null && Files.isDirectory(Path.of(shared, "data", "blimp_filtered")));
        FakeWordTokenizer tok = new FakeWordTokenizer(5000);
        ZeroShotSuite suite = ZeroShotSuite.fromSharedData(Path.of(shared, "data"), tok, EvalLimit.firstN(2),
                PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1);
        LinkedHashMap<String, Double> s = suite.evaluate(new ContextHashScorer(5000, 3, tok.specials().pad()), null);
        List<String> expectedRows = new ArrayList<>(BlimpPhenomena.allRows());
        expectedRows.addAll(List.of("Average", "BLiMP", "BLiMP supplement", "EWoK"));
        assertEquals(expectedRows, new ArrayList<>(s.keySet()));
        s.values().forEach(v -> assertTrue(v >= 0 && v <= 1, "score " + v));
        assertEquals("first 2", suite.settings().get("limit"));
        assertEquals(Integer.toString(67 * 2 + 5 * 2), suite.settings().get("blimpPairs"));
        assertEquals("22", suite.settings().get("ewokItems"));
        ZeroShotSuite fast = ZeroShotSuite.fromSharedData(Path.of(shared, "data"), tok, EvalLimit.firstN(1),
                PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1, ZeroShotSuite.EWOK_FAST_ZIP);
        assertEquals("11", fast.settings().get("ewokItems"));
    }

    @Test
    void glueSuiteFineTunesEachTaskAndAveragesAndSkipsTasksWithoutTrainData() throws IOException {
        FakeWordTokenizer tok = new FakeWordTokenizer(64);
        Random r = new Random(4);
        List<GlueExample> train = FineTuningTest.planted(r, 120);
        List<GlueExample> valid = FineTuningTest.planted(r, 30);
        FineTuneConfig cfg = FineTuneConfig.defaults().withLearningRate(2.0).withEpochs(3).withBatchSize(16)
                .withEvalEvery(4, 0).withSeeds(List.of(1L, 2L));
        GlueSuite suite = new GlueSuite(tok, cfg, List.of(new GlueSuite.TaskData(GlueTask.RTE, train, valid),
                new GlueSuite.TaskData(GlueTask.MRPC, train, valid)));
        LinkedHashMap<String, Double> s = suite.evaluate(
                (labels, seed) -> new FineTuningTest.BagOfIdsClassifier(labels, 64, seed), null);
        assertEquals(List.of("RTE", "MRPC", "Average"), new ArrayList<>(s.keySet()));
        assertEquals(1.0, s.get("RTE"));
        assertEquals(1.0, s.get("MRPC"));   // F1 of a perfect classifier
        assertEquals(1.0, s.get("Average"));

        String shared = System.getProperty("mlsm.shared.dir");
        Assumptions.assumeTrue(shared != null && Files.isDirectory(Path.of(shared, "data", "glue_filtered")));
        GlueSuite real = GlueSuite.fromSharedData(Path.of(shared, "data"), tok, EvalLimit.firstN(5), cfg);
        assertEquals(List.of(GlueTask.COLA, GlueTask.MNLI, GlueTask.MRPC, GlueTask.QQP, GlueTask.RTE, GlueTask.SST2,
                GlueTask.WSC), real.tasks());
    }
}
