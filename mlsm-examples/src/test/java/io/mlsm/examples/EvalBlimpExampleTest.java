package io.mlsm.examples;

import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalBlimpExampleTest {

    /** The 12 BLiMP phenomena (Warstadt et al. 2020, Table 1). */
    static final List<String> PHENOMENA = List.of("anaphor agreement", "argument structure", "binding",
            "control raising", "determiner noun agreement", "ellipsis", "filler gap", "irregular forms",
            "island effects", "npi licensing", "quantifiers", "subject verb agreement");

    @Test
    void scoresTheBundledSubsetPerPhenomenon(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path model = TinyFixtures.randomModel(tok, dir.resolve("model"), 11);
        var r = EvalBlimpExample.run(new EvalBlimpExample.Options(model, tok, null, null, 1, ScoringHead.AUTO,
                dir.resolve("out")));
        assertEquals(67, r.scores().scores().size(), "one pair from each of the 67 bundled paradigms");
        assertEquals(67, r.scores().byParadigm().size());
        ResultTable t = r.table();
        assertEquals(1, t.columns().size());
        List<String> expected = new ArrayList<>(PHENOMENA);
        expected.addAll(List.of("Average", "BLiMP"));
        assertEquals(expected, t.rows());
        // the Average row is the unweighted mean of the 12 phenomenon rows
        double sum = 0;
        for (String row : PHENOMENA) {
            sum += t.get(row, "model").orElseThrow();
        }
        assertEquals(sum / 12, t.get("Average", "model").orElseThrow(), 1e-12);
        assertTrue(Files.isRegularFile(r.markdownFile()));
        assertEquals(t, CsvTable.read(r.csvFile()));
        assertTrue(r.markdown().contains("| island effects"), r.markdown());
        // the normaliser in the caption and the provenance (the random tiny model has no concepts: both coincide)
        assertTrue(t.caption().contains("normaliser ALL_OUTPUTS"), t.caption());
        assertTrue(r.markdown().contains("\nTable: BLiMP accuracy"), r.markdown());
        Provenance p = Provenance.read(r.provenanceFile());
        assertEquals("ALL_OUTPUTS", p.extra().get("normaliser"));
        assertEquals(r.scores().normaliserApplied(), p.extra().get("normaliserApplied"));
        ResultTable paradigms = CsvTable.read(dir.resolve("out").resolve("blimp-paradigms.csv"));
        assertEquals(67, paradigms.rows().size());
        assertEquals(t.caption(), paradigms.caption());
    }

    @Test
    void theVocabularyNormaliserIsRecorded(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path model = TinyFixtures.randomModel(tok, dir.resolve("model"), 12);
        var r = EvalBlimpExample.run(new EvalBlimpExample.Options(model, tok, null, null, 1, ScoringHead.MLM,
                Normaliser.VOCABULARY, dir.resolve("out")));
        assertEquals("VOCABULARY", Provenance.read(r.provenanceFile()).extra().get("normaliser"));
        assertTrue(r.table().caption().contains("normaliser VOCABULARY"), r.table().caption());
    }

    @Test
    void rejectsMissingInputs(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> new EvalBlimpExample.Options(dir, dir.resolve("t"),
                null, null, 0, ScoringHead.AUTO, dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
