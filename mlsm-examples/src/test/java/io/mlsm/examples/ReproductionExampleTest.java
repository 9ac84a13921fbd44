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
                .maxLength(32).atoms(16).sampleTokens(1500).blimpPairs(1).progress(new TrainingListener() { })
                .build();
        ReproductionExample.Result r = ReproductionExample.run(o);

        assertEquals(2 * 2 * 2 * 2, r.scores().size(), "arms x seeds x checkpoints x normalisers");
        double teacher = r.teacher().get(Normaliser.ALL_OUTPUTS);
        assertTrue(teacher >= 0 && teacher <= 1, "teacher " + teacher);
        assertEquals(teacher, r.teacher().get(Normaliser.VOCABULARY), "the teacher has V output rows");
        assertTrue(Files.isRegularFile(dir.resolve("repro/teacher-" + ReproductionExample.SCORES_FILE)));
        for (Score s : r.scores()) {
            assertTrue(s.step() == 2 || s.step() == 4, "checkpoints at steps 2 and 4: " + s);
            assertTrue(s.blimp() >= 0 && s.blimp() <= 1 && s.average() >= 0 && s.average() <= 1, s.toString());
            assertEquals(67, s.pairs(), "one pair of each bundled paradigm");
            if (s.arm() == Arm.MLM) {   // V output rows: the normalisers coincide
                assertEquals(s.blimp(), score(r.scores(), Arm.MLM, s.seed(), s.step(), other(s.normaliser())).blimp());
            }
        }
        ResultTable csv = CsvTable.read(dir.resolve("repro/reproduction.csv"));
        for (Score s : r.scores()) {
            assertEquals(s.blimp(), csv.get(s.arm().label() + " seed " + s.seed(), s.normaliser().name() + " step "
                    + s.step()).orElseThrow(), 1e-6);
        }
        assertEquals(2, r.comparisons().size(), "MLSM+MLM against MLM, per normaliser");
        for (Comparison c : r.comparisons()) {
            double mean = (score(r.scores(), Arm.MLSM_PLUS_MLM, 1, 4, c.normaliser()).blimp()
                    + score(r.scores(), Arm.MLSM_PLUS_MLM, 2, 4, c.normaliser()).blimp()) / 2
                    - (score(r.scores(), Arm.MLM, 1, 4, c.normaliser()).blimp()
                    + score(r.scores(), Arm.MLM, 2, 4, c.normaliser()).blimp()) / 2;
            assertEquals(mean, c.difference(), 1e-12);
        }
        for (Path png : r.plots()) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is a PNG");
            assertEquals(900, img.getWidth());
        }
        assertEquals(2, r.plots().size());

        // a stored score is read back, not recomputed: plant one and run again
        Path file = dir.resolve("repro/mlsm-mlm-seed2").resolve(ReproductionExample.SCORES_FILE);
        ResultTable stored = CsvTable.read(file);
        stored.put("4 ALL_OUTPUTS", "BLiMP", 0.123);
        CsvTable.write(stored, file);
        ReproductionExample.Result again = ReproductionExample.run(o);
        assertEquals(0.123, score(again.scores(), Arm.MLSM_PLUS_MLM, 2, 4, Normaliser.ALL_OUTPUTS).blimp(), 1e-9);
        assertEquals(score(r.scores(), Arm.MLM, 1, 2, Normaliser.VOCABULARY),
                score(again.scores(), Arm.MLM, 1, 2, Normaliser.VOCABULARY));
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
        ReproductionExample.Result r = ReproductionExample.report(o, planted,
                java.util.Map.of(Normaliser.ALL_OUTPUTS, 0.55, Normaliser.VOCABULARY, 0.55), 67);
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
    void badReproductionsAreRejectedBeforeAnyWork(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReproductionExample.Options.builder(dir).steps(1000).checkpoints(3).build());
        assertEquals("steps (1000) must be a multiple of checkpoints (3) so that the checkpoints are evenly spaced",
                e.getMessage());
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

    private static Score score(List<Score> scores, Arm arm, long seed, long step, Normaliser n) {
        return scores.stream().filter(s -> s.arm() == arm && s.seed() == seed && s.step() == step
                && s.normaliser() == n).findFirst().orElseThrow(() -> new AssertionError("no score " + arm + " "
                + seed + " " + step + " " + n));
    }
}
