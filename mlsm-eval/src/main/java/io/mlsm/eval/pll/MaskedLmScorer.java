package io.mlsm.eval.pll;

/**
 * A masked language model seen from the evaluation: the log-probability (log-softmax over the vocabulary, or over
 * every output row: {@link Normaliser}) of a given token at one given position of each row of a batch. Implemented by adapters around the DeBERTa MLM head,
 * or around a phase-3 model whose latent-to-vocabulary head produces the vocabulary logits.
 *
 * <p>Contract: rows are right-padded to one length {@code T}; {@code attentionMask[b][t]} is 1 for real tokens and
 * 0 for padding, and the result for a row must not depend on its padding (nor on the other rows of the batch).
 * {@code positions[b]} is a real (non-padding) position of row {@code b}, usually holding the {@code [MASK]} id.
 *
 * <pre>{@code
 * MaskedLmScorer scorer = (ids, mask, positions, targets) -> {
 *     float[][][] logits = model.logits(ids, mask);                      // [B, T, V]
 *     float[] out = new float[ids.length];
 *     for (int b = 0; b < ids.length; b++) out[b] = logSoftmax(logits[b][positions[b]])[targets[b]];
 *     return out;
 * };
 * }</pre>
 */
@FunctionalInterface
public interface MaskedLmScorer {

    /**
     * @param ids           token ids, {@code [B][T]}
     * @param attentionMask 1 for real tokens, 0 for padding, {@code [B][T]}
     * @param positions     the scored position of each row, {@code [B]}
     * @param targets       the token whose log-probability is wanted, {@code [B]}
     * @return {@code log p(targets[b] | ids[b])} at {@code positions[b]}, {@code [B]}
     */
    float[] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets);

    /**
     * As {@link #logProbs(int[][], int[][], int[], int[])} with the log-softmax taken over the rows {@code normaliser}
     * names. The default is for a scorer whose model outputs the vocabulary only ({@code V} rows), where the two
     * normalisers are the same: it ignores {@code normaliser}. A scorer over a {@code V + k} output layer overrides
     * it.
     */
    default float[] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets,
                             Normaliser normaliser) {
        return logProbs(ids, attentionMask, positions, targets);
    }

    /**
     * As {@link #logProbs(int[][], int[][], int[], int[], Normaliser)} for several normalisers at once: row {@code i}
     * of the result is what that call returns for {@code normalisers.get(i)}. The default makes one call per
     * normaliser; a scorer over a {@code V + k} output layer overrides it to take every log-softmax from one forward
     * pass.
     *
     * @throws IllegalArgumentException if {@code normalisers} is empty
     */
    default float[][] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets,
                               java.util.List<Normaliser> normalisers) {
        if (normalisers == null || normalisers.isEmpty()) {
            throw new IllegalArgumentException("at least one normaliser is required");
        }
        float[][] out = new float[normalisers.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = logProbs(ids, attentionMask, positions, targets, normalisers.get(i));
        }
        return out;
    }

    /**
     * How {@code requested} is applied by this scorer, for provenance and table captions: the normaliser and the
     * rows it sums over (e.g. {@code "ALL_OUTPUTS (V+k = 1000+16 rows)"}). The default is for a vocabulary-only
     * scorer.
     */
    default String normaliserApplied(Normaliser requested) {
        return requested.name() + " (vocabulary outputs only: ALL_OUTPUTS = VOCABULARY)";
    }

    /**
     * The log-softmax of {@code logits} at {@code target}, computed stably in double ({@code l_t - max - log Σ
     * exp(l - max)}): what an adapter returns for one row once it has the vocabulary logits of the scored
     * position.
     *
     * @throws IllegalArgumentException for an empty vector, a target out of range or a NaN logit
     */
    static float logSoftmaxAt(float[] logits, int target) {
        if (logits.length == 0 || target < 0 || target >= logits.length) {
            throw new IllegalArgumentException("target " + target + " outside a logit vector of " + logits.length);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            if (Float.isNaN(l)) {
                throw new IllegalArgumentException("NaN logit");
            }
            max = Math.max(max, l);
        }
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l - max);
        }
        return (float) (logits[target] - max - Math.log(z));
    }
}
