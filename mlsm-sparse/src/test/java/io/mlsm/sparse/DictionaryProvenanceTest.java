package io.mlsm.sparse;

import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DictionaryProvenanceTest {

    private static final DictionaryProvenance LEARNED = new DictionaryProvenance(0.05, 1024, 768, 300, 1_000_000,
            42, "teacher layer 12, 1M tokens", "0.1.0", "2026-01-02T03:04:05Z", Map.of("layer", "12", "solver", "cd"));

    @Test
    void theGeneralFormCarriesEveryFieldAndConvertsBack() {
        Provenance p = LEARNED.toProvenance();
        assertEquals(DictionaryProvenance.ARTIFACT, p.artifact());
        assertEquals(42L, p.seed());
        assertEquals("2026-01-02T03:04:05Z", p.created());
        assertEquals("0.1.0", p.libraryVersion());
        assertEquals(0.05, p.config().get("lambda").asDouble());
        assertEquals("teacher layer 12, 1M tokens", p.data().get(DictionaryProvenance.DATA_KEY).path());
        assertEquals("12", p.extra().get("layer"));
        assertEquals(LEARNED, DictionaryProvenance.from(p));
        assertEquals(LEARNED, DictionaryProvenance.from(Provenance.fromJson(p.toJson())));
    }

    @Test
    void aDictionaryWithoutDataDescriptionRoundTrips() {
        DictionaryProvenance given = DictionaryProvenance.of(0.1, 8, 4, "");
        assertEquals(Map.of(), given.toProvenance().data());
        assertEquals(given, DictionaryProvenance.from(Provenance.fromJson(given.toProvenance().toJson())));
    }

    @Test
    void otherArtifactsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> DictionaryProvenance.from(Provenance.builder("tokenizer").build()));
        assertThrows(IllegalArgumentException.class,
                () -> DictionaryProvenance.from(Provenance.builder("dictionary").config(Map.of("atoms", 3)).build()));
    }
}
