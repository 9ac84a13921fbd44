package io.mlsm.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvenanceTest {

    /** A configuration record, as a model or trainer would pass one. */
    record Settings(int hiddenSize, List<String> positionAttention) {
    }

    @Test
    void roundTripsThroughJsonWithConfigDataAndSeed(@TempDir Path dir) throws Exception {
        Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), "abc\n");
        Provenance p = Provenance.builder("teacher-model")
                .seed(42)
                .config(new Settings(64, List.of("C2P", "P2C")))
                .data("corpus", Provenance.DataIdentity.ofFile(corpus))
                .extra("steps", "20000")
                .created(t)
                .build();
        Path f = dir.resolve(Provenance.FILE_NAME);
        p.write(f);
        Provenance back = Provenance.read(f);
        assertEquals(p, back);
        assertEquals(t, back.createdInstant());
        assertEquals(42L, back.seed());
        assertEquals(64, back.config().get("hiddenSize").intValue());
        assertEquals("C2P", back.config().get("positionAttention").get(0).asText());
        assertEquals(Provenance.LIBRARY, back.library());
        assertEquals(System.getProperty("java.version"), back.environment().get("java.version"));
        // printf 'abc\n' | sha256sum
        assertEquals("edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb",
                back.data().get("corpus").sha256());
        assertEquals(4, back.data().get("corpus").bytes());
    }

    /** A provenance.json as the library wrote it while the type lived in mlsm-models still loads unchanged. */
    @Test
    void readsFilesWrittenBeforeTheMoveToRuntime() {
        String before = """
                {
                  "artifact" : "teacher-model",
                  "library" : "mlsm-java",
                  "libraryVersion" : "0.1.0-SNAPSHOT",
                  "created" : "2026-01-02T03:04:05.678Z",
                  "seed" : 42,
                  "config" : { "hiddenSize" : 64, "positionAttention" : [ "C2P", "P2C" ] },
                  "data" : { "corpus" : { "path" : "corpus.txt", "bytes" : 10, "sha256" : "ab" } },
                  "environment" : { "java.version" : "17.0.2", "os.arch" : "amd64" },
                  "extra" : { "steps" : "20000" }
                }
                """;
        Provenance p = Provenance.fromJson(before);
        assertEquals("teacher-model", p.artifact());
        assertEquals("0.1.0-SNAPSHOT", p.libraryVersion());
        assertEquals(42L, p.seed());
        assertEquals(new Provenance.DataIdentity("corpus.txt", 10, "ab", null), p.data().get("corpus"));
        assertEquals("20000", p.extra().get("steps"));
        assertEquals(p, Provenance.fromJson(p.toJson()));
    }

    @Test
    void libraryVersionComesFromTheBuild() {
        assertTrue(Provenance.LIBRARY_VERSION.matches("\\d+\\.\\d+\\.\\d+.*"), Provenance.LIBRARY_VERSION);
    }

    @Test
    void seedAndConfigAreOptional() {
        Provenance p = Provenance.builder("tokenizer").build();
        assertNull(p.seed());
        assertNull(p.config());
        assertEquals(p, Provenance.fromJson(p.toJson()));
        assertTrue(!p.toJson().contains("\"seed\""), p.toJson());
    }

    @Test
    void malformedProvenanceIsRejectedByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("provenance.json");
        Files.writeString(f, "{\"library\": \"mlsm-java\", \"libraryVersion\": \"1\", \"created\": \"2026-01-01T00:00:00Z\"}");
        ArtifactFormatException e = assertThrows(ArtifactFormatException.class, () -> Provenance.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'artifact'"), e.getMessage());
        Files.writeString(f, "{\"artifact\": \"x\", \"library\": \"mlsm-java\", \"libraryVersion\": \"1\","
                + " \"created\": \"yesterday\"}");
        e = assertThrows(ArtifactFormatException.class, () -> Provenance.read(f));
        assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
        Files.writeString(f, "{\"artifact\": ");
        e = assertThrows(ArtifactFormatException.class, () -> Provenance.read(f));
        assertTrue(e.getMessage().contains("malformed provenance JSON"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Provenance.read(dir.resolve("none.json")));
        assertThrows(IllegalArgumentException.class, () -> new Provenance.DataIdentity(" ", 1, null, null));
    }
}
