package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.ForwardResult;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.optim.AdamW;
import io.mlsm.models.optim.GradientClipping;
import io.mlsm.models.optim.LearningRateSchedule;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.io.SafetensorsTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hugging Face directory and training-checkpoint round trips through the real model's outputs. */
class ModelRoundTripTest {

    private static Map<String, INDArray> io;

    @BeforeAll
    static void readInputs() throws Exception {
        io = Safetensors.read(TinyFixture.io());
    }

    @Test
    void hfDirectoryLoadExportLoadGivesIdenticalOutputs(@TempDir Path tmp) throws Exception {
        DebertaModel a = HfDebertaDirectory.loadModel(TinyFixture.dir());
        HfDebertaDirectory.export(tmp, a, Provenance.builder("test").build());
        DebertaModel b = HfDebertaDirectory.loadModel(tmp);
        assertEquals(a.config(), b.config());
        a.parameters().forEach((k, v) -> assertBitEqual(v, b.parameters().get(k), k));

        ForwardResult ra = a.forward(io.get("input_ids"), io.get("attention_mask"));
        ForwardResult rb = b.forward(io.get("input_ids"), io.get("attention_mask"));
        assertBitEqual(ra.logits(), rb.logits(), "logits");
        for (int i = 0; i < ra.hiddenStates().size(); i++) {
            assertBitEqual(ra.hiddenStates().get(i), rb.hiddenStates().get(i), "hidden state " + i);
        }
        // and the re-loaded model still reproduces the Hugging Face reference logits
        assertTrue(relError(rb.logits(), io.get("logits")) < 1e-5);
    }

    @Test
    void latentConceptLayoutRoundTripsThroughTheModel(@TempDir Path tmp) throws Exception {
        DebertaConfig c = DebertaConfig.tiny().withLatentConcepts(20);
        DebertaModel a = DebertaModel.initialize(c, 5);
        HfDebertaDirectory.export(tmp, a, null);
        assertEquals(520, new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("config.json").toFile()).get("vocab_size").intValue());
        DebertaModel b = HfDebertaDirectory.loadModel(tmp);
        assertEquals(c, b.config());
        ForwardResult ra = a.forward(io.get("input_ids"), io.get("attention_mask"));
        ForwardResult rb = b.forward(io.get("input_ids"), io.get("attention_mask"));
        assertEquals(20, ra.conceptLogits().size(2));
        assertEquals(500, ra.logits().size(2));
        assertBitEqual(ra.logits(), rb.logits(), "vocabulary logits");
        assertBitEqual(ra.conceptLogits(), rb.conceptLogits(), "concept logits");
    }

    @Test
    void checkpointResumeContinuesBitForBit(@TempDir Path run) throws Exception {
        TrainingBatch batch = TrainingBatch.of(io.get("input_ids"), io.get("attention_mask"), io.get("labels"));
        LearningRateSchedule lr = LearningRateSchedule.linearWarmupDecay(1e-3, 1, 10);
        DebertaModel model = HfDebertaDirectory.loadModel(TinyFixture.dir());
        AdamW opt = new AdamW(AdamW.Options.defaults());
        trainStep(model, opt, batch, lr, 101);

        Path dir = TrainingCheckpoint.directoryFor(run, opt.step());
        new TrainingCheckpoint(model.config(), model.parameters(), opt.stateTensors(), opt.stateMetadata(),
                new TrainerState(opt.step(), 7, 0, 1, Map.of(), List.of(), null, null, Map.of()),
                Provenance.builder("training-checkpoint").seed(7).build()).write(dir);

        TrainingCheckpoint cp = TrainingCheckpoint.read(TrainingCheckpoint.latest(run).orElseThrow());
        DebertaModel resumed = DebertaModel.fromParameters(cp.config(), cp.weights());
        AdamW resumedOpt = new AdamW(AdamW.Options.defaults());
        resumedOpt.restore(cp.optimizerTensors(), cp.optimizerMetadata(), resumed.parameters(), dir.toString());
        assertEquals(1, resumedOpt.step());

        double lossA = trainStep(model, opt, batch, lr, 202);
        double lossB = trainStep(resumed, resumedOpt, batch, lr, 202);
        assertEquals(Double.doubleToRawLongBits(lossA), Double.doubleToRawLongBits(lossB), "loss of step 2");
        model.parameters().forEach((k, v) -> assertBitEqual(v, resumed.parameters().get(k), k));
    }

    private static double trainStep(DebertaModel m, AdamW opt, TrainingBatch batch, LearningRateSchedule lr,
                                    long dropoutSeed) {
        StepResult r = m.computeGradients(TrainingObjective.mlm(), batch, dropoutSeed);
        Map<String, INDArray> grads = new LinkedHashMap<>(r.gradients());
        GradientClipping.clipGlobalNorm(grads, 1.0);
        opt.step(m.parameters(), grads, lr.at(opt.step()));
        return r.total();
    }

    private static double relError(INDArray actual, INDArray expected) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double diff = Transforms.abs(actual.castTo(DataType.DOUBLE).sub(e)).maxNumber().doubleValue();
        return diff / Transforms.abs(e).maxNumber().doubleValue();
    }
}
