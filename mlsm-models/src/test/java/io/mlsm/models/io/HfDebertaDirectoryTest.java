package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.mlsm.models.io.SafetensorsTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfDebertaDirectoryTest {

    @Test
    void loadsTheFixtureDirectory() throws Exception {
        HfDebertaDirectory.Loaded m = HfDebertaDirectory.load(TinyFixture.dir());
        assertEquals(DebertaConfig.tiny(), m.config());
        Map<String, long[]> layout = HfParameterLayout.shapes(m.config());
        assertEquals(41, layout.size());
        assertEquals(List.copyOf(layout.keySet()), List.copyOf(m.parameters().keySet()));
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            INDArray p = m.parameters().get(e.getKey());
            assertArrayEquals(e.getValue(), p.shape(), e.getKey());
            assertEquals(DataType.FLOAT, p.dataType());
        }
        assertFalse(m.parameters().containsKey(HfParameterLayout.DECODER_WEIGHT_ALIAS));
        assertEquals("pt", m.metadata().get("format"));
        try (SafetensorsReader r = Safetensors.open(TinyFixture.model())) {
            for (String n : layout.keySet()) {
                assertBitEqual(r.read(n), m.parameters().get(n), n);
            }
        }
    }

    @Test
    void loadExportLoadIsBitIdentical(@TempDir Path tmp) throws Exception {
        HfDebertaDirectory.Loaded a = HfDebertaDirectory.load(TinyFixture.dir());
        Path out = tmp.resolve("exported");
        Provenance prov = Provenance.builder("test-export").seed(1).config(a.config()).build();
        HfDebertaDirectory.export(out, a.config(), a.parameters(), prov);
        HfDebertaDirectory.Loaded b = HfDebertaDirectory.load(out);
        assertEquals(a.config(), b.config());
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (String n : a.parameters().keySet()) {
            assertBitEqual(a.parameters().get(n), b.parameters().get(n), n);
        }
        assertEquals(prov, Provenance.read(out.resolve(Provenance.FILE_NAME)));
        // the exported weights carry exactly the names (aliases included) and metadata the Hugging Face file has
        try (SafetensorsReader orig = Safetensors.open(TinyFixture.model());
             SafetensorsReader exp = Safetensors.open(out.resolve(HfDebertaDirectory.WEIGHTS_FILE))) {
            assertEquals(orig.names(), exp.names());
            assertEquals(orig.metadata(), exp.metadata());
            for (String n : orig.names()) {
                assertEquals(orig.info(n).dtype(), exp.info(n).dtype(), n);
                assertBitEqual(orig.read(n), exp.read(n), n);
            }
        }
        // the weights file is the one transformers wrote, byte for byte
        assertArrayEquals(Files.readAllBytes(TinyFixture.model()),
                Files.readAllBytes(out.resolve(HfDebertaDirectory.WEIGHTS_FILE)));
        // config.json carries what the fixture's config carries (same values for every shared key)
        var fixtureJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(TinyFixture.config().toFile());
        var exportedJson = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("config.json").toFile());
        for (var it = fixtureJson.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("transformers_version")) {
                assertEquals(fixtureJson.get(k).asText(), exportedJson.get(k).asText(), k);
            }
        }
    }

    @Test
    void latentConceptRowsAreAppendedToTheOutputVocabulary(@TempDir Path tmp) throws Exception {
        HfDebertaDirectory.Loaded plain = HfDebertaDirectory.load(TinyFixture.dir());
        int k = 20;
        DebertaConfig withConcepts = plain.config().withLatentConcepts(k);
        Nd4j.getRandom().setSeed(3);
        INDArray conceptEmb = Nd4j.randn(DataType.FLOAT, k, 64);   // [k, H]
        INDArray conceptBias = Nd4j.randn(DataType.FLOAT, k);      // [k]
        Map<String, INDArray> p = new LinkedHashMap<>(plain.parameters());
        p.put(HfParameterLayout.WORD_EMBEDDINGS,
                Nd4j.concat(0, plain.parameters().get(HfParameterLayout.WORD_EMBEDDINGS), conceptEmb));
        p.put(HfParameterLayout.OUTPUT_BIAS,
                Nd4j.concat(0, plain.parameters().get(HfParameterLayout.OUTPUT_BIAS), conceptBias));
        Path out = tmp.resolve("mlsm");
        HfDebertaDirectory.export(out, withConcepts, p);

        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals(520, json.get("vocab_size").intValue());
        assertEquals(k, json.get(DebertaConfig.HF_LATENT_CONCEPTS_KEY).intValue());

        HfDebertaDirectory.Loaded back = HfDebertaDirectory.load(out);
        assertEquals(500, back.config().vocabSize());
        assertEquals(k, back.config().latentConcepts());
        INDArray emb = back.parameters().get(HfParameterLayout.WORD_EMBEDDINGS);
        assertArrayEquals(new long[] {520, 64}, emb.shape());
        assertBitEqual(plain.parameters().get(HfParameterLayout.WORD_EMBEDDINGS),
                HfParameterLayout.vocabularyRows(emb, back.config()), "first V rows = vocabulary");
        assertBitEqual(conceptEmb, HfParameterLayout.conceptRows(emb, back.config()), "last k rows = concepts");
        assertBitEqual(conceptBias,
                HfParameterLayout.conceptRows(back.parameters().get(HfParameterLayout.OUTPUT_BIAS), back.config()),
                "bias of the concepts");

        // a released checkpoint has no mlsm key: vocab_size = V + k and k comes from the caller
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).remove(DebertaConfig.HF_LATENT_CONCEPTS_KEY);
        Files.writeString(out.resolve("config.json"), json.toPrettyString());
        HfDebertaDirectory.Loaded released = HfDebertaDirectory.load(out, k);
        assertEquals(withConcepts, released.config());
        HfDebertaDirectory.Loaded asPlain = HfDebertaDirectory.load(out);
        assertEquals(520, asPlain.config().vocabSize());
        assertEquals(0, asPlain.config().latentConcepts());
        assertThrows(IllegalArgumentException.class, () -> HfParameterLayout.conceptRows(emb, plain.config()));

        // next to a tokenizer of 500 ids the keyless directory infers k = 20 (the released layout) ...
        assertEquals(k, HfDebertaDirectory.latentConceptsFor(out, 500, -1));
        // ... but not when our provenance.json says this library wrote it (before the key was written for k = 0
        // too): then k = 0, and a smaller tokenizer stays a vocabulary mismatch instead of becoming 20 concepts
        Files.writeString(out.resolve(io.mlsm.runtime.Provenance.FILE_NAME), "{}");
        assertEquals(0, HfDebertaDirectory.latentConceptsFor(out, 500, -1));
        assertEquals(7, HfDebertaDirectory.latentConceptsFor(out, 500, 7), "a k given still wins");
    }

    @Test
    void optionalHeadsSurviveTheRoundTrip(@TempDir Path tmp) throws Exception {
        HfDebertaDirectory.Loaded a = HfDebertaDirectory.load(TinyFixture.dir());
        Map<String, INDArray> p = new LinkedHashMap<>(a.parameters());
        p.put("classifier.weight", Nd4j.rand(DataType.FLOAT, 3, 64));
        p.put("classifier.bias", Nd4j.rand(DataType.FLOAT, 3));
        HfDebertaDirectory.export(tmp, a.config(), p);
        HfDebertaDirectory.Loaded b = HfDebertaDirectory.load(tmp);
        assertBitEqual(p.get("classifier.weight"), b.parameters().get("classifier.weight"), "classifier");
    }

    @Test
    void missingFilesAreNamed(@TempDir Path tmp) throws Exception {
        assertThrows(NoSuchFileException.class, () -> HfDebertaDirectory.load(tmp.resolve("absent")));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> HfDebertaDirectory.load(tmp));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        Files.copy(TinyFixture.config(), tmp.resolve("config.json"));
        Files.writeString(tmp.resolve("pytorch_model.bin"), "x");
        e = assertThrows(NoSuchFileException.class, () -> HfDebertaDirectory.load(tmp));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("pytorch_model.bin"),
                e.getMessage());
    }

    @Test
    void weightsThatDisagreeWithTheConfigAreRejected(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, cfg -> cfg.put("num_hidden_layers", 3), p -> { },
                "missing parameters: deberta.encoder.layer.2.attention.self.in_proj.weight");
        assertRejected(tmp, cfg -> cfg.put("vocab_size", 501), p -> { },
                "shape mismatch for 'deberta.embeddings.word_embeddings.weight': expected [501, 64] from the config,"
                        + " got [500, 64]");
        assertRejected(tmp, cfg -> cfg.put("max_relative_positions", 64), p -> { },
                "shape mismatch for 'deberta.encoder.rel_embeddings.weight': expected [128, 64]");
        assertRejected(tmp, cfg -> { }, p -> p.put("deberta.encoder.extra.weight", Nd4j.ones(2)),
                "unexpected parameters: deberta.encoder.extra.weight");
        assertRejected(tmp, cfg -> { }, p -> p.remove("deberta.encoder.layer.1.attention.self.q_bias"),
                "missing parameters: deberta.encoder.layer.1.attention.self.q_bias");
        assertRejected(tmp, cfg -> { }, p -> p.put("deberta.encoder.layer.0.attention.self.v_bias",
                        Nd4j.zeros(DataType.LONG, 64)),
                "parameter 'deberta.encoder.layer.0.attention.self.v_bias' has dtype I64");
        assertRejected(tmp, cfg -> { }, p -> p.put(HfParameterLayout.DECODER_WEIGHT_ALIAS,
                        p.get(HfParameterLayout.DECODER_WEIGHT_ALIAS).add(1e-3)),
                "tied parameter 'cls.predictions.decoder.weight' differs");
        assertRejected(tmp, cfg -> cfg.put("model_type", "bert"), p -> { }, "model_type must be 'deberta'");
    }

    @Test
    void truncatedWeightsAreRejected(@TempDir Path tmp) throws Exception {
        Files.copy(TinyFixture.config(), tmp.resolve("config.json"));
        byte[] all = Files.readAllBytes(TinyFixture.model());
        Files.write(tmp.resolve("model.safetensors"), Arrays.copyOf(all, all.length / 2));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> HfDebertaDirectory.load(tmp));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void exportRejectsMismatchedParametersAndWritesNothing(@TempDir Path tmp) throws Exception {
        HfDebertaDirectory.Loaded a = HfDebertaDirectory.load(TinyFixture.dir());
        Map<String, INDArray> p = new LinkedHashMap<>(a.parameters());
        p.put(HfParameterLayout.REL_EMBEDDINGS, Nd4j.zeros(DataType.FLOAT, 10, 64));
        Path out = tmp.resolve("out");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> HfDebertaDirectory.export(out, a.config(), p));
        assertTrue(e.getMessage().contains("expected [256, 64] from the config, got [10, 64]"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    private static void assertRejected(Path tmp, Consumer<com.fasterxml.jackson.databind.node.ObjectNode> editConfig,
                                       Consumer<Map<String, INDArray>> editWeights, String fragment)
            throws IOException {
        Path dir = Files.createTempDirectory(tmp, "bad");
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TinyFixture.config().toFile());
        editConfig.accept(json);
        Files.writeString(dir.resolve("config.json"), json.toPrettyString());
        Map<String, INDArray> w = new LinkedHashMap<>(Safetensors.read(TinyFixture.model()));
        editWeights.accept(w);
        Safetensors.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> HfDebertaDirectory.load(dir), fragment);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertTrue(e.getMessage().contains(dir.toString()), "names the file: " + e.getMessage());
    }
}
