package io.mlsm.eval.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultTableWritersTest {

    static ResultTable sample() {
        return new ResultTable("task")
                .put("anaphor agreement", "MLM", 0.801).put("anaphor agreement", "MLSM", 0.476)
                .put("binding", "MLM", 0.66).put("binding", "MLSM", 0.68)
                .put("ellipsis", "MLM", 0.924);
    }

    @Test
    void averageRowOnlyForCompleteColumns() {
        ResultTable t = sample().addAverageRow("Average");
        assertEquals(List.of("anaphor agreement", "binding", "ellipsis", "Average"), t.rows());
        assertEquals((0.801 + 0.66 + 0.924) / 3, t.get("Average", "MLM").getAsDouble(), 1e-15);
        assertEquals(OptionalDouble.empty(), t.get("Average", "MLSM"));
        assertThrows(IllegalArgumentException.class, () -> t.addAverageRow("Average"));
        assertThrows(IllegalArgumentException.class, () -> t.put("x", "MLM", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> t.put("", "MLM", 1));
    }

    @Test
    void markdownIsAlignedWithFixedDecimalsAndDashesForMissingCells() {
        String md = MarkdownTable.render(sample().addAverageRow("Average"), 3);
        String expected = ""
                + "| task              |   MLM |  MLSM |\n"
                + "|:----------------- | -----:| -----:|\n"
                + "| anaphor agreement | 0.801 | 0.476 |\n"
                + "| binding           | 0.660 | 0.680 |\n"
                + "| ellipsis          | 0.924 |     - |\n"
                + "| Average           | 0.795 |     - |\n";
        assertEquals(expected, md);
        String escaped = MarkdownTable.render(new ResultTable("a|b").put("r", "c", 1), 1);
        assertTrue(escaped.startsWith("| a\\|b |"), escaped);
    }

    @Test
    void csvQuotesPerRfc4180AndRoundTripsExactly(@TempDir Path dir) throws IOException {
        ResultTable t = new ResultTable("task, \"kind\"")
                .put("plain", "MLSM+MLM", 0.1 + 0.2)
                .put("has,comma", "MLSM+MLM", 1e-17)
                .put("has \"quotes\"", "col\nwith newline", -3.25)
                .put("multi\r\nline", "MLM", 0.7620000000000001)
                .put("ünïcode ✓", "MLM", 123456789.125);
        t.addRow("empty row");
        String csv = CsvTable.render(t);
        assertTrue(csv.startsWith("\"task, \"\"kind\"\"\",MLSM+MLM,\"col\nwith newline\",MLM\r\n"), csv);
        assertTrue(csv.contains("\r\nplain,0.30000000000000004,,\r\n"), csv);
        assertTrue(csv.contains("\r\n\"has,comma\",1.0E-17,,\r\n"), csv);
        assertTrue(csv.endsWith("\r\nempty row,,,\r\n"), csv);
        Path f = dir.resolve("t.csv");
        CsvTable.write(t, f);
        ResultTable back = CsvTable.read(f);
        assertEquals(t, back);
        assertEquals(t.rows(), back.rows());
        assertEquals(0.1 + 0.2, back.get("plain", "MLSM+MLM").getAsDouble(), 0.0);
        assertEquals(OptionalDouble.empty(), back.get("plain", "MLM"));
        assertNotEquals(t, back.put("plain", "MLM", 1.0));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "temporary file left behind");
        }
    }

    @Test
    void csvReaderAcceptsLfAndNoFinalNewlineAndRejectsMalformedInput() {
        ResultTable t = CsvTable.parse("task,A,B\nx,1,\"2\"\ny,,0.5", "mem");
        assertEquals(2.0, t.get("x", "B").getAsDouble());
        assertEquals(0.5, t.get("y", "B").getAsDouble());
        assertEquals(OptionalDouble.empty(), t.get("y", "A"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvTable.parse("task,A\nx,1,2\n", "f.csv"));
        assertEquals("f.csv: record 2 has 3 fields, the header has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("task,A\nx,abc\n", "f.csv"));
        assertEquals("f.csv: record 2, column 'A': not a number: 'abc'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("task,A\n\"x,1\n", "f.csv"));
        assertTrue(e.getMessage().contains("unterminated quoted field"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("task,A\n\"x\"y,1\n", "f.csv"));
        assertTrue(e.getMessage().contains("text after a closing quote"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("task,A\nx\"y,1\n", "f.csv"));
        assertTrue(e.getMessage().contains("quote inside an unquoted field"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("task,A\nx,1\nx,2\n", "f.csv"));
        assertTrue(e.getMessage().contains("duplicate row 'x'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("", "f.csv"));
    }

    @Test
    void captionIsWrittenUnderTheMarkdownTableAndAsTheFirstCsvLineAndReadBack(@TempDir Path dir) throws IOException {
        ResultTable t = sample().caption("BLiMP; normaliser ALL_OUTPUTS\n(V+k rows)");
        assertEquals("BLiMP; normaliser ALL_OUTPUTS (V+k rows)", t.caption());
        assertTrue(MarkdownTable.render(t, 3).endsWith("|\n\nTable: BLiMP; normaliser ALL_OUTPUTS (V+k rows)\n"));
        Path csv = dir.resolve("t.csv");
        CsvTable.write(t, csv);
        assertTrue(Files.readString(csv).startsWith("# BLiMP; normaliser ALL_OUTPUTS (V+k rows)\r\ntask,MLM,MLSM\r\n"));
        assertEquals(t, CsvTable.read(csv));
        assertNotEquals(sample(), t);
        // no caption: no caption line; a corner that starts with '#' is quoted, never read as a caption
        assertTrue(CsvTable.render(sample()).startsWith("task,"));
        ResultTable hash = new ResultTable("#task").put("a", "b", 1.0);
        assertTrue(CsvTable.render(hash).startsWith("\"#task\","));
        assertEquals(hash, CsvTable.parse(CsvTable.render(hash), "f.csv"));
    }
}
