package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.pll.PseudoLogLikelihood;
import io.mlsm.eval.pll.ScoredSequence;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scoring many sentences of many lengths keeps native memory flat: resident memory after the last quarter of the
 * work is within 10% of what it was after the first quarter. Before inference sessions freed their arrays, SameDiff
 * kept every released array cached by shape, and a BLiMP run grew by gigabytes.
 */
class ScoringMemoryTest {

    @Test
    void residentMemoryStaysFlatOverHundredsOfSentencesOfManyLengths() {
        SpecialTokens sp = new SpecialTokens(0, 1, 2, 3, 4);
        DebertaConfig cfg = DebertaConfig.tiny().withPadTokenId(sp.pad()).withLatentConcepts(16);
        DebertaModel model = DebertaModel.initialize(cfg, 3L);
        PseudoLogLikelihood pll = new PseudoLogLikelihood(DebertaMaskedLmScorer.mlmHead(model), sp,
                new PllOptions(64, 64 * 48, 48));
        Random r = new Random(9);
        int chunks = 24;
        long[] rss = new long[chunks];
        for (int c = 0; c < chunks; c++) {
            List<ScoredSequence> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {                      // 480 sentences, lengths 5..44 (40 graph shapes)
                int len = 5 + r.nextInt(40);
                int[] ids = new int[len];
                ids[0] = sp.cls();
                for (int t = 1; t < len - 1; t++) {
                    ids[t] = 5 + r.nextInt(cfg.vocabSize() - 5);
                }
                ids[len - 1] = sp.sep();
                batch.add(ScoredSequence.allButEnds(ids));
            }
            pll.score(batch);
            System.gc();
            rss[c] = Pointer.physicalBytes();
        }
        long firstQuarter = max(rss, chunks / 4 - 2, chunks / 4);
        long lastQuarter = max(rss, chunks - 2, chunks);
        assertTrue(lastQuarter < 1.10 * firstQuarter, "resident memory grew from " + (firstQuarter >> 20) + " MiB to "
                + (lastQuarter >> 20) + " MiB over " + pll.forwardPasses() + " forward passes");
    }

    private static long max(long[] a, int from, int to) {
        long m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }
}
