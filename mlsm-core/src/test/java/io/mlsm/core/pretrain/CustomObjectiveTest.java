package io.mlsm.core.pretrain;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.train.TrainingResult;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.GradientCheck;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.loss.LossGraph;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.loss.ObjectiveLosses;
import io.mlsm.models.loss.Targets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An objective defined entirely in user code — MLSM with a temperature τ on the student's concept logits,
 * {@code KL(p ‖ softmax(z / τ))} — trained through the fluent API without changing the library, checked against a
 * float64 reference computed here, and gradient-checked like the built-in terms. This file is the worked example of
 * {@code docs/architecture.md}.
 */
class CustomObjectiveTest {

    /** The user's loss term: one record. */
    record TemperatureMlsm(double tau) implements LossTerm {
        TemperatureMlsm {
            if (!(tau > 0)) {
                throw new IllegalArgumentException("tau must be > 0, got " + tau);
            }
        }

        @Override
        public String key() {
            return "mlsm_t";
        }

        @Override
        public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
            Targets.requireConcepts(model);
            Targets.requireRows(batch, Targets.CONCEPTS, targetCount, model.config().latentConcepts());
        }

        @Override
        public SDVariable build(LossGraph g) {
            SDVariable target = g.target(Targets.CONCEPTS, -1, g.config().latentConcepts());       // [N, k]
            SDVariable scaled = g.conceptLogits().div(tau);                                        // [N, k]
            return ObjectiveLosses.klDivergenceOverNonEmpty(g.sd(), scaled, target);
        }
    }

    /** The user's objective: the term, MLM masking, teacher + dictionary, the library's concept targets. */
    static Objective temperatureMlsm(double tau) {
        return Objective.builder("MLSM_T")
                .terms(mlmWeight -> TrainingObjective.of(new TemperatureMlsm(tau)))
                .needsTeacher().needsDictionary()
                .targets(TargetContext::conceptTargets)
                .build();
    }

    static DebertaConfig micro() {
        return DebertaConfig.builder().vocabSize(100).hiddenSize(32).numLayers(2).numHeads(2).intermediateSize(64)
                .maxPositions(64).maxRelativePositions(-1)
                .positionAttention(EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C))
                .layerNormEps(1e-7).hiddenDropout(0.0).attentionDropout(0.0).padTokenId(0).latentConcepts(0)
                .initializerRange(0.02).build();
    }

    @Test
    void trainsThroughTheFluentApiAndItsLossFalls(@TempDir Path tmp) throws IOException {
        Path corpus = ToyCorpus.write(tmp.resolve("corpus"), 600, 1);
        PretrainingResult r = Pretraining.twoPhase()
                .corpus(Corpus.lines(corpus))
                .trainTokenizer(60)
                .teacher(TeacherSpec.pretrainMlm(micro()).steps(120).learningRate(5e-3).warmupFraction(0.05))
                .dictionary(DictionarySpec.learn().atoms(24).lambda(0.05).layer(-1).sampleTokens(3000).batchSize(200)
                        .iterations(15))
                .objective(temperatureMlsm(0.5))
                .student(micro()).warmStart(false).steps(60).learningRate(5e-3).warmupFraction(0.05)
                .batchSize(16).listener(new TrainingListener() { }).outputDir(tmp.resolve("run")).seed(9)
                .fit();
        TrainingResult student = r.phase("student").orElseThrow();
        assertEquals(java.util.Set.of("mlsm_t"), student.curve().get(0).losses().keySet(),
                "the step computes the user's term only");
        double first = student.meanLoss("mlsm_t", 0, 5);
        double last = student.meanLoss("mlsm_t", 55, 60);
        assertTrue(last < 0.95 * first, "the custom loss must fall: " + first + " -> " + last);
    }

    @Test
    void equalsAFloat64ReferenceAndPassesTheGradientCheck() {
        DebertaConfig cfg = DebertaConfig.builder().vocabSize(13).hiddenSize(8).numLayers(1).numHeads(2)
                .intermediateSize(12).maxPositions(8).maxRelativePositions(-1)
                .positionAttention(EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C))
                .layerNormEps(1e-7).hiddenDropout(0.0).attentionDropout(0.0).padTokenId(0).latentConcepts(5)
                .initializerRange(0.4).build();
        DebertaModel m = DebertaModel.initialize(cfg, 11, DataType.DOUBLE);
        int[][] ids = {{1, 5, 5, 7, 2, 5}, {1, 9, 4, 3, 0, 0}};
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
        int[][] labels = {{-100, 6, -100, 7, -100, 11}, {-100, -100, 12, -100, -100, -100}};
        int[][] at = {{0, 1}, {0, 3}, {0, 5}, {1, 2}};                       // the 4 target positions, row-major
        double[][] p = distributions(4, 5, 3);                              // row 1 all zero: not counted
        TrainingBatch batch = TrainingBatch.of(ids, mask, labels).withConceptTargets(Nd4j.createFromArray(p));
        double tau = 2.0;

        // float64 reference from the model's own concept logits (inference, same weights)
        INDArray z = m.forward(ids, mask).conceptLogits();                 // [B, T, k]
        double sum = 0;
        int nonEmpty = 0;
        for (int n = 0; n < at.length; n++) {
            double[] logits = new double[5];
            for (int j = 0; j < 5; j++) {
                logits[j] = z.getDouble(at[n][0], at[n][1], j) / tau;
            }
            double max = java.util.Arrays.stream(logits).max().orElseThrow();
            double lse = 0;
            for (double v : logits) {
                lse += Math.exp(v - max);
            }
            lse = max + Math.log(lse);
            double kl = 0;
            boolean any = false;
            for (int j = 0; j < 5; j++) {
                if (p[n][j] > 0) {
                    kl += p[n][j] * (Math.log(p[n][j]) - (logits[j] - lse));
                    any = true;
                }
            }
            sum += kl;
            nonEmpty += any ? 1 : 0;
        }
        double expected = sum / nonEmpty;
        TrainingObjective custom = TrainingObjective.of(new TemperatureMlsm(tau));
        double got = m.computeLosses(custom, batch).get("mlsm_t");
        assertEquals(expected, got, 1e-12 * Math.max(1, Math.abs(expected)), "KL(p || softmax(z / tau))");
        // tau = 1 is exactly the built-in MLSM term; tau = 2 is not
        double builtIn = m.computeLosses(TrainingObjective.mlsm(), batch).get("mlsm");
        assertEquals(builtIn, m.computeLosses(TrainingObjective.of(new TemperatureMlsm(1.0)), batch).get("mlsm_t"),
                1e-12);
        assertNotEquals(builtIn, got, 1e-6);

        // alone and combined with a built-in term, the gradients pass the same check as the built-in terms
        GradientCheck.Result alone = GradientCheck.of(m, custom, batch).entriesPerParameter(2).run();
        assertTrue(alone.checked() > 20 && alone.maxRelativeError() < 1e-5, alone.worst());
        GradientCheck.Result joint = GradientCheck.of(m, custom.plus(new io.mlsm.models.loss.MlmLoss(), 0.5), batch)
                .entriesPerParameter(1).run();
        assertTrue(joint.maxRelativeError() < 1e-5, joint.worst());
    }

    @Test
    void misuseIsRejectedWithNamedErrors() {
        assertThrows(IllegalArgumentException.class, () -> new TemperatureMlsm(0));
        DebertaModel noConcepts = DebertaModel.initialize(micro(), 1, DataType.DOUBLE);
        TrainingBatch b = TrainingBatch.of(new int[][]{{1, 2}}, new int[][]{{1, 1}}, new int[][]{{-100, 3}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> noConcepts.computeLosses(TrainingObjective.of(new TemperatureMlsm(2)), b));
        assertTrue(e.getMessage().contains("latentConcepts = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingObjective.of(new TemperatureMlsm(2)).plus(new TemperatureMlsm(3), 1.0));
        assertTrue(e.getMessage().contains("mlsm_t"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objective.builder("NO_TERMS").build());
        assertTrue(e.getMessage().contains("no loss terms"), e.getMessage());
    }

    private static double[][] distributions(int rows, int width, long seed) {
        Random r = new Random(seed);
        double[][] p = new double[rows][width];
        for (int i = 0; i < rows; i++) {
            if (i == 1) {
                continue;
            }
            double s = 0;
            for (int j = 0; j < width; j++) {
                p[i][j] = j % 3 == i % 3 ? 0 : r.nextDouble();
                s += p[i][j];
            }
            for (int j = 0; j < width; j++) {
                p[i][j] /= s;
            }
        }
        return p;
    }
}
