package io.mlsm.models;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Names, shapes and initial values of a DeBERTa v1 model's parameters, as Hugging Face names and initialises them.
 *
 * <pre>{@code
 * Map<String, long[]> shapes = DebertaParameters.backboneAndMlmShapes(DebertaConfig.small());
 * }</pre>
 */
public final class DebertaParameters {

    private DebertaParameters() {
    }

    /**
     * Names and shapes of the backbone and MLM-head parameters for a configuration (word embeddings and
     * {@code cls.predictions.bias} have {@code V + k} rows).
     *
     * @return insertion-ordered map name → shape
     */
    public static Map<String, long[]> backboneAndMlmShapes(DebertaConfig c) {
        long h = c.hiddenSize();
        long out = c.outputVocabSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, new long[]{out, h});
        m.put(EMBEDDINGS_LN_WEIGHT, new long[]{h});
        m.put(EMBEDDINGS_LN_BIAS, new long[]{h});
        if (c.c2p() || c.p2c()) {
            m.put(REL_EMBEDDINGS, new long[]{2L * c.effectiveMaxRelativePositions(), h});
        }
        for (int l = 0; l < c.numLayers(); l++) {
            m.put(layer(l, IN_PROJ), new long[]{3 * h, h});
            m.put(layer(l, Q_BIAS), new long[]{h});
            m.put(layer(l, V_BIAS), new long[]{h});
            if (c.c2p()) {
                m.put(layer(l, POS_PROJ), new long[]{h, h});
            }
            if (c.p2c()) {
                m.put(layer(l, POS_Q_PROJ_WEIGHT), new long[]{h, h});
                m.put(layer(l, POS_Q_PROJ_BIAS), new long[]{h});
            }
            m.put(layer(l, ATTN_OUT_WEIGHT), new long[]{h, h});
            m.put(layer(l, ATTN_OUT_BIAS), new long[]{h});
            m.put(layer(l, ATTN_LN_WEIGHT), new long[]{h});
            m.put(layer(l, ATTN_LN_BIAS), new long[]{h});
            m.put(layer(l, INTERMEDIATE_WEIGHT), new long[]{c.intermediateSize(), h});
            m.put(layer(l, INTERMEDIATE_BIAS), new long[]{c.intermediateSize()});
            m.put(layer(l, OUTPUT_WEIGHT), new long[]{h, c.intermediateSize()});
            m.put(layer(l, OUTPUT_BIAS), new long[]{h});
            m.put(layer(l, OUTPUT_LN_WEIGHT), new long[]{h});
            m.put(layer(l, OUTPUT_LN_BIAS), new long[]{h});
        }
        m.put(MLM_DENSE_WEIGHT, new long[]{h, h});
        m.put(MLM_DENSE_BIAS, new long[]{h});
        m.put(MLM_LN_WEIGHT, new long[]{h});
        m.put(MLM_LN_BIAS, new long[]{h});
        m.put(MLM_BIAS, new long[]{out});
        return m;
    }

    /**
     * @return the shape of an optional head parameter (latent-to-vocabulary, pooler, classifier), or null for a
     *         name that is not one
     */
    static long[] optionalHeadShape(DebertaConfig c, String name, Map<String, INDArray> named) {
        long h = c.hiddenSize();
        switch (name) {
            case LATENT_TO_VOCAB_WEIGHT:
                return new long[]{c.vocabSize(), c.latentConcepts()};
            case LATENT_TO_VOCAB_BIAS:
                return new long[]{c.vocabSize()};
            case POOLER_WEIGHT:
                return new long[]{h, h};
            case POOLER_BIAS:
                return new long[]{h};
            case CLASSIFIER_WEIGHT: {
                INDArray b = named.get(CLASSIFIER_BIAS);
                return b == null ? null : new long[]{b.length(), h};
            }
            case CLASSIFIER_BIAS: {
                INDArray b = named.get(CLASSIFIER_BIAS);
                return b.rank() == 1 && b.length() >= 2 ? new long[]{b.length()} : null;
            }
            default:
                return null;
        }
    }

    /** @return a c-ordered copy in {@code dt} after checking the shape */
    static INDArray checkedCopy(String name, INDArray a, long[] expected, DataType dt) {
        if (!Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(expected));
        }
        return a.castTo(dt).dup('c');
    }

    /**
     * Hugging Face initialisation: LayerNorm gains 1, biases 0, every other weight ~ N(0, initializerRange) from a
     * generator seeded by {@code seed} and the parameter's name (so adding a head never changes other weights).
     */
    static INDArray initialValue(String name, long[] shape, DebertaConfig c, long seed, DataType dt) {
        boolean ones = name.endsWith("LayerNorm.weight");
        boolean zeros = name.endsWith(".bias") || name.endsWith("q_bias") || name.endsWith("v_bias");
        if (ones) {
            return Nd4j.ones(dt, shape);
        }
        if (zeros) {
            return Nd4j.zeros(dt, shape);
        }
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        long len = 1;
        for (long s : shape) {
            len *= s;
        }
        double[] v = new double[Math.toIntExact(len)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian() * c.initializerRange();
        }
        // a fresh compact array, not a reshaped view: the optimizer's fused update needs whole, unshared buffers
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
    }

    static void requireFloating(DataType dt) {
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameters must be FLOAT or DOUBLE, got " + dt);
        }
    }
}
