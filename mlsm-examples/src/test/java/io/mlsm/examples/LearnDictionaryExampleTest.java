package io.mlsm.examples;

import io.mlsm.sparse.Dictionary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnDictionaryExampleTest {

    @Test
    void learnsSavesAndCodesHeldOutStates(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path teacher = TinyFixtures.randomModel(tok, dir.resolve("teacher"), 5);
        var r = LearnDictionaryExample.run(new LearnDictionaryExample.Options(teacher, tok, corpus, 16, 0.05, -1,
                2000, 10, dir.resolve("out")));
        assertTrue(Files.isRegularFile(r.dictionaryFile()));
        Dictionary d = Dictionary.load(r.dictionaryFile());
        assertTrue(Dictionary.load(r.npyFile()).sameAtoms(d), "dictionary.npy holds the same atoms");
        assertEquals(64, d.dimension());   // the tiny model's hidden size
        assertEquals(16, d.size());
        assertEquals(r.heldOutRows(), Math.min(400, 2000));
        // the reference's procedure: the whole sample, permuted, no forgetting
        assertEquals("0.0", d.provenance().attributes().get("forgetting"));
        assertEquals("whole sample, seeded permutation of all rows every pass",
                d.provenance().attributes().get("sampling"));
        // the codes explain part of the (unit-norm) held-out states, with few atoms each
        assertTrue(r.relativeError() > 0 && r.relativeError() < 0.9, "relative error " + r.relativeError());
        assertTrue(r.meanNonZeros() > 0 && r.meanNonZeros() <= 16, "non-zeros " + r.meanNonZeros());
    }

    @Test
    void recordsTheForgettingExponentAndRejectsANegativeOne(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path teacher = TinyFixtures.randomModel(tok, dir.resolve("teacher"), 5);
        var r = LearnDictionaryExample.run(new LearnDictionaryExample.Options(teacher, tok, corpus, 8, 0.05, -1,
                800, 3, 4, dir.resolve("out")));
        assertEquals("4.0", Dictionary.load(r.dictionaryFile()).provenance().attributes().get("forgetting"));
        var e = assertThrows(IllegalArgumentException.class, () -> new LearnDictionaryExample.Options(teacher, tok,
                corpus, 8, 0.05, -1, 800, 3, -1, dir));
        assertTrue(e.getMessage().contains("forgetting"), e.getMessage());
    }

    @Test
    void rejectsALayerTheTeacherDoesNotHave(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path teacher = TinyFixtures.randomModel(tok, dir.resolve("teacher"), 5);
        assertThrows(IllegalArgumentException.class, () -> LearnDictionaryExample.run(
                new LearnDictionaryExample.Options(teacher, tok, corpus, 16, 0.05, 7, 2000, 10, dir.resolve("out"))));
        var e = assertThrows(IllegalArgumentException.class, () -> new LearnDictionaryExample.Options(
                dir.resolve("none"), tok, corpus, 16, 0.05, -1, 2000, 10, dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
