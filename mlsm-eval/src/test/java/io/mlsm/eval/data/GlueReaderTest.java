package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlueReaderTest {

    @Test
    void readsEachFormatIntoTextsAndLabels(@TempDir Path data) throws IOException {
        Path glue = Files.createDirectories(data.resolve("glue_filtered"));
        Files.writeString(glue.resolve("wsc.train.jsonl"), "{\"text\": \"Mark lied. He ran.\", \"span1_index\": 0, "
                + "\"span2_index\": 2, \"span1_text\": \"Mark\", \"span2_text\": \"He\", \"idx\": 0, \"label\": 1}\n");
        Files.writeString(glue.resolve("multirc.valid.jsonl"), "{\"paragraph\": \"P\", \"question\": \"Q?\", "
                + "\"answer\": \"A\", \"idx\": {\"paragraph\": 1}, \"label\": 0}\n");
        Files.writeString(glue.resolve("mnli.valid.jsonl"),
                "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": 2, \"idx\": 1}\n");
        Path cola = Files.createDirectories(data.resolve("glue_original_unfiltered/CoLA"));
        Files.writeString(cola.resolve("dev.tsv"), "gj04\t1\t\tGood one.\ngj04\t0\t*\tBad one one.");
        Path sst = Files.createDirectories(data.resolve("glue_original_unfiltered/SST-2"));
        Files.writeString(sst.resolve("train_full.tsv"), "sentence\tlabel\nnice film \t1\nawful \t0\n");

        GlueExample w = GlueReader.read(data, GlueTask.WSC, GlueSplit.TRAIN, EvalLimit.all()).get(0);
        assertEquals("Mark lied. He ran.", w.textA());
        assertEquals("Mark He", w.textB());
        assertEquals(1, w.label());
        GlueExample m = GlueReader.read(data, GlueTask.MULTIRC, GlueSplit.VALID, EvalLimit.all()).get(0);
        assertEquals("P", m.textA());
        assertEquals("Q? A", m.textB());
        assertEquals(2, GlueReader.read(data, GlueTask.MNLI, GlueSplit.VALID, EvalLimit.all()).get(0).label());
        List<GlueExample> c = GlueReader.read(data, GlueTask.COLA, GlueSplit.VALID, EvalLimit.all());
        assertEquals(2, c.size());
        assertEquals("Bad one one.", c.get(1).textA());
        assertNull(c.get(1).textB());
        assertEquals(0, c.get(1).label());
        List<GlueExample> s = GlueReader.read(data, GlueTask.SST2, GlueSplit.TRAIN, EvalLimit.firstN(1));
        assertEquals(1, s.size());
        assertEquals("nice film", s.get(0).textA());
        assertFalse(GlueReader.hasSplit(data, GlueTask.MULTIRC, GlueSplit.TRAIN));
        IOException missing = assertThrows(IOException.class,
                () -> GlueReader.read(data, GlueTask.MULTIRC, GlueSplit.TRAIN, EvalLimit.all()));
        assertTrue(missing.getMessage().contains("MultiRC has no TRAIN split"), missing.getMessage());
    }

    @Test
    void rejectsBadLabelsAndColumns(@TempDir Path data) throws IOException {
        Path glue = Files.createDirectories(data.resolve("glue_filtered"));
        Files.writeString(glue.resolve("rte.valid.jsonl"),
                "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 1}\n"
                        + "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 2}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.RTE, GlueSplit.VALID, EvalLimit.all()));
        assertTrue(e.getMessage().contains("rte.valid.jsonl:2: field 'label' must be in [0, 2)"), e.getMessage());
        Files.writeString(glue.resolve("rte.valid.jsonl"),
                "{\"sentence1\": \"a\", \"sentence2\": 5, \"label\": 1}\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.RTE, GlueSplit.VALID, EvalLimit.all()));
        assertTrue(e.getMessage().contains("field 'sentence2' must be a string"), e.getMessage());
        Files.writeString(glue.resolve("rte.valid.jsonl"), "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 0.5}\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.RTE, GlueSplit.VALID, EvalLimit.all()));
        assertTrue(e.getMessage().contains("field 'label' must be an integer"), e.getMessage());

        Path cola = Files.createDirectories(data.resolve("glue_original_unfiltered/CoLA"));
        Files.writeString(cola.resolve("train.tsv"), "gj04\t1\t\tok\ngj04\t1\tno sentence\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.COLA, GlueSplit.TRAIN, EvalLimit.all()));
        assertTrue(e.getMessage().contains("train.tsv:2: expected 4 tab-separated columns"), e.getMessage());
        Files.writeString(cola.resolve("train.tsv"), "gj04\tyes\t\tok\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.COLA, GlueSplit.TRAIN, EvalLimit.all()));
        assertTrue(e.getMessage().contains("'label' must be 0 or 1, got 'yes'"), e.getMessage());
        Path sst = Files.createDirectories(data.resolve("glue_original_unfiltered/SST-2"));
        Files.writeString(sst.resolve("dev.tsv"), "text\tlabel\nx\t1\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> GlueReader.read(data, GlueTask.SST2, GlueSplit.VALID, EvalLimit.all()));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GlueTask.parse("squad"));
        assertEquals(GlueTask.SST2, GlueTask.parse("sst-2"));
    }

    @Test
    void realDataMatchesTheManifestCounts() throws IOException {
        Path data = SharedData.dir("glue_filtered").getParent();
        int[][] expected = {
                // task ordinal, train, valid (-1: no file)
                {GlueTask.BOOLQ.ordinal(), -1, 1635}, {GlueTask.MNLI.ordinal(), 10000, 4908},
                {GlueTask.MRPC.ordinal(), 3668, 204}, {GlueTask.MULTIRC.ordinal(), -1, 2424},
                {GlueTask.QQP.ordinal(), 10000, 20215}, {GlueTask.RTE.ordinal(), 2490, 139},
                {GlueTask.WSC.ordinal(), 554, 52}, {GlueTask.COLA.ordinal(), 7250, 1043},
                {GlueTask.SST2.ordinal(), 67349, 872}};
        for (int[] row : expected) {
            GlueTask t = GlueTask.values()[row[0]];
            for (GlueSplit split : GlueSplit.values()) {
                int n = split == GlueSplit.TRAIN ? row[1] : row[2];
                assertEquals(n >= 0, GlueReader.hasSplit(data, t, split), t + " " + split);
                if (n >= 0) {
                    List<GlueExample> ex = GlueReader.read(data, t, split, EvalLimit.all());
                    assertEquals(n, ex.size(), t + " " + split);
                    assertTrue(ex.stream().allMatch(x -> x.label() < t.numLabels()));
                    assertEquals(t == GlueTask.COLA || t == GlueTask.SST2, ex.stream().noneMatch(GlueExample::isPair));
                }
            }
        }
    }
}
