package io.mlsm.core.train;

import io.mlsm.core.data.Masking;
import io.mlsm.core.listen.StepMetrics;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.models.io.TrainingCheckpoint;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    private static TrainingOptions.Builder options() {
        return TrainingOptions.builder().learningRate(3e-3).warmupFraction(0.05).weightDecay(0.01).clipNorm(1.0)
                .seed(5);
    }

    @Test
    void mlmLossFallsOnAPlantedTask() {
        DebertaModel model = DebertaModel.initialize(SyntheticTask.config(), 1);
        TrainingResult r = new Trainer("teacher", model, TrainingObjective.mlm(),
                SyntheticTask.stream(Masking.mlm(), 3), TargetSource.none(), options().steps(100).learningRate(5e-3).build(), null)
                .fit();
        assertEquals(100, r.steps());
        double first = r.meanLoss("mlm", 0, 10);
        double last = r.meanLoss("mlm", 90, 100);
        // uniform guessing over 24 ids costs ln 24 = 3.18; a learnt run predicts neighbours far better
        assertTrue(first > 2.5, "initial loss " + first);
        assertTrue(last < 0.75 * first, "MLM loss must fall clearly: first " + first + ", last " + last);
    }

    @Test
    void resumeReproducesTheUninterruptedRun(@TempDir Path tmp) throws Exception {
        TrainingOptions full = options().steps(12).accumulation(2).build();
        DebertaModel a = DebertaModel.initialize(SyntheticTask.config(), 2);
        List<Double> uninterrupted = losses(new Trainer("teacher", a, TrainingObjective.mlm(),
                SyntheticTask.stream(Masking.mlm(), 4), TargetSource.none(), full, null).fit());

        Path dir = tmp.resolve("ckpt");
        DebertaModel b = DebertaModel.initialize(SyntheticTask.config(), 2);
        // an interrupted run: the same plan, killed right after the checkpoint of step 5
        TrainingOptions withCheckpoints = full.toBuilder().checkpointDir(dir).checkpointEvery(5).build();
        List<Double> firstPart = new java.util.ArrayList<>();
        TrainingListener crashAfterFive = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                firstPart.add(m.loss());
            }

            @Override
            public void onCheckpoint(long step, Path path) {
                throw new IllegalStateException("simulated crash after step " + step);
            }
        };
        assertThrows(IllegalStateException.class, () -> new Trainer("teacher", b, TrainingObjective.mlm(),
                SyntheticTask.stream(Masking.mlm(), 4), TargetSource.none(), withCheckpoints, crashAfterFive).fit());
        assertEquals(5, firstPart.size());
        assertTrue(TrainingCheckpoint.latest(dir).isPresent());

        DebertaModel c = DebertaModel.initialize(SyntheticTask.config(), 99);  // different init: weights must load
        TrainingResult rest = new Trainer("teacher", c, TrainingObjective.mlm(), SyntheticTask.stream(Masking.mlm(), 4),
                TargetSource.none(), withCheckpoints, null).fit();
        assertEquals(5, rest.resumedFrom());
        // bit for bit: the tests run libnd4j with OMP_NUM_THREADS=1 (see docs/samediff-notes.md)
        List<Double> resumed = new java.util.ArrayList<>(firstPart);
        resumed.addAll(losses(rest));
        assertEquals(uninterrupted, resumed, "losses after resume must equal the uninterrupted run exactly");
        for (Map.Entry<String, INDArray> e : a.parameters().entrySet()) {
            assertEquals(e.getValue(), c.parameter(e.getKey()), "final weights differ at " + e.getKey());
        }
    }

    @Test
    void divergenceStopsBeforeTheUpdate() {
        DebertaModel model = DebertaModel.initialize(SyntheticTask.config(), 3);
        String name = model.parameters().keySet().stream().filter(n -> n.endsWith("attention.output.dense.weight"))
                .findFirst().orElseThrow();
        model.parameter(name).putScalar(0, 0, Double.NaN);
        Map<String, INDArray> before = model.parameters().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().dup()));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new Trainer("teacher",
                model, TrainingObjective.mlm(), SyntheticTask.stream(Masking.mlm(), 3), TargetSource.none(),
                options().steps(3).build(), null).fit());
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("step 1"), e.getMessage());
        for (Map.Entry<String, INDArray> p : before.entrySet()) {
            if (!p.getKey().equals(name)) {
                assertEquals(p.getValue(), model.parameter(p.getKey()), "updated despite NaN: " + p.getKey());
            }
        }
    }

    @Test
    void badOptionsAreRejected(@TempDir Path tmp) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TrainingOptions.builder().steps(0).build());
        assertThrows(IllegalArgumentException.class, () -> TrainingOptions.builder().learningRate(-1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.builder().checkpointEvery(10).build());
        assertTrue(e.getMessage().contains("checkpointDir"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.builder().steps(10).checkpointDir(tmp).checkpointAt(11).build());
        assertFalse(Files.list(tmp).findAny().isPresent(), "nothing may be written for rejected options");
    }

    private static List<Double> losses(TrainingResult r) {
        return r.curve().stream().map(StepMetrics::loss).toList();
    }

    @Test
    void periodicValidationReportsTheHeldOutLossOfTheModelAtThatStep() {
        DebertaModel model = DebertaModel.initialize(SyntheticTask.config(), 3);
        io.mlsm.core.data.BatchStream heldOut = SyntheticTask.stream(Masking.mlm(), 77);
        List<io.mlsm.core.listen.EvaluationMetrics> seen = new java.util.ArrayList<>();
        List<Map<String, Double>> recomputed = new java.util.ArrayList<>();
        TrainingListener check = new TrainingListener() {
            @Override
            public void onEvaluation(io.mlsm.core.listen.EvaluationMetrics m) {
                seen.add(m);
                // the same held-out batches through the model as it is now, outside the trainer
                Map<String, Double> mean = new java.util.LinkedHashMap<>();
                for (int i = 0; i < 2; i++) {
                    io.mlsm.core.data.Batch b = heldOut.batch(i);
                    model.computeLosses(TrainingObjective.mlm(), io.mlsm.models.TrainingBatch.of(
                            b.inputIdsArray(org.nd4j.linalg.api.buffer.DataType.INT32),
                            b.attentionMaskArray(model.dataType()),
                            b.labelsArray(org.nd4j.linalg.api.buffer.DataType.INT32)))
                            .forEach((k, v) -> mean.merge(k, v / 2, Double::sum));
                }
                recomputed.add(mean);
            }
        };
        new Trainer("teacher", model, TrainingObjective.mlm(), SyntheticTask.stream(Masking.mlm(), 3),
                TargetSource.none(), options().steps(7).build(), check).validation(heldOut, 2, 3).fit();
        assertEquals(List.of(3L, 6L, 7L), seen.stream().map(io.mlsm.core.listen.EvaluationMetrics::step).toList(),
                "every 3 steps and after the last");
        for (int i = 0; i < seen.size(); i++) {
            assertEquals("valid", seen.get(i).name());
            assertEquals(recomputed.get(i), seen.get(i).metrics());
            assertTrue(seen.get(i).metrics().keySet().containsAll(List.of("mlm", "total")));
        }
        assertThrows(IllegalArgumentException.class, () -> new Trainer("teacher", model, TrainingObjective.mlm(),
                heldOut, TargetSource.none(), options().steps(1).build(), null).validation(heldOut, 0, 1));
    }
}
