package io.mlsm.models;

import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.io.Safetensors;
import io.mlsm.models.io.TinyFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Matches the Hugging Face {@code DebertaForMaskedLM} reference fixture ({@code fixtures/deberta-tiny}): logits,
 * every hidden state, the MLM loss and every parameter gradient, in float32.
 */
class HfReferenceTest {

    private static DebertaModel model;
    private static Map<String, INDArray> io;

    @BeforeAll
    static void load() throws Exception {
        DebertaConfig cfg = DebertaConfig.readHfConfig(TinyFixture.config());
        model = DebertaModel.fromParameters(cfg, Safetensors.read(TinyFixture.model()));
        io = Safetensors.read(TinyFixture.io());
    }

    /** max |a − b| / max |b| over the whole array. */
    static double relError(INDArray actual, INDArray expected) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double diff = Transforms.abs(actual.castTo(DataType.DOUBLE).sub(e)).maxNumber().doubleValue();
        return diff / Math.max(Transforms.abs(e).maxNumber().doubleValue(), 1e-30);
    }

    /** The direct float32 path (the default) and the SameDiff graph ({@code -Dmlsm.inference=graph}) both match. */
    @ParameterizedTest
    @ValueSource(strings = {"direct", "graph"})
    void logitsAndHiddenStatesMatchReference(String inference) {
        System.setProperty("mlsm.inference", inference);
        try {
            ForwardResult r = model.forward(io.get("input_ids"), io.get("attention_mask"));
            int layers = model.config().numLayers();
            assertEquals(layers + 1, r.hiddenStates().size());
            for (int i = 0; i <= layers; i++) {
                double err = relError(r.hiddenStates().get(i), io.get("hidden_states_" + i));
                assertTrue(err < 1e-5, inference + ": hidden state " + i + " relative error " + err);
            }
            double err = relError(r.logits(), io.get("logits"));
            System.out.printf("HfReferenceTest (%s): logits relative error %.3g%n", inference, err);
            assertTrue(err < 1e-5, inference + ": logits relative error " + err);
        } finally {
            System.clearProperty("mlsm.inference");
        }
    }

    @Test
    void lossAndEveryGradientMatchReference() {
        TrainingBatch batch = TrainingBatch.of(io.get("input_ids"), io.get("attention_mask"), io.get("labels"));
        StepResult step = model.computeGradients(TrainingObjective.mlm(), batch);
        double expectedLoss = io.get("loss").getDouble(0);
        assertEquals(expectedLoss, step.total(), 1e-5 * Math.abs(expectedLoss), "MLM loss");
        int checked = 0;
        double worst = 0;
        for (Map.Entry<String, INDArray> e : io.entrySet()) {
            if (!e.getKey().startsWith("grad.")) {
                continue;
            }
            String name = e.getKey().substring("grad.".length());
            INDArray g = step.gradients().get(name);
            assertTrue(g != null, "no gradient for " + name);
            double err = relError(g, e.getValue());
            worst = Math.max(worst, err);
            assertTrue(err < 1e-3, "gradient of " + name + " relative error " + err);
            checked++;
        }
        System.out.printf("HfReferenceTest: loss %.8f vs %.8f, worst gradient relative error %.3g%n", step.total(),
                expectedLoss, worst);
        assertEquals(model.parameters().size(), checked, "every parameter has a reference gradient");
        assertEquals(model.parameters().size(), step.gradients().size());
        assertTrue(step.gradients().containsKey(VariableNames.WORD_EMBEDDINGS));
    }
}
