package io.mlsm.eval.model;

import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.GlueExample;
import io.mlsm.eval.data.GlueMetric;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.finetune.FineTuning;
import io.mlsm.eval.finetune.TrainableClassifier;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning a randomly initialised micro DeBERTa with {@link DebertaClassifier}: a planted task (which of two word
 * groups a sentence is made of) is learnt to well above chance through {@link FineTuning}; a saved state
 * restores parameters and optimizer exactly (the next step is bit-identical); the factory builds independent fresh
 * models from a pre-trained directory, with seeded heads.
 */
class DebertaClassifierTest {

    /** Vocabulary 48, hidden 32, 1 layer, 2 heads, max 16 positions: fast enough for many training steps. */
    static DebertaConfig micro() {
        return DebertaConfig.tiny().toBuilder().vocabSize(48).hiddenSize(32).numLayers(1).numHeads(2)
                .intermediateSize(64).maxPositions(16).padTokenId(3).build();
    }

    /** Sentences of 5 words from the label's group ({@code a0..a4} for 0, {@code b0..b4} for 1). */
    static List<GlueExample> plantedExamples(Random r, int n) {
        List<GlueExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 5; w++) {
                sb.append(w == 0 ? "" : " ").append(label == 0 ? 'a' : 'b').append(r.nextInt(5));
            }
            out.add(new GlueExample(sb.toString(), null, label, "planted:" + i));
        }
        return out;
    }

    @Test
    void fineTuningLearnsAPlantedTaskWellAboveChance() {
        FakeWordTokenizer tok = new FakeWordTokenizer(48);
        Random r = new Random(7);
        List<GlueExample> train = plantedExamples(r, 96);
        List<GlueExample> valid = plantedExamples(r, 48);
        DebertaModel pretrained = DebertaModel.initialize(micro(), 99L);
        TrainableClassifier.Factory factory = DebertaClassifier.factory(pretrained.config(), pretrained.parameters(),
                DebertaClassifier.Options.defaults());
        // 12 steps (2 epochs of 6 batches), validation every 4 steps, the best state restored at the end
        FineTuneConfig cfg = new FineTuneConfig(1e-2, 2, 16, 0.1, 4, 0, 0.0, List.of(12L), 16, 64);
        FineTuneResult result = new FineTuning(tok, factory, cfg, null).run("planted", 2, GlueMetric.ACCURACY,
                train, valid);
        double acc = result.mean();
        assertTrue(acc >= 0.85, "validation accuracy " + acc + " (chance 0.5)");
    }

    @Test
    void savedStateRestoresParametersAndOptimizerExactly() {
        DebertaModel model = DebertaModel.initialize(micro(), 5L);
        DebertaClassifier c = new DebertaClassifier(model, 3, 12L, DebertaClassifier.Options.defaults());
        int[][] ids = {{0, 10, 11, 12, 1}, {0, 20, 21, 1, 3}, {0, 30, 1, 3, 3}};
        int[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}, {1, 1, 1, 0, 0}};
        int[] labels = {0, 1, 2};
        c.trainStep(ids, mask, labels, 1e-2);
        c.trainStep(ids, mask, labels, 1e-2);
        Object state = c.saveState();
        Map<String, INDArray> saved = copy(model.parameters());
        double loss3 = c.trainStep(ids, mask, labels, 1e-2);
        Map<String, INDArray> after3 = copy(model.parameters());
        c.trainStep(ids, mask, labels, 1e-2);
        assertNotEquals(saved.get(VariableNames.CLASSIFIER_WEIGHT), model.parameter(VariableNames.CLASSIFIER_WEIGHT));

        c.loadState(state);
        assertEquals(2, c.steps());
        saved.forEach((k, v) -> assertEquals(v, model.parameter(k), "parameter " + k + " restored"));
        // the same step again: same dropout masks, same AdamW moments -> bit-identical result
        assertEquals(loss3, c.trainStep(ids, mask, labels, 1e-2), 0.0);
        after3.forEach((k, v) -> assertEquals(v, model.parameter(k), "parameter " + k + " after the repeated step"));

        // prediction is inference: deterministic, and the argmax of the class logits
        int[] p = c.predict(ids, mask);
        assertArrayEquals(p, c.predict(ids, mask));
        assertThrows(IllegalArgumentException.class, () -> c.loadState("not a state"));
        DebertaClassifier other = new DebertaClassifier(DebertaModel.initialize(micro(), 5L), 3, 12L,
                DebertaClassifier.Options.defaults());
        assertThrows(IllegalArgumentException.class, () -> other.loadState(state));
        assertThrows(IllegalArgumentException.class, () -> c.trainStep(ids, mask, new int[] {0, 1}, 1e-2));
    }

    @Test
    void factoryBuildsFreshSeededModelsFromAPretrainedDirectory(@TempDir Path tmp) throws Exception {
        DebertaModel pretrained = DebertaModel.initialize(micro().toBuilder().latentConcepts(6).build(), 3L);
        pretrained.addLatentToVocabHead(4L);
        HfDebertaDirectory.export(tmp, pretrained, Provenance.builder("test").build());
        TrainableClassifier.Factory f = DebertaClassifier.factory(tmp, DebertaClassifier.Options.defaults());
        DebertaClassifier a = (DebertaClassifier) f.create(2, 12L);
        DebertaClassifier b = (DebertaClassifier) f.create(2, 12L);
        DebertaClassifier c = (DebertaClassifier) f.create(2, 13L);
        assertEquals(a.model().parameter(VariableNames.CLASSIFIER_WEIGHT),
                b.model().parameter(VariableNames.CLASSIFIER_WEIGHT), "same seed, same head");
        assertNotEquals(a.model().parameter(VariableNames.CLASSIFIER_WEIGHT),
                c.model().parameter(VariableNames.CLASSIFIER_WEIGHT), "other seed, other head");
        assertEquals(pretrained.parameter(VariableNames.WORD_EMBEDDINGS),
                a.model().parameter(VariableNames.WORD_EMBEDDINGS), "pre-trained backbone");
        assertFalse(a.model().parameters().containsKey(VariableNames.LATENT_TO_VOCAB_WEIGHT),
                "the phase-3 head is not carried into fine-tuning");

        int[][] ids = {{0, 10, 11, 1}, {0, 20, 21, 1}};
        int[][] mask = {{1, 1, 1, 1}, {1, 1, 1, 1}};
        a.trainStep(ids, mask, new int[] {0, 1}, 1e-2);
        assertNotEquals(pretrained.parameter(VariableNames.WORD_EMBEDDINGS),
                a.model().parameter(VariableNames.WORD_EMBEDDINGS), "training moved the embeddings");
        assertEquals(pretrained.parameter(VariableNames.WORD_EMBEDDINGS),
                b.model().parameter(VariableNames.WORD_EMBEDDINGS), "other classifiers keep their own copy");

        {
            // decoupled weight decay on weights only, not on biases and LayerNorm gains (Hugging Face's rule)
            assertTrue(a.optimizer().decays(VariableNames.CLASSIFIER_WEIGHT));
            assertFalse(a.optimizer().decays(VariableNames.CLASSIFIER_BIAS));
            assertFalse(a.optimizer().decays(VariableNames.EMBEDDINGS_LN_WEIGHT));
            assertEquals(0.01, a.optimizer().options().weightDecay());
        }
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
