package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlimpReaderTest {

    static String rec(String uid, String term, String good, String bad) {
        return "{\"sentence_good\": \"" + good + "\", \"sentence_bad\": \"" + bad + "\", \"field\": \"syntax\", "
                + "\"linguistics_term\": \"" + term + "\", \"UID\": \"" + uid + "\", \"pair_id\": 0}\n";
    }

    @Test
    void readsParadigmsInNameOrderWithPhenomenonRowsAndLimit(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("wh_island.jsonl"), rec("wh_island", "island_effects", "A b.", "B a.")
                + rec("wh_island", "island_effects", "C d.", "D c.") + rec("wh_island", "island_effects", "E", "F"));
        Files.writeString(dir.resolve("animate_subject_passive.jsonl"),
                rec("animate_subject_passive", "s-selection", "G", "H"));
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        List<MinimalPair> all = BlimpReader.readBlimp(dir, EvalLimit.all());
        assertEquals(4, all.size());
        assertEquals("animate_subject_passive", all.get(0).paradigm());
        assertEquals("argument structure", all.get(0).phenomenon());
        assertEquals("island effects", all.get(1).phenomenon());
        assertEquals("A b.", all.get(1).good());
        assertEquals("B a.", all.get(1).bad());
        assertTrue(all.get(1).where().endsWith("wh_island.jsonl:1"), all.get(1).where());
        List<MinimalPair> two = BlimpReader.readBlimp(dir, EvalLimit.firstN(2));
        assertEquals(3, two.size());
        assertEquals("C d.", two.get(2).good());
    }

    @Test
    void rejectsBadRecordsNamingFileLineAndField(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, rec("p", "binding", "a", "b") + rec("p", "nonsense", "a", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("p.jsonl:2") && e.getMessage().contains("linguistics_term")
                && e.getMessage().contains("nonsense"), e.getMessage());

        Files.writeString(f, rec("q", "binding", "a", "b"));
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("field 'UID'"), e.getMessage());

        Files.writeString(f, "{\"sentence_good\": \"a\", \"UID\": \"p\", \"linguistics_term\": \"binding\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("p.jsonl:1: field 'sentence_bad' is missing"), e.getMessage());

        Files.writeString(f, rec("p", "binding", "a", "b") + "\n" + rec("p", "binding", "a", "b"));
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("p.jsonl:2: empty line"), e.getMessage());

        Files.writeString(f, "{\"sentence_good\": \"a\"\n");
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("p.jsonl:1: not valid JSON"), e.getMessage());

        Files.writeString(f, "[1, 2]\n");
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("expected a JSON object, got array"), e.getMessage());

        Files.write(f, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}', '\n'});
        e = assertThrows(IllegalArgumentException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());

        Files.delete(f);
        assertThrows(IOException.class, () -> BlimpReader.readBlimp(dir, EvalLimit.all()));
    }

    @Test
    void realFilteredBlimpHas67ParadigmsIn12PhenomenaAndTheSupplement5Tasks() throws IOException {
        List<MinimalPair> blimp = BlimpReader.readBlimp(SharedData.dir("blimp_filtered"), EvalLimit.all());
        assertEquals(59_875, blimp.size());
        assertEquals(67, blimp.stream().map(MinimalPair::paradigm).distinct().count());
        Set<String> rows = blimp.stream().map(MinimalPair::phenomenon).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(BlimpPhenomena.BLIMP_ROWS), rows);
        assertEquals(9, blimp.stream().filter(p -> p.phenomenon().equals("argument structure"))
                .map(MinimalPair::paradigm).distinct().count());

        List<MinimalPair> supp = BlimpReader.readSupplement(SharedData.dir("blimp_supplement"), EvalLimit.all());
        assertEquals(5_218, supp.size());
        assertEquals(BlimpPhenomena.SUPPLEMENT_TASKS,
                supp.stream().map(MinimalPair::paradigm).distinct().toList());
        assertEquals(17, BlimpPhenomena.allRows().size());
        List<MinimalPair> limited = BlimpReader.readSupplement(SharedData.dir("blimp_supplement"),
                EvalLimit.firstN(10));
        assertEquals(50, limited.size());
    }
}
