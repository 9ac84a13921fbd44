package io.mlsm.models;

import io.mlsm.models.optim.AdamW;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training behaviour: a tiny model learns a synthetic masked-token task (loss falls clearly), dropout is
 * deterministic per seed, gradients are fresh arrays, and a head-only objective leaves every frozen weight
 * bit-identical.
 */
class TrainingBehaviourTest {

    static final int MASK = 4;
    static final int V = 24;

    static DebertaConfig config(int concepts) {
        return DebertaConfig.builder().vocabSize(V).hiddenSize(32).numLayers(2).numHeads(4).intermediateSize(64)
                .maxPositions(16).maxRelativePositions(-1)
                .positionAttention(EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C))
                .layerNormEps(1e-7).hiddenDropout(0.1).attentionDropout(0.1).padTokenId(0).latentConcepts(concepts)
                .initializerRange(0.02).build();
    }

    /**
     * Sequences counting upwards modulo 19 from a random start (ids 5..23); 2 random positions per row are masked:
     * each masked token is predictable from its neighbours.
     */
    static TrainingBatch countingBatch(Random r, int b, int t) {
        int[][] ids = new int[b][t];
        int[][] mask = new int[b][t];
        int[][] labels = new int[b][t];
        for (int i = 0; i < b; i++) {
            int start = r.nextInt(19);
            for (int j = 0; j < t; j++) {
                ids[i][j] = 5 + (start + j) % 19;
                mask[i][j] = 1;
                labels[i][j] = TrainingBatch.IGNORE;
            }
            for (int k = 0; k < 2; k++) {
                int j = 1 + r.nextInt(t - 2);
                if (labels[i][j] == TrainingBatch.IGNORE) {
                    labels[i][j] = ids[i][j];
                    ids[i][j] = MASK;
                }
            }
        }
        return TrainingBatch.of(ids, mask, labels);
    }

    /** Trains for {@code steps} AdamW steps; returns held-out MLM loss before and after. */
    static double[] train(int steps) {
        DebertaModel model = DebertaModel.initialize(config(0), 5);
        AdamW adam = new AdamW(AdamW.Options.defaults());
        Random r = new Random(3);
        TrainingBatch eval = countingBatch(new Random(1234), 16, 12);
        double before = model.computeLosses(TrainingObjective.mlm(), eval).get("mlm");
        for (int step = 0; step < steps; step++) {
            StepResult s = model.computeGradients(TrainingObjective.mlm(), countingBatch(r, 8, 12), step);
            assertTrue(Double.isFinite(s.total()), "finite loss at step " + step);
            adam.step(model.parameters(), s.gradients(), 3e-3);
        }
        double after = model.computeLosses(TrainingObjective.mlm(), eval).get("mlm");
        System.out.printf("TrainingBehaviourTest: held-out MLM loss %.4f -> %.4f after %d steps%n", before, after,
                steps);
        return new double[]{before, after};
    }

    @Test
    void tinyModelLearnsSyntheticMaskedTaskIn150Steps() {
        double[] loss = train(150);
        assertTrue(loss[0] > 2.5, "initial loss near ln(V): " + loss[0]);
        assertTrue(loss[1] < 0.5 * loss[0], "loss fell from " + loss[0] + " to " + loss[1]);
    }

    @Test
    @Tag("slow")
    void tinyModelLearnsSyntheticMaskedTaskIn300Steps() {
        double[] loss = train(300);
        assertTrue(loss[0] > 2.5, "initial loss near ln(V): " + loss[0]);
        assertTrue(loss[1] < 0.25 * loss[0], "loss fell from " + loss[0] + " to " + loss[1]);
    }

    /**
     * {@link #countingBatch} with MLSM concept targets: each target row is concept {@code label mod k} (one-hot), as
     * predictable as the masked token.
     */
    static TrainingBatch conceptBatch(Random r, int b, int t, int k) {
        TrainingBatch batch = countingBatch(r, b, t);
        int[] rows = TrainingStep.targetPositions(batch, V);
        float[][] p = new float[rows.length][k];
        for (int i = 0; i < rows.length; i++) {
            int label = batch.labels().getInt(rows[i] / t, rows[i] % t);
            p[i][label % k] = 1f;
        }
        return batch.withConceptTargets(Nd4j.createFromArray(p));
    }

    /**
     * MLSM alone learns planted concept targets: the held-out loss (the KL divergence from the targets; ln k for a
     * uniform prediction and one-hot targets) at least halves, the criterion of the MLM test above.
     */
    @Test
    void tinyModelLearnsPlantedConceptTargets() {
        int k = 6;
        DebertaModel model = DebertaModel.initialize(config(k), 5);
        AdamW adam = new AdamW(AdamW.Options.defaults());
        Random r = new Random(3);
        TrainingBatch eval = conceptBatch(new Random(1234), 16, 12, k);
        double before = model.computeLosses(TrainingObjective.mlsm(), eval).get("mlsm");
        for (int step = 0; step < 150; step++) {
            StepResult s = model.computeGradients(TrainingObjective.mlsm(), conceptBatch(r, 8, 12, k), step);
            adam.step(model.parameters(), s.gradients(), 3e-3);
        }
        double after = model.computeLosses(TrainingObjective.mlsm(), eval).get("mlsm");
        System.out.printf("TrainingBehaviourTest: held-out MLSM loss %.4f -> %.4f after 150 steps%n", before, after);
        assertEquals(Math.log(k), before, 0.1, "initial loss near ln(k)");
        assertTrue(after < 0.5 * before, "MLSM loss fell from " + before + " to " + after);
    }

    @Test
    void dropoutIsDeterministicPerSeedAndGradientsAreFreshArrays() {
        DebertaModel model = DebertaModel.initialize(config(0), 6);
        TrainingBatch b = countingBatch(new Random(9), 4, 10);
        StepResult a1 = model.computeGradients(TrainingObjective.mlm(), b, 42L);
        INDArray g1 = a1.gradients().get("deberta.encoder.layer.0.attention.self.in_proj.weight").dup();
        StepResult other = model.computeGradients(TrainingObjective.mlm(), b, 43L);
        StepResult a2 = model.computeGradients(TrainingObjective.mlm(), b, 42L);
        assertEquals(a1.total(), a2.total(), 0.0, "same seed, same loss");
        assertTrue(other.total() != a1.total(), "another seed, other dropout masks");
        assertEquals(g1, a1.gradients().get("deberta.encoder.layer.0.attention.self.in_proj.weight"),
                "gradients of an earlier call are not overwritten by later calls");
        double noDropout = model.computeLosses(TrainingObjective.mlm(), b).get("mlm");
        assertEquals(noDropout, model.computeGradients(TrainingObjective.mlm(), b).total(), 1e-6);
    }

    @Test
    void headOnlyTrainingLeavesFrozenWeightsBitIdentical() {
        DebertaModel model = DebertaModel.initialize(config(6), 7);
        model.addLatentToVocabHead(8);
        Map<String, INDArray> before = new HashMap<>();
        model.parameters().forEach((n, p) -> before.put(n, p.dup()));
        AdamW adam = new AdamW(AdamW.Options.defaults());
        Random r = new Random(4);
        for (int step = 0; step < 5; step++) {
            StepResult s = model.computeGradients(TrainingObjective.latentToVocab(), countingBatch(r, 4, 10), step);
            assertEquals(java.util.Set.of("cls.latent_to_vocab.weight", "cls.latent_to_vocab.bias"),
                    s.gradients().keySet());
            adam.step(model.parameters(), s.gradients(), 1e-2);
        }
        for (Map.Entry<String, INDArray> e : model.parameters().entrySet()) {
            boolean head = e.getKey().startsWith("cls.latent_to_vocab.");
            boolean same = e.getValue().equals(before.get(e.getKey()));
            if (head) {
                assertFalse(same, e.getKey() + " was trained");
            } else {
                assertTrue(same, e.getKey() + " is frozen and must be bit-identical");
            }
        }
    }

    @Test
    void rejectsBadInputs() {
        DebertaModel model = DebertaModel.initialize(config(0), 1);
        TrainingBatch outOfVocab = TrainingBatch.of(new int[][]{{1, V}}, new int[][]{{1, 1}}, new int[][]{{-100, 3}});
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.computeGradients(TrainingObjective.mlm(), outOfVocab));
        assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
        TrainingBatch ok = TrainingBatch.of(new int[][]{{1, 2}}, new int[][]{{1, 1}}, new int[][]{{-100, 3}});
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.computeGradients(TrainingObjective.kd(), ok.withTeacherProbs(Nd4j.ones(2, V))));
        assertTrue(e.getMessage().contains("target 'teacher_probs' must be [1, " + V + "]"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.computeGradients(TrainingObjective.mlsm(), ok));
        assertTrue(e.getMessage().contains("latentConcepts = 0"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.setParameter("deberta.embeddings.LayerNorm.weight", Nd4j.ones(3)));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());
    }
}
