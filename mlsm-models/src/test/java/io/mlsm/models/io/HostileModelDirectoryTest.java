package io.mlsm.models.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.models.DebertaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model directories whose {@code config.json} asks for absurd sizes, disagrees with the tensors, or whose weights
 * hold NaN / infinity: each is rejected before anything is built, with a bounded message naming file, field or
 * tensor, expected and got. The timeout is a hang guard (the unbounded versions ran out of memory), not a speed
 * claim.
 */
class HostileModelDirectoryTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(10);
    private static final int MAX_MESSAGE = 2_000;

    @Test
    void layerCountOfIntMaxIsRejectedNamingFieldAndLimit(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> cfg.put("num_hidden_layers", Integer.MAX_VALUE), w -> { });
        assertContains(m, "num_hidden_layers", "at most " + DebertaConfig.MAX_LAYERS, "got 2147483647",
                HfDebertaDirectory.CONFIG_FILE);
    }

    @Test
    void aMillionLayersIsRejectedWithAShortMessage(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> cfg.put("num_hidden_layers", 1_000_000), w -> { });
        assertContains(m, "num_hidden_layers", "at most 1024", "got 1000000");
    }

    @Test
    void maxPositionEmbeddingsOfIntMaxIsRejectedNotOverflowed(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> cfg.put("max_position_embeddings", Integer.MAX_VALUE), w -> { });
        assertContains(m, "max_position_embeddings", "at most " + DebertaConfig.MAX_POSITIONS, "got 2147483647");
        m = rejected(tmp, cfg -> cfg.put("max_relative_positions", Integer.MAX_VALUE), w -> { });
        assertContains(m, "max_relative_positions", "got 2147483647");
    }

    @Test
    void productsThatOverflowATensorAreRejected(@TempDir Path tmp) throws Exception {
        // 65536 is within MAX_WIDTH, but the attention projection [3H, H] would be 12.9e9 elements
        String m = rejected(tmp, cfg -> cfg.put("hidden_size", 65_536), w -> { });
        assertContains(m, "attention projection", "196608 x 65536", "at most " + DebertaConfig.MAX_TENSOR_ELEMENTS);
    }

    @Test
    void hiddenSizeThatDisagreesWithTheTensorsNamesFieldTensorExpectedAndGot(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> cfg.put("hidden_size", 128), w -> { });
        assertContains(m, HfDebertaDirectory.WEIGHTS_FILE,
                "config.json hidden_size is 128 but tensor 'deberta.embeddings.word_embeddings.weight' has 64",
                "... and ", "more");
    }

    @Test
    void aLayerCountWithinTheLimitButNotInTheWeightsIsListedBriefly(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> cfg.put("num_hidden_layers", 1000), w -> { });
        assertContains(m, "config.json num_hidden_layers is 1000 but the weights have layers 0..1 (2)",
                "missing parameters: deberta.encoder.layer.2.", "... and ");
        long listed = m.split("deberta\\.encoder\\.layer\\.").length - 1;
        assertTrue(listed <= HfParameterLayout.MAX_LISTED_PROBLEMS, listed + " names listed: " + m);
    }

    @Test
    void manyUnexpectedTensorsAreCountedNotListed(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> { }, w -> {
            for (int i = 0; i < 500; i++) {
                w.put("deberta.extra." + i, Nd4j.zeros(DataType.FLOAT, 1));
            }
        });
        assertContains(m, "unexpected parameters: deberta.extra.0", "... and 490 more");
    }

    @Test
    void nanAndInfinityInOneTensorAreRejectedNamingFileAndTensor(@TempDir Path tmp) throws Exception {
        String name = "deberta.encoder.layer.1.intermediate.dense.weight";
        String m = rejected(tmp, cfg -> { }, w -> {
            INDArray a = w.get(name).dup();
            a.putScalar(new long[] {0, 5}, Float.NaN);
            a.putScalar(new long[] {3, 0}, Float.POSITIVE_INFINITY);
            w.put(name, a);
        });
        assertContains(m, HfDebertaDirectory.WEIGHTS_FILE, "tensor '" + name + "'", "2 non-finite values",
                "first at flat index 5: NaN");
    }

    @Test
    void infinityInADoublePrecisionTensorIsRejected(@TempDir Path tmp) throws Exception {
        String m = rejected(tmp, cfg -> { }, w -> {
            INDArray a = w.get(HfParameterLayout.OUTPUT_BIAS).dup();
            a.putScalar(7, Float.NEGATIVE_INFINITY);
            w.put(HfParameterLayout.OUTPUT_BIAS, a.castTo(DataType.DOUBLE));
            w.remove(HfParameterLayout.DECODER_BIAS_ALIAS);
        });
        assertContains(m, "tensor '" + HfParameterLayout.OUTPUT_BIAS + "'", "1 non-finite value of 500",
                "first at flat index 7: -Infinity");
    }

    /** Writes the tiny fixture with the edits into a fresh directory and returns the message of the rejection. */
    private static String rejected(Path tmp, Consumer<ObjectNode> editConfig, Consumer<Map<String, INDArray>> editWeights)
            throws IOException {
        Path dir = Files.createTempDirectory(tmp, "hostile");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(TinyFixture.config().toFile());
        editConfig.accept(json);
        Files.writeString(dir.resolve(HfDebertaDirectory.CONFIG_FILE), json.toPrettyString());
        Map<String, INDArray> w = new LinkedHashMap<>(Safetensors.read(TinyFixture.model()));
        editWeights.accept(w);
        Safetensors.write(dir.resolve(HfDebertaDirectory.WEIGHTS_FILE), w, Map.of("format", "pt"));
        CheckpointFormatException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(CheckpointFormatException.class, () -> HfDebertaDirectory.load(dir)));
        String m = e.getMessage();
        assertTrue(m.contains(dir.toString()), "names the directory's file: " + m);
        assertTrue(m.length() < MAX_MESSAGE, m.length() + " chars: " + m.substring(0, Math.min(m.length(), 500)));
        return m;
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
        }
    }
}
