package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.examples.ReproductionExample.Arm;
import io.mlsm.examples.ReproductionExample.Comparison;
import io.mlsm.examples.ReproductionExample.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reproduction driver at toy scale: every arm × seed × checkpoint × normaliser is scored once and stored, a second
 * run reads the stored scores instead of scoring again, and the report's statistics follow planted scores.
 */
class ReproductionExampleTest {

    @Test
    void scoresEveryCheckpointOnceAndReusesStoredScores(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        ReproductionExample.Options o = ReproductionExample.Options.builder(dir.resolve("repro")).corpusDir(corpus)
                .vocabSize(300).teacherSteps(6).steps(4).checkpoints(2).seeds(List.of(1L, 2L)).batchSize(8)
                .maxLength(32).atoms(16).sampleTokens(1500).blimpPairs(1).finalPairs(2)
                .progress(new TrainingListener() { }).build();
        ReproductionExample.Result r = ReproductionExample.run(o);

        assertEquals(2 * 2 * 2 * 2 + 2 * 2 * 2, r.scores().size(),
                "arms x seeds x checkpoints x normalisers, and the last checkpoint on the final pair set");
        double teacher = r.teacher().get(Normaliser.ALL_OUTPUTS);
        assertTrue(teacher >= 0 && teacher <= 1, "teacher " + teacher);
        assertEquals(teacher, r.teacher().get(Normaliser.VOCABULARY), "the teacher has V output rows");
        assertTrue(Files.isRegularFile(dir.resolve("repro/teacher-" + ReproductionExample.scoresFile(67))));
        assertTrue(Files.isRegularFile(dir.resolve("repro/teacher-" + ReproductionExample.scoresFile(134))));
        assertEquals(r.teacherFinal().get(Normaliser.ALL_OUTPUTS), r.teacherFinal().get(Normaliser.VOCABULARY));
        for (Score s : r.scores()) {
            assertTrue(s.step() == 2 || s.step() == 4, "checkpoints at steps 2 and 4: " + s);
            assertTrue(s.blimp() >= 0 && s.blimp() <= 1 && s.average() >= 0 && s.average() <= 1, s.toString());
            assertTrue(s.pairs() == 67 || s.step() == 4 && s.pairs() == 134,
                    "one pair of each bundled paradigm, two at the last checkpoint: " + s);
            if (s.arm() == Arm.MLM) {   // V output rows: the normalisers coincide
                assertEquals(s.blimp(), score(r.scores(), Arm.MLM, s.seed(), s.step(), other(s.normaliser()),
                        (int) s.pairs()).blimp());
            }
        }
        ResultTable csv = CsvTable.read(dir.resolve("repro/reproduction.csv"));
        for (Score s : r.scores()) {
            String column = s.normaliser().name() + " step " + s.step() + (s.pairs() == 134 ? ", 134 pairs" : "");
            assertEquals(s.blimp(), csv.get(s.arm().label() + " seed " + s.seed(), column).orElseThrow(), 1e-6);
        }
        assertEquals(2, r.comparisons().size(), "MLSM+MLM against MLM, per normaliser");
        for (Comparison c : r.comparisons()) {   // on the final pair set
            double mean = (score(r.scores(), Arm.MLSM_PLUS_MLM, 1, 4, c.normaliser(), 134).blimp()
                    + score(r.scores(), Arm.MLSM_PLUS_MLM, 2, 4, c.normaliser(), 134).blimp()) / 2
                    - (score(r.scores(), Arm.MLM, 1, 4, c.normaliser(), 134).blimp()
                    + score(r.scores(), Arm.MLM, 2, 4, c.normaliser(), 134).blimp()) / 2;
            assertEquals(mean, c.difference(), 1e-12);
        }
        assertTrue(r.markdown().contains("### Last checkpoint on 134 pairs"), r.markdown());
        for (Path png : r.plots()) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is a PNG");
            assertEquals(900, img.getWidth());
        }
        assertEquals(2, r.plots().size());

        // a stored score is read back, not recomputed: plant one and run again
        Path file = dir.resolve("repro/mlsm-mlm-seed2").resolve(ReproductionExample.scoresFile(67));
        ResultTable stored = CsvTable.read(file);
        stored.put("4 ALL_OUTPUTS", "BLiMP", 0.123);
        CsvTable.write(stored, file);
        Path finalFile = dir.resolve("repro/mlm-seed1").resolve(ReproductionExample.scoresFile(134));
        ResultTable storedFinal = CsvTable.read(finalFile);
        storedFinal.put("4 VOCABULARY", "BLiMP", 0.456);
        CsvTable.write(storedFinal, finalFile);
        ReproductionExample.Result again = ReproductionExample.run(o);
        assertEquals(0.123, score(again.scores(), Arm.MLSM_PLUS_MLM, 2, 4, Normaliser.ALL_OUTPUTS, 67).blimp(), 1e-9);
        assertEquals(0.456, score(again.scores(), Arm.MLM, 1, 4, Normaliser.VOCABULARY, 134).blimp(), 1e-9);
        assertEquals(score(r.scores(), Arm.MLM, 1, 2, Normaliser.VOCABULARY, 67),
                score(again.scores(), Arm.MLM, 1, 2, Normaliser.VOCABULARY, 67));
    }

    @Test
    void explicitCheckpointStepsRetrainTheSameTrajectoryAndReuseStoredScores(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        ReproductionExample.Builder b = ReproductionExample.Options.builder(dir.resolve("repro")).corpusDir(corpus)
                .vocabSize(300).teacherSteps(6).steps(4).checkpoints(2).arms(List.of(Arm.MLM)).seeds(List.of(1L))
                .batchSize(8).maxLength(32).blimpPairs(1).progress(new TrainingListener() { });
        ReproductionExample.Result first = ReproductionExample.run(b.build());
        Path run = dir.resolve("repro/mlm-seed1");
        Path file = run.resolve(ReproductionExample.scoresFile(67));
        ResultTable stored = CsvTable.read(file);
        stored.put("2 ALL_OUTPUTS", "BLiMP", 0.321);   // planted: a stored step is read back, not scored again
        CsvTable.write(stored, file);

        ReproductionExample.Options explicit = b.checkpointAt(List.of(1L, 2L, 4L)).build();
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ReproductionExample.run(explicit));
        assertTrue(missing.getMessage().startsWith("MLM seed 1 has no checkpoint at step 1 in "), missing.getMessage());
        assertTrue(missing.getMessage().contains("(found steps [2, 4]); to score other steps, move "),
                missing.getMessage());

        Files.move(run.resolve("student"), run.resolve("student-before"));
        Files.move(run.resolve("student-run"), run.resolve("student-run-before"));
        ReproductionExample.Result again = ReproductionExample.run(explicit);
        assertEquals(List.of(1L, 2L, 4L), again.scores().stream().map(Score::step).distinct().toList());
        assertEquals(0.321, score(again.scores(), Arm.MLM, 1, 2, Normaliser.ALL_OUTPUTS, 67).blimp(), 1e-12);
        assertEquals(score(first.scores(), Arm.MLM, 1, 4, Normaliser.ALL_OUTPUTS, 67),
                score(again.scores(), Arm.MLM, 1, 4, Normaliser.ALL_OUTPUTS, 67));
        // saving every step instead of every second one leaves the trajectory alone: the same weights, bit for bit
        assertArrayEquals(Files.readAllBytes(run.resolve("student-before/model.safetensors")),
                Files.readAllBytes(run.resolve("student/model.safetensors")));
        for (String cp : List.of("checkpoint-000000002", "checkpoint-000000004")) {
            assertArrayEquals(Files.readAllBytes(run.resolve("student-run-before").resolve(cp)
                            .resolve("model.safetensors")),
                    Files.readAllBytes(run.resolve("student-run").resolve(cp).resolve("model.safetensors")), cp);
        }
        assertTrue(Files.isDirectory(run.resolve("student-run/checkpoint-000000001")));
        assertTrue(Files.isDirectory(run.resolve("student-run/checkpoint-000000003")), "every gcd step is kept");
    }

    @Test
    void theReportFollowsPlantedScores(@TempDir Path dir) throws Exception {
        ReproductionExample.Options o = ReproductionExample.Options.builder(dir).steps(300).checkpoints(3).build();
        List<Score> planted = new ArrayList<>();
        double[] mlm = {0.50, 0.51, 0.52};
        double[] mlsm = {0.60, 0.61, 0.62};
        for (int i = 0; i < 3; i++) {
            for (long step : o.checkpointSteps()) {
                for (Normaliser n : Normaliser.values()) {
                    double shift = n == Normaliser.VOCABULARY ? -0.095 : 0;   // under VOCABULARY the arms overlap
                    planted.add(new Score(Arm.MLM, i + 1, step, n, mlm[i], mlm[i], 67));
                    planted.add(new Score(Arm.MLSM_PLUS_MLM, i + 1, step, n, mlsm[i] + shift, mlsm[i], 67));
                }
            }
        }
        var teacher = java.util.Map.of(Normaliser.ALL_OUTPUTS, 0.55, Normaliser.VOCABULARY, 0.55);
        ReproductionExample.Result r = ReproductionExample.report(o, planted, teacher, teacher, 67, 67);
        assertEquals(0.55, CsvTable.read(dir.resolve("reproduction.csv")).get("teacher", "ALL_OUTPUTS step 0")
                .orElseThrow(), 1e-12);
        assertTrue(r.markdown().contains("| teacher "), r.markdown());
        Comparison all = r.comparisons().get(0);
        assertEquals(Normaliser.ALL_OUTPUTS, all.normaliser());
        assertEquals(0.10, all.difference(), 1e-12);
        // Welch: t = 0.1 / sqrt(2 * 1e-4 / 3) = 12.25 with 4 degrees of freedom, two-sided p = 2.5e-4
        assertTrue(all.welchP() > 1e-4 && all.welchP() < 5e-4, "p = " + all.welchP());
        assertFalse(all.overlap());
        assertTrue(all.conclusive(3));
        Comparison voc = r.comparisons().get(1);
        assertEquals(0.005, voc.difference(), 1e-12);
        assertTrue(voc.overlap());
        assertFalse(voc.conclusive(3));
        assertTrue(r.markdown().contains("The spread allows a conclusion at this scale."), r.markdown());
        assertTrue(r.markdown().contains("The spread does not allow a conclusion at this scale."), r.markdown());
        assertTrue(r.markdown().contains("| MLSM+MLM mean"), r.markdown());
        assertTrue(Files.isRegularFile(dir.resolve("blimp-all_outputs.png")));
    }

    @Test
    void theComparisonIsMadeOnTheFinalPairSet(@TempDir Path dir) throws Exception {
        ReproductionExample.Options o = ReproductionExample.Options.builder(dir).steps(200).checkpoints(2)
                .finalPairs(0).build();
        List<Score> planted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (Normaliser n : Normaliser.values()) {
                for (long step : o.checkpointSteps()) {   // on the subset the arms are 0.1 apart ...
                    planted.add(new Score(Arm.MLM, i + 1, step, n, 0.50 + 0.01 * i, 0.5, 67));
                    planted.add(new Score(Arm.MLSM_PLUS_MLM, i + 1, step, n, 0.60 + 0.01 * i, 0.6, 67));
                }
                // ... on the full set they coincide
                planted.add(new Score(Arm.MLM, i + 1, 200, n, 0.55 + 0.01 * i, 0.5, 1000));
                planted.add(new Score(Arm.MLSM_PLUS_MLM, i + 1, 200, n, 0.55 + 0.01 * i, 0.6, 1000));
            }
        }
        ReproductionExample.Result r = ReproductionExample.report(o, planted,
                java.util.Map.of(Normaliser.ALL_OUTPUTS, 0.52, Normaliser.VOCABULARY, 0.52),
                java.util.Map.of(Normaliser.ALL_OUTPUTS, 0.53, Normaliser.VOCABULARY, 0.53), 67, 1000);
        for (Comparison c : r.comparisons()) {
            assertEquals(0.0, c.difference(), 1e-12, c.toString());
            assertTrue(c.overlap());
            assertFalse(c.conclusive(3));
        }
        assertTrue(r.markdown().contains("### Last checkpoint on 1000 pairs"), r.markdown());
        assertTrue(r.markdown().contains("At step 200 (1000 pairs), MLSM+MLM − MLM = +0.0000"), r.markdown());
        ResultTable csv = CsvTable.read(dir.resolve("reproduction.csv"));
        assertEquals(0.53, csv.get("teacher", "VOCABULARY step 0, 1000 pairs").orElseThrow(), 1e-12);
        assertEquals(0.57, csv.get("MLM seed 3", "ALL_OUTPUTS step 200, 1000 pairs").orElseThrow(), 1e-12);
        assertEquals(0.62, csv.get("MLSM+MLM seed 3", "ALL_OUTPUTS step 200").orElseThrow(), 1e-12);
    }

    @Test
    void badReproductionsAreRejectedBeforeAnyWork(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).steps(1000).checkpoints(3).build());
        assertEquals("steps (1000) must be a multiple of checkpoints (3) so that the checkpoints are evenly spaced",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).steps(1200).checkpointAt(List.of(300L, 150L, 1200L))
                        .build());
        assertEquals("checkpoint steps must be >= 1 and strictly ascending, got [300, 150, 1200]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).steps(1200).checkpointAt(List.of(150L, 900L)).build());
        assertEquals("the last checkpoint step must equal steps (1200), got [150, 900]", e.getMessage());
        ReproductionExample.Options uneven = ReproductionExample.Options.builder(dir).steps(1200).checkpoints(7)
                .checkpointAt(List.of(150L, 300L, 600L, 900L, 1200L)).build();   // --checkpoints is then ignored
        assertEquals(List.of(150L, 300L, 600L, 900L, 1200L), uneven.checkpointSteps());
        assertEquals(new io.mlsm.core.pretrain.Checkpointing(150, 0, 8, false), uneven.studentCheckpointing());
        assertEquals(new io.mlsm.core.pretrain.Checkpointing(300, 0, 4, false),
                ReproductionExample.Options.builder(dir).steps(1200).build().studentCheckpointing());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).seeds(List.of(1L, 1L)).build());
        assertEquals("seeds must be distinct, got [1, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).arms(List.of(Arm.MLM, Arm.MLM)).build());
        assertEquals("arms must be distinct, got [MLM, MLM]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).teacher(dir, null).build());
        assertTrue(e.getMessage().contains("needs its tokenizer"), e.getMessage());
    }

    private static Normaliser other(Normaliser n) {
        return n == Normaliser.ALL_OUTPUTS ? Normaliser.VOCABULARY : Normaliser.ALL_OUTPUTS;
    }

    private static Score score(List<Score> scores, Arm arm, long seed, long step, Normaliser n, int pairs) {
        return scores.stream().filter(s -> s.arm() == arm && s.seed() == seed && s.step() == step
                && s.normaliser() == n && s.pairs() == pairs).findFirst().orElseThrow(() -> new AssertionError(
                "no score " + arm + " " + seed + " " + step + " " + n + " " + pairs));
    }
}
