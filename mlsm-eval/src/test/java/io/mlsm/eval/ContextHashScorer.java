package io.mlsm.eval;

import io.mlsm.eval.pll.MaskedLmScorer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic fake masked LM for tests: the logits at a position are a pseudo-random function of the whole
 * visible context (every real token and its index, as selected by the attention mask) and the position, so a
 * batching or masking mistake changes the result. It checks the {@link MaskedLmScorer} contract on every call:
 * rectangular batch, right padding with {@code padId} and mask 0, scored position real.
 */
public final class ContextHashScorer implements MaskedLmScorer {

    private final int vocab;
    private final long seed;
    private final int padId;
    public final AtomicLong calls = new AtomicLong();
    public final AtomicLong maxTokensPerCall = new AtomicLong();
    public final AtomicLong maxRowsPerCall = new AtomicLong();

    public ContextHashScorer(int vocab, long seed, int padId) {
        this.vocab = vocab;
        this.seed = seed;
        this.padId = padId;
    }

    @Override
    public float[] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets) {
        int b = ids.length;
        if (attentionMask.length != b || positions.length != b || targets.length != b || b == 0) {
            throw new AssertionError("batch arrays disagree");
        }
        int t = ids[0].length;
        calls.incrementAndGet();
        maxTokensPerCall.accumulateAndGet((long) b * t, Math::max);
        maxRowsPerCall.accumulateAndGet(b, Math::max);
        float[] out = new float[b];
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t || attentionMask[r].length != t) {
                throw new AssertionError("ragged batch");
            }
            boolean padding = false;
            for (int k = 0; k < t; k++) {
                if (attentionMask[r][k] == 0) {
                    padding = true;
                    if (ids[r][k] != padId) {
                        throw new AssertionError("padding position " + k + " holds id " + ids[r][k]);
                    }
                } else if (padding) {
                    throw new AssertionError("real token after padding in row " + r);
                }
            }
            if (attentionMask[r][positions[r]] != 1) {
                throw new AssertionError("scored position is padding");
            }
            out[r] = logProb(ids[r], attentionMask[r], positions[r], targets[r]);
        }
        return out;
    }

    /** The log-probability of one row (what a model would compute without any batch). */
    public float logProb(int[] ids, int[] mask, int position, int target) {
        long h = seed * 0x9E3779B97F4A7C15L + position;
        for (int k = 0; k < ids.length; k++) {
            if (mask[k] == 1) {
                h = mix(h ^ (ids[k] * 0xBF58476D1CE4E5B9L + k));
            }
        }
        double[] logits = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            logits[v] = ((mix(h + v * 0x94D049BB133111EBL) >>> 11) * 0x1.0p-53) * 6 - 3;
            max = Math.max(max, logits[v]);
        }
        double z = 0;
        for (double l : logits) {
            z += Math.exp(l - max);
        }
        return (float) (logits[target] - max - Math.log(z));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
