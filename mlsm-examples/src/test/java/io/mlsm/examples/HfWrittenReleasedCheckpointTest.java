package io.mlsm.examples;

import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.ForwardResult;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A released MLSM checkpoint written by Hugging Face's own code, not by this library: {@code released/released-vk}
 * in the test resources, made by {@code released/make_fixture.py} (a {@code DebertaForMaskedLM} with
 * {@code vocab_size = V + k}, V = 300 pieces of the Alice test tokenizer and k = 12 concepts, its config written by
 * {@code DebertaConfig.to_json_file}, and its logits for two sequences). The directory must load with {@code k}
 * inferred from the tokenizer, reproduce Hugging Face's logits over all V + k rows, and serve everywhere a model
 * directory is accepted: scoring, fine-tuning, dictionary learning, and as the teacher and warm start of a student.
 */
class HfWrittenReleasedCheckpointTest {

    static final int V = 300;
    static final int K = 12;

    static Path released;
    static Path tokenizer;

    @TempDir
    static Path shared;

    @BeforeAll
    static void fixture() throws Exception {
        released = resource("released/released-vk");
        Path corpus = TinyFixtures.aliceCorpus(shared.resolve("corpus"));
        tokenizer = TinyFixtures.tokenizer(corpus, V, shared.resolve("tok"));
        UnigramTokenizer tok = UnigramTokenizer.load(tokenizer);
        assertEquals(V, tok.vocabSize(), "make_fixture.py assumes the Alice test tokenizer has 300 pieces");
        assertEquals(3, tok.specials().pad(), "make_fixture.py assumes <pad> = 3");
    }

    private static Path resource(String name) throws URISyntaxException {
        var u = HfWrittenReleasedCheckpointTest.class.getClassLoader().getResource(name + "/config.json");
        if (u == null) {
            throw new IllegalStateException("test resource " + name + "/config.json missing");
        }
        return Path.of(u.toURI()).getParent();
    }

    @Test
    void loadsWithKInferredAndReproducesHuggingFaceLogitsOverAllVPlusKRows() throws Exception {
        String config = Files.readString(released.resolve("config.json"));
        assertFalse(config.contains("mlsm_"), "the fixture has no key of ours");
        assertTrue(config.contains("\"vocab_size\": " + (V + K)), config);

        assertEquals(K, HfDebertaDirectory.latentConceptsFor(released, V, -1));
        try (DebertaModel m = HfDebertaDirectory.loadModelFor(released, V, -1)) {
            DebertaConfig c = m.config();
            assertEquals(V, c.vocabSize());
            assertEquals(K, c.latentConcepts());
            Map<String, INDArray> io = Safetensors.read(released.resolve("io.safetensors"));
            INDArray ids = io.get("input_ids").castTo(DataType.INT32);
            INDArray mask = io.get("attention_mask").castTo(DataType.FLOAT);
            ForwardResult r = m.forward(ids, mask);
            INDArray ours = Nd4j.concat(2, r.logits(), r.conceptLogits());              // [B, T, V + k]
            INDArray hf = io.get("logits").castTo(DataType.FLOAT);
            assertEquals(List.of(2L, 12L, (long) (V + K)), List.of(ours.shape()[0], ours.shape()[1], ours.shape()[2]));
            // padded positions carry no meaning (Hugging Face fills them too); compare the real tokens
            double worst = 0;
            double scale = hf.amaxNumber().doubleValue();
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 12; t++) {
                    if (mask.getDouble(b, t) == 0) {
                        continue;
                    }
                    INDArray d = ours.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(t)).sub(
                            hf.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                                    org.nd4j.linalg.indexing.NDArrayIndex.point(t)));
                    worst = Math.max(worst, d.amaxNumber().doubleValue());
                }
            }
            assertTrue(worst <= 1e-5 * scale, "max |ours - HF| over V+k logits " + worst + " (scale " + scale + ")");
            INDArray last = r.hiddenStates().get(r.hiddenStates().size() - 1);
            INDArray hfLast = io.get("hidden_states_last").castTo(DataType.FLOAT);
            INDArray realRows = mask.reshape(2, 12, 1);
            double hiddenWorst = last.mul(realRows).sub(hfLast.mul(realRows)).amaxNumber().doubleValue();
            assertTrue(hiddenWorst <= 1e-5 * hfLast.amaxNumber().doubleValue(), "last hidden state " + hiddenWorst);
        }
        // without k the concept rows read as word pieces: V + k rows of vocabulary, no concepts
        try (DebertaModel plain = HfDebertaDirectory.loadModel(released)) {
            assertEquals(V + K, plain.config().vocabSize());
        }
    }

    @Test
    void scoresAndFineTunesWithKInferredOrGiven(@TempDir Path dir) {
        ReleasedCheckpointTest.scoresAlikeWithKInferredOrGiven(released, tokenizer, V, K, dir);

        Path data = dir.resolve("data");
        try {
            FineTuneGlueExampleTest.plantedRte(data, 32, 16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        var a = FineTuneGlueExample.run(new FineTuneGlueExample.Options(released, tokenizer, data, GlueTask.RTE, 0,
                1, 1, 1e-3, 8, -1)).result();
        var b = FineTuneGlueExample.run(new FineTuneGlueExample.Options(released, tokenizer, data, GlueTask.RTE, 0,
                1, 1, 1e-3, 8, K)).result();
        assertEquals(a.mean(), b.mean(), 0.0, "k inferred and k given fine-tune the same backbone");
        assertTrue(Double.isFinite(a.mean()));
        // a k that leaves fewer word pieces than the tokenizer has is rejected, naming both sizes: --concepts is read
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FineTuneGlueExample.run(new FineTuneGlueExample.Options(released, tokenizer, data, GlueTask.RTE,
                        0, 1, 1, 1e-3, 8, K + 1)));
        assertTrue(e.getMessage().contains("300") && e.getMessage().contains("299"), e.getMessage());
    }

    @Test
    void servesAsTeacherAndWarmStartOfAStudentAndForDictionaryLearning(@TempDir Path dir) throws Exception {
        var d = LearnDictionaryExample.run(new LearnDictionaryExample.Options(released, tokenizer,
                shared.resolve("corpus"), 8, 0.05, -1, 600, 20, dir.resolve("dict")));
        assertEquals(32, d.dimension(), "the dictionary is learned in the teacher's hidden size");

        PretrainExample.Result r = PretrainExample.run(PretrainExample.Options.builder(dir.resolve("run"))
                .corpusDir(shared.resolve("corpus")).tokenizer(tokenizer).objective(Objective.MLSM_PLUS_MLM)
                .teacherDir(released).warmStart(true).dictionaryFile(d.dictionaryFile()).maxLength(32).batchSize(4)
                .steps(2).seed(3).build());
        try (DebertaModel teacher = HfDebertaDirectory.loadModelFor(released, V, -1);
             DebertaModel student = HfDebertaDirectory.loadModel(r.model())) {
            assertEquals(V, student.config().vocabSize());
            assertEquals(8, student.config().latentConcepts(), "the student's concepts are its dictionary's");
            assertEquals(teacher.config().hiddenSize(), student.config().hiddenSize());
            assertEquals(teacher.config().numLayers(), student.config().numLayers());
        }
    }
}
