package io.mlsm.models;

import io.mlsm.models.DebertaConfig.PositionAttention;
import io.mlsm.models.io.TinyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebertaConfigTest {

    private static final String MINIMAL = """
            {"model_type": "deberta", "vocab_size": %d, "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 128,
             "relative_attention": true, "position_biased_input": false, "type_vocab_size": 0,
             "pos_att_type": ["c2p", "p2c"], "max_relative_positions": -1, "pad_token_id": 0 %s}
            """;

    @Test
    void tinyPresetEqualsTheFixtureConfig() throws Exception {
        DebertaConfig fromFile = DebertaConfig.readHfConfig(TinyFixture.config());
        assertEquals(DebertaConfig.tiny(), fromFile);
        assertEquals(500, fromFile.vocabSize());
        assertEquals(256, fromFile.relativeEmbeddingRows());
        assertEquals(16, fromFile.headSize());
        assertTrue(fromFile.c2p() && fromFile.p2c());
        assertEquals(1e-7, fromFile.layerNormEps());
    }

    @Test
    void presetsHaveThePaperShapes() {
        DebertaConfig s = DebertaConfig.small();
        assertEquals(List.of(4, 256, 4, 1024), List.of(s.numLayers(), s.hiddenSize(), s.numHeads(),
                s.intermediateSize()));
        DebertaConfig b = DebertaConfig.base();
        assertEquals(List.of(12, 768, 12, 3072, 512), List.of(b.numLayers(), b.hiddenSize(), b.numHeads(),
                b.intermediateSize(), b.maxPositions()));
        assertEquals(-1, b.maxRelativePositions());
        assertEquals(512, b.effectiveMaxRelativePositions());
        assertEquals(EnumSet.of(PositionAttention.C2P, PositionAttention.P2C), b.positionAttention());
        assertEquals(0, b.latentConcepts());
        assertFalse(b.hasLatentConcepts());
    }

    @Test
    void hfJsonRoundTripsEveryPresetWithAndWithoutConcepts(@TempDir Path dir) throws Exception {
        for (DebertaConfig c : List.of(DebertaConfig.tiny(), DebertaConfig.small(), DebertaConfig.base(),
                DebertaConfig.base().withLatentConcepts(2500),
                DebertaConfig.tiny().toBuilder().maxRelativePositions(32).positionAttention(Set.of())
                        .hiddenDropout(0).attentionDropout(0.05).layerNormEps(1e-5).build())) {
            Path f = dir.resolve("config.json");
            c.writeHfConfig(f);
            assertEquals(c, DebertaConfig.readHfConfig(f), "round trip of " + c);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("config.json")), files.toList(), "no temp files left");
        }
    }

    @Test
    void latentConceptsAreAppendedToTheOutputVocabulary() {
        DebertaConfig c = DebertaConfig.base().withLatentConcepts(2500);
        assertEquals(27_500, c.outputVocabSize());
        assertEquals(27_500, c.toHfJson().get("vocab_size").intValue());
        assertEquals(2500, c.toHfJson().get(DebertaConfig.HF_LATENT_CONCEPTS_KEY).intValue());
        // written for k = 0 too, so that a directory of ours is never read with k inferred from a tokenizer
        assertEquals(0, DebertaConfig.base().toHfJson().get(DebertaConfig.HF_LATENT_CONCEPTS_KEY).intValue());
    }

    @Test
    void releasedLayoutWithoutKeyTakesKFromTheCaller() {
        String json = MINIMAL.formatted(27_500, "");
        DebertaConfig c = DebertaConfig.fromHfJson(json, 2500);
        assertEquals(25_000, c.vocabSize());
        assertEquals(2500, c.latentConcepts());
        assertEquals(0, DebertaConfig.fromHfJson(json, -1).latentConcepts());
        assertEquals(27_500, DebertaConfig.fromHfJson(json, -1).vocabSize());
    }

    @Test
    void contradictingConceptCountIsRejected() {
        String json = MINIMAL.formatted(600, ", \"mlsm_latent_concepts\": 100");
        assertEquals(500, DebertaConfig.fromHfJson(json, 100).vocabSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebertaConfig.fromHfJson(json, 50));
        assertTrue(e.getMessage().contains("mlsm_latent_concepts is 100 but 50"), e.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> DebertaConfig.fromHfJson(MINIMAL.formatted(600, ""), 600));
        assertTrue(tooMany.getMessage().contains("k=600"), tooMany.getMessage());
    }

    @Test
    void legacyPipeSeparatedPosAttTypeAndNonPositiveMaxRelativeArAccepted() {
        String json = MINIMAL.formatted(500, "").replace("[\"c2p\", \"p2c\"]", "\"p2c|c2p\"")
                .replace("\"max_relative_positions\": -1", "\"max_relative_positions\": 0");
        DebertaConfig c = DebertaConfig.fromHfJson(json, -1);
        assertEquals(DebertaConfig.tiny(), c);
        assertEquals(128, c.effectiveMaxRelativePositions());
    }

    @Test
    void unsupportedOrMalformedHfConfigsAreRejectedByName() {
        assertRejects(MINIMAL.formatted(500, "").replace("\"deberta\"", "\"deberta-v2\""), "model_type");
        assertRejects(MINIMAL.formatted(500, "").replace("\"relative_attention\": true",
                "\"relative_attention\": false"), "relative_attention=false");
        assertRejects(MINIMAL.formatted(500, "").replace("\"position_biased_input\": false",
                "\"position_biased_input\": true"), "position_biased_input=true");
        assertRejects(MINIMAL.formatted(500, "").replace("\"type_vocab_size\": 0", "\"type_vocab_size\": 2"),
                "type_vocab_size");
        assertRejects(MINIMAL.formatted(500, "").replace("\"c2p\", \"p2c\"", "\"c2p\", \"p2p\""), "'p2p'");
        assertRejects(MINIMAL.formatted(500, ", \"hidden_act\": \"relu\""), "hidden_act 'relu'");
        assertRejects(MINIMAL.formatted(500, "").replace("\"hidden_size\": 64", "\"hidden_size\": 64.5"),
                "'hidden_size' must be an integer");
        assertRejects(MINIMAL.formatted(500, "").replace("\"hidden_size\": 64,", ""), "missing field 'hidden_size'");
        assertRejects("[1, 2]", "JSON object");
        assertRejects("{\"model_type\": ", "not valid JSON");
        assertRejects(MINIMAL.formatted(500, "").replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5"),
                "not a multiple of numHeads 5");
    }

    @Test
    void readHfConfigNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, MINIMAL.formatted(500, "").replace("\"deberta\"", "\"bert\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebertaConfig.readHfConfig(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> DebertaConfig.readHfConfig(dir.resolve("absent.json")));
    }

    @Test
    void constructorValidatesEveryField() {
        DebertaConfig t = DebertaConfig.tiny();
        assertInvalid(() -> t.toBuilder().vocabSize(0).build(), "vocabSize must be > 0");
        assertInvalid(() -> t.toBuilder().hiddenSize(-1).build(), "hiddenSize must be > 0");
        assertInvalid(() -> t.toBuilder().numLayers(0).build(), "numLayers");
        assertInvalid(() -> t.toBuilder().numHeads(0).build(), "numHeads");
        assertInvalid(() -> t.toBuilder().intermediateSize(0).build(), "intermediateSize");
        assertInvalid(() -> t.toBuilder().maxPositions(0).build(), "maxPositions");
        assertInvalid(() -> t.toBuilder().numHeads(3).build(), "not a multiple");
        assertInvalid(() -> t.toBuilder().maxRelativePositions(0).build(), "maxRelativePositions");
        assertInvalid(() -> t.toBuilder().layerNormEps(0).build(), "layerNormEps");
        assertInvalid(() -> t.toBuilder().layerNormEps(Double.NaN).build(), "layerNormEps");
        assertInvalid(() -> t.toBuilder().hiddenDropout(1.0).build(), "hiddenDropout");
        assertInvalid(() -> t.toBuilder().attentionDropout(-0.1).build(), "attentionDropout");
        assertInvalid(() -> t.toBuilder().padTokenId(500).build(), "padTokenId");
        assertInvalid(() -> t.toBuilder().latentConcepts(-1).build(), "latentConcepts");
        assertInvalid(() -> t.toBuilder().initializerRange(0).build(), "initializerRange");
    }

    @Test
    void absurdSizesAreRejectedNamingFieldAndLimit() {
        DebertaConfig t = DebertaConfig.tiny();
        assertInvalid(() -> t.toBuilder().numLayers(DebertaConfig.MAX_LAYERS + 1).build(),
                "numLayers (num_hidden_layers) must be at most 1024, got 1025");
        assertEquals(DebertaConfig.MAX_LAYERS, t.toBuilder().numLayers(DebertaConfig.MAX_LAYERS).build().numLayers());
        assertInvalid(() -> t.toBuilder().maxPositions(Integer.MAX_VALUE).build(),
                "maxPositions (max_position_embeddings) must be at most 1048576, got 2147483647");
        assertInvalid(() -> t.toBuilder().maxRelativePositions(Integer.MAX_VALUE).build(),
                "maxRelativePositions (max_relative_positions) must be at most 1048576");
        assertInvalid(() -> t.toBuilder().hiddenSize(1 << 19).numHeads(1).build(),
                "hiddenSize (hidden_size) must be at most 262144");
        assertInvalid(() -> t.toBuilder().intermediateSize(Integer.MAX_VALUE).build(),
                "intermediateSize (intermediate_size) must be at most 262144");
        // each size within its limit, their product not: [V + k, H] = 2^30 x 64 elements
        assertInvalid(() -> t.toBuilder().vocabSize(1 << 30).build(), "word embeddings");
        assertInvalid(() -> t.toBuilder().hiddenSize(1 << 16).build(), "attention projection");
        assertInvalid(() -> t.toBuilder().hiddenSize(8192).intermediateSize(1 << 18).build(), "feed-forward");
        assertInvalid(() -> t.toBuilder().hiddenSize(4096).maxPositions(1 << 20).build(), "relative embeddings");
        assertRejects(MINIMAL.formatted(500, "").replace("\"num_hidden_layers\": 2",
                "\"num_hidden_layers\": 1000000"), "num_hidden_layers");
    }

    @Test
    void positionAttentionIsImmutable() {
        Set<PositionAttention> s = DebertaConfig.tiny().positionAttention();
        assertThrows(UnsupportedOperationException.class, () -> s.remove(PositionAttention.C2P));
        EnumSet<PositionAttention> mine = EnumSet.of(PositionAttention.C2P);
        DebertaConfig c = DebertaConfig.tiny().toBuilder().positionAttention(mine).build();
        mine.add(PositionAttention.P2C);
        assertFalse(c.p2c());
    }

    private static void assertRejects(String json, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebertaConfig.fromHfJson(json, -1), json);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    private static void assertInvalid(Runnable r, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
