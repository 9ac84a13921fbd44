package io.mlsm.eval.sweep;

import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.ResultTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointSweepTest {

    /** The "model" is a number; rows: a = m, b = m / 2 (b only for m > 0.5). */
    static final Evaluation<Double> HALVES = (m, l) -> {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        out.put("a", m);
        if (m > 0.5) {
            out.put("b", m / 2);
        }
        return out;
    };

    @Test
    void collectsOneColumnPerCheckpointOpenedInOrderAndWritesReports(@TempDir Path dir) throws IOException {
        List<Long> opened = new ArrayList<>();
        List<Checkpoint<Double>> cps = List.of(
                new Checkpoint<>("MLM", 16_000, () -> { opened.add(16_000L); return 0.6; }),
                new Checkpoint<>("MLM", 48_000, () -> { opened.add(48_000L); return 0.7; }),
                new Checkpoint<>("MLSM", 16_000, () -> { opened.add(-16_000L); return 0.4; }));
        SweepResult r = new CheckpointSweep<>(HALVES, null).run(cps);
        assertEquals(List.of(16_000L, 48_000L, -16_000L), opened);
        ResultTable t = r.table();
        assertEquals(List.of("MLM@16000", "MLM@48000", "MLSM"), t.columns());
        assertEquals(List.of("a", "b"), t.rows());
        assertEquals(0.35, t.get("b", "MLM@48000").getAsDouble(), 1e-15);
        assertTrue(t.get("b", "MLSM").isEmpty());
        assertEquals(0.4, t.get("a", "MLSM").getAsDouble());

        r.write(dir, "zero-shot", 3, "a", java.util.Map.of("limit", "first 2"));
        com.fasterxml.jackson.databind.JsonNode prov = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("zero-shot.provenance.json").toFile());
        assertEquals("first 2", prov.get("settings").get("limit").asText());
        assertEquals("MLM@48000", prov.get("columns").get(1).get("label").asText());
        assertEquals(48000, prov.get("columns").get(1).get("step").asLong());
        assertTrue(prov.get("written").asText().endsWith("Z"));
        assertEquals(t, CsvTable.read(dir.resolve("zero-shot.csv")));
        String md = Files.readString(dir.resolve("zero-shot.md"));
        assertTrue(md.contains("| b    |     0.300 |     0.350 |     - |"), md);
        BufferedImage img = ImageIO.read(dir.resolve("zero-shot.png").toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.curve("zzz", "t"));
        assertTrue(e.getMessage().contains("zzz"), e.getMessage());
    }

    @Test
    void rejectsDuplicateOrMissingCheckpoints() {
        CheckpointSweep<Double> s = new CheckpointSweep<>(HALVES, null);
        assertThrows(IllegalArgumentException.class, () -> s.run(List.of()));
        assertThrows(IllegalArgumentException.class, () -> s.run(List.of(new Checkpoint<>("A", 1, () -> 0.1),
                new Checkpoint<>("A", 1, () -> 0.2))));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint<>("A", -1, () -> 0.1));
        IOException failing = assertThrows(IOException.class, () -> s.run(List.of(new Checkpoint<>("A", 1, () -> {
            throw new IOException("corrupt checkpoint");
        }))));
        assertEquals("corrupt checkpoint", failing.getMessage());
    }
}
