package io.mlsm.examples;

import io.mlsm.eval.data.GlueTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FineTuneGlueExampleTest {

    /** RTE-format data whose label is planted in the second sentence ("yes" → 0, "no" → 1). */
    static void plantedRte(Path dataDir, int train, int valid) throws Exception {
        Path glue = Files.createDirectories(dataDir.resolve("glue_filtered"));
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "house", "little"};
        Random r = new Random(3);
        for (String[] split : new String[][]{{"train", Integer.toString(train)}, {"valid", Integer.toString(valid)}}) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < Integer.parseInt(split[1]); i++) {
                StringBuilder s = new StringBuilder();
                for (int w = 0; w < 6; w++) {
                    s.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
                }
                int label = i % 2;
                lines.add("{\"sentence1\": \"" + s + "\", \"sentence2\": \"" + (label == 0 ? "yes" : "no")
                        + "\", \"label\": " + label + ", \"idx\": " + i + "}");
            }
            Files.write(glue.resolve("rte." + split[0] + ".jsonl"), lines);
        }
    }

    @Test
    void learnsAPlantedTask(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path model = TinyFixtures.randomModel(tok, dir.resolve("model"), 13);
        plantedRte(dir.resolve("data"), 64, 32);
        var r = FineTuneGlueExample.run(new FineTuneGlueExample.Options(model, tok, dir.resolve("data"), GlueTask.RTE,
                0, 8, 1, 1e-3, 16)).result();
        assertEquals(1, r.runs().size());
        assertEquals(12L, r.runs().get(0).seed());
        assertTrue(r.mean() >= 0.9, "accuracy on the planted task " + r.mean());
    }

    @Test
    void rejectsATaskWithoutData(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        Path tok = TinyFixtures.tokenizer(corpus, 300, dir.resolve("tok"));
        Path model = TinyFixtures.randomModel(tok, dir.resolve("model"), 13);
        Files.createDirectories(dir.resolve("empty"));
        var e = assertThrows(IllegalArgumentException.class, () -> FineTuneGlueExample.run(
                new FineTuneGlueExample.Options(model, tok, dir.resolve("empty"), GlueTask.MRPC, 0, 1, 1, 1e-3, 8)));
        assertTrue(e.getMessage().contains("MRPC"), e.getMessage());
    }
}
