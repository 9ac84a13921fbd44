package io.mlsm.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.CheckpointFormatException;
import io.mlsm.models.io.HfDebertaDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A released checkpoint: a Hugging Face {@code DebertaForMaskedLM} directory with {@code vocab_size = V + k} and no
 * key of ours — made here by exporting a {@code V + k} model and stripping every {@code mlsm_*} key from its
 * {@code config.json} (and its {@code provenance.json}). {@code k} is inferred as {@code vocab_size − tokenizer size}
 * or given ({@code --concepts}), and the model scores as the one it was exported from.
 */
class ReleasedCheckpointTest {

    static final int K = 12;

    /** Exports a random {@code V + k} model next to the tokenizer and strips the keys of ours. */
    static Path releasedCheckpoint(Path tokenizerFile, Path dir) throws Exception {
        UnigramTokenizer tok = UnigramTokenizer.load(tokenizerFile);
        DebertaModel m = DebertaModel.initialize(DebertaConfig.tiny().withVocabSize(tok.vocabSize())
                .withPadTokenId(tok.specials().pad()).withLatentConcepts(K), 5L);
        HfDebertaDirectory.export(dir, m, null);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        List<String> ours = new ArrayList<>();
        cfg.fieldNames().forEachRemaining(f -> {
            if (f.startsWith("mlsm_")) {
                ours.add(f);
            }
        });
        assertFalse(ours.isEmpty(), "the exporter writes " + DebertaConfig.HF_LATENT_CONCEPTS_KEY);
        ours.forEach(cfg::remove);
        Files.writeString(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        Files.deleteIfExists(dir.resolve("provenance.json"));
        assertEquals(tok.vocabSize() + K, cfg.get("vocab_size").asInt());
        return dir;
    }

    /**
     * {@code eval-blimp} on a released directory with {@code k} inferred and with {@code k} given: the same table, and
     * the ALL_OUTPUTS normaliser over all {@code V + k} rows.
     */
    static void scoresAlikeWithKInferredOrGiven(Path model, Path tokFile, int v, int k, Path dir) {
        var inferred = EvalBlimpExample.run(new EvalBlimpExample.Options(model, tokFile, null, null, 1,
                ScoringHead.AUTO, Normaliser.ALL_OUTPUTS, dir.resolve("blimp-inferred"), -1));
        var given = EvalBlimpExample.run(new EvalBlimpExample.Options(model, tokFile, null, null, 1,
                ScoringHead.AUTO, Normaliser.ALL_OUTPUTS, dir.resolve("blimp-given"), k));
        assertEquals(inferred.table(), given.table());
        assertTrue(inferred.scores().normaliserApplied().contains("V+k = " + v + "+" + k),
                inferred.scores().normaliserApplied());
    }

    @Test
    void aVPlusKDirectoryWithoutOurKeysLoadsWithKInferredOrGiven(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tokFile = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        int v = UnigramTokenizer.load(tokFile).vocabSize();
        Path model = releasedCheckpoint(tokFile, dir.resolve("released"));
        assertFalse(Files.readString(model.resolve("config.json")).contains("mlsm_"));

        // without k the directory reads as a plain model of V + k word pieces
        assertEquals(0, HfDebertaDirectory.load(model).config().latentConcepts());
        assertEquals(v + K, HfDebertaDirectory.load(model).config().vocabSize());
        // inferred from the tokenizer, or given
        assertEquals(K, HfDebertaDirectory.latentConceptsFor(model, v, -1));
        assertEquals(3, HfDebertaDirectory.latentConceptsFor(model, v, 3));
        DebertaConfig c = HfDebertaDirectory.loadModel(model, K).config();
        assertEquals(v, c.vocabSize());
        assertEquals(K, c.latentConcepts());
        assertEquals(0, HfDebertaDirectory.latentConceptsFor(model, v + K + 1, -1), "a larger tokenizer: nothing "
                + "inferred, the size check rejects the pair");
        Path notJson = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(notJson.resolve("config.json"), "{ not json");
        assertThrows(CheckpointFormatException.class, () -> HfDebertaDirectory.latentConceptsFor(notJson, v, -1));

        // eval-blimp reads it: k inferred and k given score the same, over all V + k rows
        scoresAlikeWithKInferredOrGiven(model, tokFile, v, K, dir);
        // fill-mask too
        var fill = FillMaskExample.run(new FillMaskExample.Options(model, tokFile, List.of("the [MASK] sat"), 3, -1));
        assertFalse(fill.toString().isEmpty());
    }
}
