package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The general {@link Provenance} (mlsm-runtime) carrying a model configuration and a model fixture. */
class ModelProvenanceTest {

    @Test
    void roundTripsADebertaConfigAndAFixtureIdentity(@TempDir Path dir) throws Exception {
        Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
        Provenance p = Provenance.builder("teacher-model")
                .seed(42)
                .config(DebertaConfig.tiny())
                .data("fixture-config", Provenance.DataIdentity.ofFile(TinyFixture.config()))
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
        // SHA-256 of the fixture config, computed with sha256sum (see the fixture README)
        assertEquals("289c4e7daaefbc1dad6e881bcae55ec0f26c65bfa6a528396f763c71f584bd1d",
                back.data().get("fixture-config").sha256());
        assertEquals(Files.size(TinyFixture.config()), back.data().get("fixture-config").bytes());
    }

    /** Reading a damaged provenance inside a checkpoint still reports the checkpoint's own exception type. */
    @Test
    void checkpointFormatExceptionIsAnArtifactFormatException() {
        assertTrue(io.mlsm.runtime.ArtifactFormatException.class.isAssignableFrom(CheckpointFormatException.class));
        assertThrows(IllegalArgumentException.class, () -> Provenance.fromJson("{}"));
    }
}
