package io.mlsm.core.tokenizer;

import io.mlsm.models.DebertaConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyFitTest {

    private static final DebertaConfig TINY = DebertaConfig.tiny();   // V = 500

    @Test
    void aTokenizerOfTheModelsSizeFits() {
        assertEquals(Optional.empty(), VocabularyFit.check(500, TINY, "tok.json", "model"));
    }

    @Test
    void aSmallerTokenizerIsAWarningNamingBothSizes() {
        String w = VocabularyFit.check(480, TINY, Path.of("runs/tok.json"), Path.of("runs/model")).orElseThrow();
        assertContains(w, "runs/tok.json has 480 ids", "runs/model has a word vocabulary of 500", "480..499");
    }

    @Test
    void aLargerTokenizerIsAnErrorNamingBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VocabularyFit.check(501, TINY, "tok.json", "model-dir"));
        assertContains(e.getMessage(), "vocabulary mismatch", "tok.json has 501 ids",
                "model-dir has a word vocabulary of 500", "ids 500 and above");
    }

    @Test
    void conceptRowsAreNotTokenIds() {
        DebertaConfig mlsm = TINY.withLatentConcepts(20);                  // config.json vocab_size = 520
        assertEquals(Optional.empty(), VocabularyFit.check(500, mlsm, "tok.json", "mlsm"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VocabularyFit.check(520, mlsm, "tok.json", "mlsm"));
        assertContains(e.getMessage(), "has 520 ids", "word vocabulary of 500",
                "vocab_size 520 = 500 + 20 latent concepts");
    }

    @Test
    void unnamedSourcesReadCleanly() {
        String w = VocabularyFit.check(499, TINY, null, null).orElseThrow();
        assertTrue(w.contains("the tokenizer has 499 ids but the model has a word vocabulary of 500"), w);
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
        }
    }
}
