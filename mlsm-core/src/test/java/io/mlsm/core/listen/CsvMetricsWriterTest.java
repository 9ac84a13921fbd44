package io.mlsm.core.listen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvMetricsWriterTest {

    @TempDir
    Path dir;

    private static StepMetrics random(long step, SplittableRandom rng, boolean withKd) {
        Map<String, Double> terms = new LinkedHashMap<>();
        terms.put("mlsm", rng.nextDouble() * 10);
        if (withKd) {
            terms.put("kd, weighted", rng.nextDouble());
        }
        terms.put("mlm", rng.nextDouble() * 10);
        return new StepMetrics(step, terms, rng.nextDouble() * 20, rng.nextDouble() * 1e-3,
                step % 3 == 0 ? Double.NaN : rng.nextDouble(), rng.nextInt(100_000), rng.nextInt(10_000),
                step * 123_456_789L);
    }

    @Test
    void rowsReadBackExactly() throws IOException {
        Path csv = dir.resolve("sub/metrics.csv");
        SplittableRandom rng = new SplittableRandom(1);
        List<StepMetrics> written = new java.util.ArrayList<>();
        try (CsvMetricsWriter w = new CsvMetricsWriter(csv)) {
            w.onStart(new TrainingPlan("student", 50, 0, 8, 64));
            for (int s = 1; s <= 50; s++) {
                StepMetrics m = random(s, rng, s != 7); // step 7 lacks the KD term
                written.add(m);
                w.onStep(m);
                if (s == 10) {
                    assertEquals(11, Files.readAllLines(csv).size(), "rows are flushed as written");
                }
            }
        }
        assertEquals(List.of("step", "elapsed_s", "loss", "loss_mlsm", "loss_kd, weighted", "loss_mlm", "lr",
                "grad_norm", "tokens", "targets", "tokens_per_s"),
                CsvMetricsWriter.parseLine(Files.readAllLines(csv).get(0)));
        List<Map<String, String>> rows = CsvMetricsWriter.read(csv);
        assertEquals(50, rows.size());
        for (int i = 0; i < 50; i++) {
            StepMetrics m = written.get(i);
            Map<String, String> r = rows.get(i);
            assertEquals(m.step(), Long.parseLong(r.get("step")));
            assertEquals(m.elapsedNanos() / 1e9, Double.parseDouble(r.get("elapsed_s")));
            assertEquals(m.loss(), Double.parseDouble(r.get("loss")));
            assertEquals(m.losses().get("mlsm"), Double.parseDouble(r.get("loss_mlsm")));
            assertEquals(m.losses().get("mlm"), Double.parseDouble(r.get("loss_mlm")));
            if (i == 6) {
                assertEquals("", r.get("loss_kd, weighted"));
            } else {
                assertEquals(m.losses().get("kd, weighted"), Double.parseDouble(r.get("loss_kd, weighted")));
            }
            assertEquals(m.learningRate(), Double.parseDouble(r.get("lr")));
            if (Double.isNaN(m.gradNorm())) {
                assertEquals("", r.get("grad_norm"));
            } else {
                assertEquals(m.gradNorm(), Double.parseDouble(r.get("grad_norm")));
            }
            assertEquals(m.tokens(), Long.parseLong(r.get("tokens")));
            assertEquals(m.targets(), Long.parseLong(r.get("targets")));
            // elapsed grows by 123456789 ns a step (the first row: since the start)
            assertEquals(m.tokens() / (i == 0 ? m.elapsedNanos() / 1e9 : 0.123456789),
                    Double.parseDouble(r.get("tokens_per_s")), 1e-9 * m.tokens());
        }
    }

    @Test
    void aFileWithoutTheThroughputColumnIsContinued() throws IOException {
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, "step,elapsed_s,loss,loss_mlm,lr,grad_norm,tokens,targets\n"
                + "1,0.5,3.0,3.0,1.0E-4,0.9,4096,600\n2,1.0,2.9,2.9,1.0E-4,0.8,4096,610\n");
        try (CsvMetricsWriter w = CsvMetricsWriter.appending(csv)) {
            w.onStep(new StepMetrics(3, Map.of("mlm", 2.8), 2.8, 1e-4, 0.7, 4096, 620, 500_000_000L));
        }
        List<Map<String, String>> rows = CsvMetricsWriter.read(csv);
        assertEquals(3, rows.size());
        assertEquals("", rows.get(0).get("tokens_per_s"));
        assertEquals("2.9", rows.get(1).get("loss"));
        assertEquals(8192.0, Double.parseDouble(rows.get(2).get("tokens_per_s")), 1e-9);
    }

    @Test
    void anUnknownLossTermIsAnError() {
        Path csv = dir.resolve("m.csv");
        CsvMetricsWriter w = new CsvMetricsWriter(csv);
        w.onStep(new StepMetrics(1, Map.of("mlm", 1.0), 1, 1e-4, 1, 10, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.onStep(new StepMetrics(2, Map.of("mlsm", 1.0), 1, 1e-4, 1, 10, 1, 2)));
        assertTrue(e.getMessage().contains("mlsm") && e.getMessage().contains("m.csv"), e.getMessage());
        w.close();
    }

    @Test
    void appendingAfterAResumeKeepsEarlierRowsAndDropsLaterOnes() throws IOException {
        Path csv = dir.resolve("m.csv");
        SplittableRandom rng = new SplittableRandom(2);
        try (CsvMetricsWriter w = new CsvMetricsWriter(csv)) {
            for (int s = 1; s <= 10; s++) {
                w.onStep(random(s, rng, true));
            }
        }
        // the run crashed after step 10; the last checkpoint was at step 6: the resumed run starts at step 7
        try (CsvMetricsWriter w = CsvMetricsWriter.appending(csv)) {
            for (int s = 7; s <= 12; s++) {
                w.onStep(random(s, rng, true));
            }
        }
        List<Long> steps = CsvMetricsWriter.read(csv).stream().map(r -> Long.parseLong(r.get("step"))).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), steps);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
        // a fresh writer replaces the file
        try (CsvMetricsWriter w = new CsvMetricsWriter(csv)) {
            w.onStep(random(1, rng, true));
        }
        assertEquals(1, CsvMetricsWriter.read(csv).size());
    }

    @Test
    void appendingWithTheSameLossTermsInAnotherOrderMatchesColumnsByName() throws IOException {
        Path csv = dir.resolve("m.csv");
        Map<String, Double> first = new LinkedHashMap<>();
        first.put("mlm", 1.0);
        first.put("mlsm", 2.0);
        try (CsvMetricsWriter w = new CsvMetricsWriter(csv)) {
            w.onStep(new StepMetrics(1, first, 3, 1e-4, 1, 10, 1, 1_000_000));
        }
        Map<String, Double> swapped = new LinkedHashMap<>();
        swapped.put("mlsm", 20.0);
        swapped.put("mlm", 10.0);
        try (CsvMetricsWriter w = CsvMetricsWriter.appending(csv)) {
            w.onStep(new StepMetrics(2, swapped, 30, 1e-4, 1, 10, 1, 2_000_000));
        }
        List<Map<String, String>> rows = CsvMetricsWriter.read(csv);
        assertEquals(2, rows.size());
        assertEquals("1.0", rows.get(0).get("loss_mlm"));
        assertEquals("2.0", rows.get(0).get("loss_mlsm"));
        assertEquals("10.0", rows.get(1).get("loss_mlm"), "the resumed run's mlm loss lands in the mlm column");
        assertEquals("20.0", rows.get(1).get("loss_mlsm"));
        assertTrue(Files.readString(csv).startsWith("step,elapsed_s,loss,loss_mlm,loss_mlsm,"),
                "the file keeps its column order");
    }

    @Test
    void appendingToAFileWithOtherColumnsIsAnError() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), "step,loss\n1,2.0\n", StandardCharsets.UTF_8);
        CsvMetricsWriter w = CsvMetricsWriter.appending(csv);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.onStep(new StepMetrics(2, Map.of("mlm", 1.0), 1, 1e-4, 1, 10, 1, 2)));
        assertTrue(e.getMessage().contains("columns"), e.getMessage());
        assertEquals("step,loss\n1,2.0\n", Files.readString(csv), "file untouched");
    }

    @Test
    void quotingRoundTrips() {
        List<String> fields = List.of("a", "b,c", "say \"hi\"", "");
        String line = CsvMetricsWriter.line(fields);
        assertEquals("a,\"b,c\",\"say \"\"hi\"\"\",\n", line);
        assertEquals(fields, CsvMetricsWriter.parseLine(line.strip()));
    }
}
