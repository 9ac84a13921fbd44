package io.mlsm.models;

import io.mlsm.models.TrainingObjective.Scope;
import io.mlsm.models.graph.VariableNames;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 central-difference gradient checks of every loss and every block on tiny configurations: padding in the
 * attention mask, repeated input ids (scatter-add of the embedding gradient), a sequence longer than the relative
 * span (clamped relative positions), dropout masks from a seed, all-zero MLSM target rows, frozen parameters.
 */
class GradientCheckTest {

    private static final double EPS = 1e-5;
    private static final double TOLERANCE = 1e-5;

    static DebertaConfig tinyConfig(int layers, int concepts, double dropout, int maxRel) {
        return DebertaConfig.builder().vocabSize(13).hiddenSize(8).numLayers(layers).numHeads(2)
                .intermediateSize(12).maxPositions(8).maxRelativePositions(maxRel)
                .positionAttention(EnumSet.of(DebertaConfig.PositionAttention.C2P, DebertaConfig.PositionAttention.P2C))
                .layerNormEps(1e-7).hiddenDropout(dropout).attentionDropout(dropout).padTokenId(0)
                .latentConcepts(concepts).initializerRange(0.4).build();
    }

    /** A model whose every parameter (LayerNorm gains and biases included) is randomised. */
    static DebertaModel randomModel(DebertaConfig cfg, long seed) {
        DebertaModel m = DebertaModel.initialize(cfg, seed, DataType.DOUBLE);
        if (cfg.latentConcepts() > 0) {
            m.addLatentToVocabHead(seed + 1);
        }
        m.addClassificationHead(3, seed + 2);
        Random r = new Random(seed);
        for (INDArray p : m.parameters().values()) {
            double[] noise = new double[(int) p.length()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = 0.2 * r.nextGaussian();
            }
            p.addi(Nd4j.createFromArray(noise).reshape(p.shape()));
        }
        return m;
    }

    /** B = 2, T = 6; second row padded at the end; repeated ids; 4 target positions. */
    static TrainingBatch batch() {
        int[][] ids = {{1, 5, 5, 7, 2, 5}, {1, 9, 4, 3, 0, 0}};
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
        int[][] labels = {{-100, 6, -100, 7, -100, 11}, {-100, -100, 12, -100, -100, -100}};
        return TrainingBatch.of(ids, mask, labels);
    }

    static INDArray randomDistributions(int rows, int width, long seed, boolean zeroRow) {
        Random r = new Random(seed);
        double[][] p = new double[rows][width];
        for (int i = 0; i < rows; i++) {
            if (zeroRow && i == 1) {
                continue;
            }
            double sum = 0;
            for (int j = 0; j < width; j++) {
                p[i][j] = (j % 3 == i % 3) ? 0 : r.nextDouble();      // some exact zeros
                sum += p[i][j];
            }
            for (int j = 0; j < width; j++) {
                p[i][j] /= sum;
            }
        }
        return Nd4j.createFromArray(p);
    }

    /**
     * Checks up to {@code perParam} random entries of every gradient against central differences of the total loss.
     */
    static void check(DebertaModel m, TrainingObjective obj, TrainingBatch b, Long seed, Set<String> expectedNames,
                      int perParam) {
        check(m, obj, b, seed, expectedNames, perParam, name -> true);
    }

    /** As above, checking entries only of the parameters {@code sampled} accepts (all gradients must exist). */
    static void check(DebertaModel m, TrainingObjective obj, TrainingBatch b, Long seed, Set<String> expectedNames,
                      int perParam, java.util.function.Predicate<String> sampled) {
        GradientCheck.Result r = GradientCheck.of(m, obj, b).dropoutSeed(seed).entriesPerParameter(perParam)
                .sampled(sampled).epsilon(EPS).run();
        assertEquals(expectedNames, r.parameters(), "parameters with gradients");
        assertTrue(r.checked() > 0);
        assertTrue(r.maxRelativeError() < TOLERANCE, r.worst());
    }

    private static Set<String> namesExcept(DebertaModel m, String... prefixes) {
        Set<String> s = new java.util.TreeSet<>();
        outer:
        for (String n : m.parameters().keySet()) {
            for (String p : prefixes) {
                if (n.startsWith(p)) {
                    continue outer;
                }
            }
            s.add(n);
        }
        return s;
    }

    /** Heads, embeddings and one of each attention parameter: enough to cover a loss term's own graph. */
    static boolean headsAndAttention(String n) {
        return !n.startsWith("deberta.") || n.startsWith("deberta.embeddings.") || n.contains("rel_embeddings")
                || n.contains("in_proj") || n.contains("pos_q_proj.weight") || n.contains("output.LayerNorm.weight");
    }

    @Test
    void mlmWithDropoutPaddingAndClampedRelativePositions() {
        // T = 6 > maxRelativePositions = 3: relative positions are clamped as in Hugging Face
        DebertaModel m = randomModel(tinyConfig(2, 0, 0.1, 3), 1);
        check(m, TrainingObjective.mlm(), batch(), 99L,
                namesExcept(m, "pooler.", "classifier."), 1);
    }

    @Test
    void kdPlusMlm() {
        DebertaModel m = randomModel(tinyConfig(1, 0, 0.0, -1), 2);
        TrainingBatch b = batch().withTeacherProbs(randomDistributions(4, 13, 5, false));
        check(m, TrainingObjective.kdPlusMlm(0.7), b, null, namesExcept(m, "pooler.", "classifier."), 1,
                GradientCheckTest::headsAndAttention);
    }

    @Test
    void mlsmPlusMlmWithAnAllZeroTargetRow() {
        DebertaModel m = randomModel(tinyConfig(1, 5, 0.0, -1), 3);
        TrainingBatch b = batch().withConceptTargets(randomDistributions(4, 5, 6, true));
        check(m, TrainingObjective.mlsmPlusMlm(0.5), b, null,
                namesExcept(m, "pooler.", "classifier.", "cls.latent_to_vocab."), 1, GradientCheckTest::headsAndAttention);
    }

    @Test
    void kdAndMlsmAlone() {
        DebertaModel m = randomModel(tinyConfig(1, 5, 0.0, -1), 4);
        TrainingBatch b = batch().withConceptTargets(randomDistributions(4, 5, 7, true))
                .withTeacherProbs(randomDistributions(4, 13, 8, false));
        Set<String> names = namesExcept(m, "pooler.", "classifier.", "cls.latent_to_vocab.");
        check(m, TrainingObjective.mlsm(), b, null, names, 1, n -> n.startsWith("cls."));
        check(m, TrainingObjective.kd(), b, null, names, 1, n -> n.startsWith("cls."));
    }

    @Test
    void latentToVocabTrainsOnlyItsHead() {
        DebertaModel m = randomModel(tinyConfig(1, 5, 0.1, -1), 5);
        check(m, TrainingObjective.latentToVocab(), batch(), 3L,
                Set.of(VariableNames.LATENT_TO_VOCAB_WEIGHT, VariableNames.LATENT_TO_VOCAB_BIAS), 3);
    }

    @Test
    void classificationWithDropout() {
        DebertaModel m = randomModel(tinyConfig(1, 0, 0.1, -1), 6);
        TrainingBatch b = batch().withClassLabels(Nd4j.createFromArray(2, 0));
        check(m, TrainingObjective.classification(), b, 11L,
                namesExcept(m, "cls."), 1, GradientCheckTest::headsAndAttention);
        check(m, TrainingObjective.classification().withScope(Scope.HEADS_ONLY), b, 11L,
                Set.of(VariableNames.POOLER_WEIGHT, VariableNames.POOLER_BIAS, VariableNames.CLASSIFIER_WEIGHT,
                        VariableNames.CLASSIFIER_BIAS), 1);
    }
}
