package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.Accuracy;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.LoggingProgressListener;
import io.mlsm.eval.data.BlimpPhenomena;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.PairScore;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.models.DebertaModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * All of BLiMP (67 paradigms) and the supplement (5 tasks), first 5 pairs each, on a tiny random DeBERTa with the
 * 1000-piece Unigram test tokenizer, through {@link Evaluations#blimp}: reader → tokenizer → batched PLL → the
 * 17-row phenomenon table with its averages.
 */
@Tag("slow")
class BlimpEndToEndSlowTest {

    @Test
    void fullBlimpWithFivePairsPerParadigmGivesTheSeventeenRowTable() throws Exception {
        Path data = EvaluationsTest.sharedData();
        Tokenizer tok = EvaluationsTest.austenTokenizer();
        DebertaModel model = EvaluationsTest.tinyModel(7L);
        BlimpResult r = Evaluations.blimp(model, tok, data, EvalLimit.firstN(5),
                Evaluations.Settings.defaults().withListener(new LoggingProgressListener(10)));
        assertEquals(67 * 5 + 5 * 5, r.scores().size());
        assertEquals(72, r.byParadigm().size());
        for (PairScore s : r.scores()) {
            assertTrue(s.goodPll() < 0 && s.badPll() < 0, s.toString());
        }

        ResultTable t = Evaluations.blimpTable(r, "tiny random");
        List<String> expectedRows = new ArrayList<>(BlimpPhenomena.allRows());
        assertEquals(17, expectedRows.size());
        expectedRows.addAll(List.of("Average", "BLiMP", "BLiMP supplement"));
        assertEquals(expectedRows, t.rows());

        Map<String, Accuracy> byRow = r.byPhenomenon();
        double mean = 0;
        long pairs = 0;
        for (String row : BlimpPhenomena.allRows()) {
            Accuracy a = byRow.get(row);
            assertEquals(a.value(), t.get(row, "tiny random").orElseThrow(), 0.0, row);
            mean += a.value() / 17;
            pairs += a.total();
        }
        assertEquals(r.scores().size(), pairs, "every pair is in exactly one phenomenon row");
        assertEquals(mean, t.get("Average", "tiny random").orElseThrow(), 1e-12);
        double blimp = r.byParadigm().entrySet().stream()
                .filter(e -> r.scores().stream().anyMatch(s -> s.pair().paradigm().equals(e.getKey())
                        && s.pair().benchmark().equals("blimp")))
                .mapToDouble(e -> e.getValue().value()).average().orElseThrow();
        assertEquals(blimp, t.get("BLiMP", "tiny random").orElseThrow(), 1e-12);
        LoggerFactory.getLogger(BlimpEndToEndSlowTest.class).info("\n{}", MarkdownTable.render(t, 3));
    }
}
