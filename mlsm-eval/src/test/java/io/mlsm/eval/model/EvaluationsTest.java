package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.Accuracy;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.GlueReader;
import io.mlsm.eval.data.GlueSplit;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.finetune.SeedRun;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.PairScore;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.eval.sweep.SweepResult;
import io.mlsm.eval.sweep.ZeroShotSuite;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.Provenance;
import io.mlsm.models.io.TrainingCheckpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Evaluations} facade end to end on a tiny random DeBERTa, the 1000-piece Unigram test tokenizer and a
 * small copy of the shared data (two BLiMP paradigms, one supplement task, EWoK's fast subset; limit 3 or 1):
 * reader → tokenizer → batched PLL → phenomenon table,
 * and a zero-shot sweep over two checkpoint directories whose columns equal in-memory evaluations of the same models.
 */
class EvaluationsTest {

    static final List<String> PARADIGMS = List.of("anaphor_gender_agreement", "adjunct_island");

    static Path sharedData() {
        String shared = System.getProperty("mlsm.shared.dir");
        Assumptions.assumeTrue(shared != null, "mlsm.shared.dir not set");
        Path p = Path.of(shared, "data");
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("blimp_filtered")), "no shared data at " + p);
        return p;
    }

    /** A data folder with the first lines of two paradigms and one supplement task, and EWoK's zips. */
    static Path smallDataDir(Path tmp) throws IOException {
        Path shared = sharedData();
        Path data = tmp.resolve("data");
        copyHead(shared.resolve("blimp_filtered"), data.resolve("blimp_filtered"), PARADIGMS);
        copyHead(shared.resolve("blimp_supplement"), data.resolve("blimp_supplement"), List.of("qa_congruence_easy"));
        Path ewok = Files.createDirectories(data.resolve("ewok_filtered"));
        for (String f : List.of("MANIFEST.txt", ZeroShotSuite.EWOK_FAST_ZIP)) {
            Files.copy(shared.resolve("ewok_filtered").resolve(f), ewok.resolve(f));
        }
        return data;
    }

    private static void copyHead(Path from, Path to, List<String> stems) throws IOException {
        Files.createDirectories(to);
        for (String s : stems) {
            try (Stream<String> lines = Files.lines(from.resolve(s + ".jsonl"))) {
                Files.write(to.resolve(s + ".jsonl"), lines.limit(5).toList());
            }
        }
    }

    /** The tiny test model with the vocabulary of {@link #austenTokenizer()} (1000 pieces, {@code <pad>} = 3). */
    static DebertaModel tinyModel(long seed) {
        return DebertaModel.initialize(DebertaConfig.tiny().withVocabSize(1000).withPadTokenId(3), seed);
    }

    /** The tokenizer module's 1000-piece Unigram test tokenizer (trained on Austen, Hugging Face format). */
    static Tokenizer austenTokenizer() throws IOException {
        // a resource of mlsm-core's test jar: copied out, since a jar entry is no file path
        Path copy = Files.createTempFile("austen_unigram_1000", ".json");
        copy.toFile().deleteOnExit();
        try (java.io.InputStream in = EvaluationsTest.class
                .getResourceAsStream("/io/mlsm/core/tokenizer/austen_unigram_1000.json")) {
            if (in == null) {
                throw new IllegalStateException("the mlsm-core test jar (Austen tokenizer) is not on the class path");
            }
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return UnigramTokenizer.load(copy);
    }

    @Test
    void blimpGoesFromFilesToThePhenomenonTable(@TempDir Path tmp) throws IOException {
        Path data = smallDataDir(tmp);
        Tokenizer tok = austenTokenizer();
        BlimpResult r = Evaluations.blimp(tinyModel(1L), tok, data, EvalLimit.firstN(3));
        assertEquals(9, r.scores().size(), "3 pairs of each of 2 paradigms + 1 supplement task");
        for (PairScore s : r.scores()) {
            assertTrue(s.goodPll() < 0 && s.badPll() < 0 && Double.isFinite(s.goodPll() + s.badPll()), s.toString());
        }
        ResultTable t = Evaluations.blimpTable(r, "tiny");
        assertEquals(List.of("anaphor agreement", "island effects", "qa congruence easy", "Average", "BLiMP",
                "BLiMP supplement"), t.rows());
        Map<String, Accuracy> byRow = r.byPhenomenon();
        double mean = 0;
        for (String row : List.of("anaphor agreement", "island effects", "qa congruence easy")) {
            assertEquals(byRow.get(row).value(), t.get(row, "tiny").orElseThrow(), 0.0);
            assertEquals(3, byRow.get(row).total());
            mean += byRow.get(row).value() / 3;
        }
        assertEquals(mean, t.get("Average", "tiny").orElseThrow(), 1e-12);
        assertEquals(byRow.get("qa congruence easy").value(), t.get("BLiMP supplement", "tiny").orElseThrow(), 0.0);
    }

    @Test
    void zeroShotSweepOverCheckpointDirectoriesWritesReports(@TempDir Path tmp) throws IOException {
        Path data = smallDataDir(tmp);
        Tokenizer tok = austenTokenizer();
        Path run = Files.createDirectories(tmp.resolve("run"));
        DebertaModel m10 = tinyModel(10L);
        DebertaModel m20 = tinyModel(20L);
        HfDebertaDirectory.export(TrainingCheckpoint.directoryFor(run, 10), m10, Provenance.builder("test").build());
        HfDebertaDirectory.export(TrainingCheckpoint.directoryFor(run, 20), m20, Provenance.builder("test").build());
        Evaluations.Settings settings = Evaluations.Settings.defaults().withEwokZip(ZeroShotSuite.EWOK_FAST_ZIP);
        EvalLimit limit = EvalLimit.firstN(1);
        Path out = tmp.resolve("reports");
        SweepResult r = Evaluations.zeroShotSweep(Map.of("MLM", List.of(TrainingCheckpoint.directoryFor(run, 20),
                TrainingCheckpoint.directoryFor(run, 10))), tok, data, limit, settings, out, "zero-shot");

        for (String f : List.of("zero-shot.md", "zero-shot.csv", "zero-shot.png", "zero-shot.provenance.json")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        ResultTable csv = CsvTable.read(out.resolve("zero-shot.csv"));
        assertEquals(List.of("MLM@20", "MLM@10"), csv.columns());
        assertEquals(r.table().rows(), csv.rows());
        assertTrue(csv.rows().containsAll(List.of("Average", "BLiMP", "BLiMP supplement", "EWoK")));
        assertEquals(List.of(20L, 10L), r.columns().stream().map(SweepResult.Column::step).toList());

        // each column is the model of its directory: equal to an in-memory evaluation of that model
        BlimpResult b10 = Evaluations.blimp(m10, tok, data, limit, settings);
        assertEquals(b10.phenomenonAverage(), csv.get("Average", "MLM@10").orElseThrow(), 0.0);
        double ewok20 = Evaluations.ewok(m20, tok, data, limit, settings).domainAverage();
        assertEquals(ewok20, csv.get("EWoK", "MLM@20").orElseThrow(), 0.0);
        String prov = Files.readString(out.resolve("zero-shot.provenance.json"));
        assertTrue(prov.contains("checkpoint-000000010") && prov.contains("scoringHead"), prov);
    }

    @Test
    void checkpointDirectoriesAreFoundAndNamedBySteps(@TempDir Path tmp) throws IOException {
        for (long step : new long[] {200, 30, 4000}) {
            Path d = Files.createDirectories(TrainingCheckpoint.directoryFor(tmp, step));
            if (step != 4000) {
                Files.writeString(d.resolve(TrainingCheckpoint.MANIFEST_FILE), "{}");   // 4000 is incomplete
            }
        }
        Files.createDirectories(tmp.resolve("logs"));
        assertEquals(List.of(TrainingCheckpoint.directoryFor(tmp, 30), TrainingCheckpoint.directoryFor(tmp, 200)),
                Evaluations.checkpointDirectories(tmp));
        assertEquals(4000L, Evaluations.stepOf(TrainingCheckpoint.directoryFor(tmp, 4000)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evaluations.stepOf(tmp.resolve("logs")))
                .getMessage().contains("logs"));
        Map<String, List<Path>> bad = new LinkedHashMap<>();
        bad.put("MLM", List.of(tmp.resolve("logs")));
        assertThrows(IllegalArgumentException.class, () -> Evaluations.zeroShotSweep(bad, new FakeWordTokenizer(500),
                tmp, EvalLimit.firstN(1), Evaluations.Settings.defaults(), tmp, "x"));
    }

    @Test
    void glueFineTunesAFreshCopyOfAModelDirectoryPerSeed(@TempDir Path tmp) throws IOException {
        Path data = sharedData();
        Assumptions.assumeTrue(GlueReader.hasSplit(data, GlueTask.RTE, GlueSplit.TRAIN), "no RTE data");
        Path modelDir = tmp.resolve("model");
        DebertaModel pretrained = tinyModel(3L);
        HfDebertaDirectory.export(modelDir, pretrained, Provenance.builder("test").build());
        FineTuneConfig cfg = new FineTuneConfig(1e-3, 1, 8, 0.0, 1, 0, 0.0, List.of(12L, 13L), 32, 16);
        FineTuneResult r = Evaluations.glue(GlueTask.RTE, modelDir, austenTokenizer(), data, EvalLimit.firstN(8), cfg);
        assertEquals(List.of(12L, 13L), r.runs().stream().map(SeedRun::seed).toList());
        for (SeedRun run : r.runs()) {
            assertEquals(1, run.steps(), "8 examples, batch 8, one epoch");
            assertTrue(run.score() >= 0 && run.score() <= 1);
        }
        // BoolQ has no training file in the shared data
        Assumptions.assumeFalse(GlueReader.hasSplit(data, GlueTask.BOOLQ, GlueSplit.TRAIN));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evaluations.glue(GlueTask.BOOLQ, modelDir,
                austenTokenizer(), data, EvalLimit.firstN(8), cfg)).getMessage().contains("BoolQ"));
    }

    @Test
    void aTokenizerLargerThanTheModelVocabularyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluations.scorer(tinyModel(1L), new FakeWordTokenizer(1001), ScoringHead.AUTO));
        assertTrue(e.getMessage().contains("1001") && e.getMessage().contains("1000"), e.getMessage());
    }
}
