package io.mlsm.models.graph;

import io.mlsm.models.DebertaConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Inverted-dropout masks for a training graph's {@code dropout.*} placeholders, drawn from one seed in placeholder
 * order: the same seed gives the same masks, so a step can be recomputed exactly (resume, loss re-evaluation).
 * Masks are Bernoulli(keep) scaled by {@code 1 / keep}; each site's shape follows from its name.
 *
 * <pre>{@code
 * DropoutMasks.fill(graph, placeholders, config, DataType.FLOAT, batch, seqLen, stepSeed);
 * }</pre>
 */
public final class DropoutMasks {

    private DropoutMasks() {
    }

    /**
     * @param g      the graph whose dropout placeholders to fill
     * @param ph     placeholder map to add the masks to
     * @param config dropout rates and sizes
     * @param dt     the model's data type
     * @param bs     batch size B
     * @param t      sequence length T
     * @param seed   seed of this step's masks
     */
    public static void fill(CompiledGraph g, Map<String, INDArray> ph, DebertaConfig config, DataType dt, int bs,
                            int t, long seed) {
        fill(g, ph, config, dt, bs, t, generator(seed));
    }

    /**
     * The native generator for a step's masks. ND4J's native generator treats seed 0 as "seed from the clock" (two
     * processes drew different masks for it) and lets seeds that agree in their low 32 bits start alike, so the seed
     * is mixed (SplitMix64's finaliser) into a value whose low half is never zero: every seed, 0 included, gives the
     * same masks in every process.
     *
     * @param seed the step's dropout seed (any value)
     * @return a fresh generator
     */
    public static Random generator(long seed) {
        return Nd4j.getRandomFactory().getNewRandomInstance(nativeSeed(seed));
    }

    /** @return {@code seed} mixed for ND4J's native generator: a bijective mix, with a low half that is not zero */
    static long nativeSeed(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) z == 0 ? z | 1 : z;
    }

    /**
     * The same, drawing from {@code rng} where another part of the step (the direct encoder) drew its masks first.
     */
    public static void fill(CompiledGraph g, Map<String, INDArray> ph, DebertaConfig config, DataType dt, int bs,
                            int t, Random rng) {
        for (String name : g.dropoutPlaceholders()) {
            ph.put(name, draw(name, config, dt, bs, t, rng));
        }
    }

    /**
     * The next mask from {@code rng} for the dropout site {@code name} (a {@code dropout.*} name of
     * {@link VariableNames}): Bernoulli(keep) scaled by {@code 1 / keep}, its shape and rate following from the name.
     * Drawing the sites in the graph's placeholder order gives the graph's masks.
     */
    public static INDArray draw(String name, DebertaConfig config, DataType dt, int bs, int t, Random rng) {
        return drawInto(name, config, bs, t, rng, Nd4j.createUninitialized(dt, shape(name, config, bs, t)));
    }

    /** @return the shape of site {@code name}'s mask for a batch of B × T */
    public static long[] shape(String name, DebertaConfig config, int bs, int t) {
        long h = config.hiddenSize();
        if (name.endsWith(SITE_ATTENTION_PROBS)) {
            return new long[]{(long) config.numHeads() * bs, t, t};
        } else if (name.endsWith(SITE_REL_C2P) || name.endsWith(SITE_REL_P2C)) {
            return new long[]{2L * t, h};
        } else if (name.equals(DROPOUT_POOLER)) {
            return new long[]{bs, h};
        }
        return new long[]{(long) bs * t, h};
    }

    /**
     * {@link #draw} into an existing array of the site's {@link #shape} (reused from step to step: fresh native
     * arrays cost their page faults).
     *
     * @return {@code into}
     */
    public static INDArray drawInto(String name, DebertaConfig config, int bs, int t, Random rng, INDArray into) {
        if (!java.util.Arrays.equals(into.shape(), shape(name, config, bs, t))) {
            throw new IllegalArgumentException("mask array for " + name + " is " + java.util.Arrays.toString(
                    into.shape()) + ", expected " + java.util.Arrays.toString(shape(name, config, bs, t)));
        }
        double drop = name.endsWith(SITE_ATTENTION_PROBS) ? config.attentionDropout() : config.hiddenDropout();
        double keep = 1.0 - drop;
        Nd4j.getExecutioner().exec(new BernoulliDistribution(into, keep), rng);
        return into.muli(1.0 / keep);
    }
}
