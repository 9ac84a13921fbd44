package io.mlsm.eval.pll;

import io.mlsm.core.tokenizer.SpecialTokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pseudo-log-likelihood (Salazar, Liang, Nguyen, Kirchhoff 2020): for a sequence {@code w} and scored positions
 * {@code S}, {@code PLL(w) = Σ_{t∈S} log p(w_t | w with w_t replaced by [MASK])}.
 *
 * <p>Batching: every scored position of every sequence becomes one masked copy; identical sequences are scored
 * once; copies are ordered by sequence length (longest first) and packed into forward passes of at most
 * {@link PllOptions#maxBatchRows()} rows and {@link PllOptions#maxBatchTokens()} padded tokens, so copies of many
 * short sentences share one pass. Rows are right-padded with {@code <pad>} and attention mask 0. The per-position
 * log-probabilities are summed in position order in {@code double}, so the result equals one-forward-per-position
 * scoring exactly when the model ignores padding. The log-softmax is over the rows {@link PllOptions#normaliser()}
 * names ({@link MaskedLmScorer#logProbs(int[][], int[][], int[], int[], Normaliser)}).
 *
 * <pre>{@code
 * PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, tok.specials(), PllOptions.defaults());
 * double[] s = pll.score(List.of(ScoredSequence.allButEnds(tok.encodeSingle(tok.encode("A cat sat."), 128))));
 * }</pre>
 */
public final class PseudoLogLikelihood {

    private final MaskedLmScorer scorer;
    private final SpecialTokens specials;
    private final PllOptions options;
    private long forwardPasses;
    private long maskedRows;

    public PseudoLogLikelihood(MaskedLmScorer scorer, SpecialTokens specials, PllOptions options) {
        if (scorer == null || specials == null || options == null) {
            throw new IllegalArgumentException("scorer, specials and options are required");
        }
        this.scorer = scorer;
        this.specials = specials;
        this.options = options;
    }

    /** @return the options */
    public PllOptions options() {
        return options;
    }

    /** @return how the scorer applies {@link PllOptions#normaliser()}, for provenance and captions */
    public String normaliserApplied() {
        return scorer.normaliserApplied(options.normaliser());
    }

    /**
     * @return how the scores were made, for a result's provenance: {@code normaliser} (asked),
     *         {@code normaliserApplied} ({@link MaskedLmScorer#normaliserApplied}), {@code scorer}, {@code pll}
     */
    public java.util.LinkedHashMap<String, String> scoringSettings() {
        return scoringSettings(options.normaliser());
    }

    /** @return {@link #scoringSettings()} of scores made with {@code normaliser} */
    public java.util.LinkedHashMap<String, String> scoringSettings(Normaliser normaliser) {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        m.put("normaliser", normaliser.name());
        m.put("normaliserApplied", scorer.normaliserApplied(normaliser));
        m.put("scorer", scorer.toString());
        m.put("pll", options.withNormaliser(normaliser).toString());
        return m;
    }

    /** @return forward passes (scorer calls) made so far */
    public long forwardPasses() {
        return forwardPasses;
    }

    /** @return masked copies scored so far */
    public long maskedRows() {
        return maskedRows;
    }

    /**
     * @param sequences the sequences, each at most {@link PllOptions#maxLength()} long
     * @return the PLL of each sequence (0 for a sequence with no scored position)
     */
    public double[] score(List<ScoredSequence> sequences) {
        return score(sequences, List.of(options.normaliser()))[0];
    }

    /**
     * The PLL under several normalisers from the same forward passes
     * ({@link MaskedLmScorer#logProbs(int[][], int[][], int[], int[], List)}).
     *
     * @param sequences   the sequences, each at most {@link PllOptions#maxLength()} long
     * @param normalisers the normalisers, at least one
     * @return row {@code i}: the PLL of each sequence under {@code normalisers.get(i)}, as {@link #score(List)} with
     *         that normaliser
     */
    public double[][] score(List<ScoredSequence> sequences, List<Normaliser> normalisers) {
        if (normalisers == null || normalisers.isEmpty()) {
            throw new IllegalArgumentException("at least one normaliser is required");
        }
        int nn = normalisers.size();
        // unique sequences, first occurrence order
        Map<ScoredSequence, Integer> index = new HashMap<>();
        List<ScoredSequence> unique = new ArrayList<>();
        int[] uniqueOf = new int[sequences.size()];
        for (int i = 0; i < sequences.size(); i++) {
            ScoredSequence s = sequences.get(i);
            if (s.length() > options.maxLength()) {
                throw new IllegalArgumentException("sequence " + i + " has " + s.length() + " ids, more than maxLength "
                        + options.maxLength());
            }
            Integer u = index.get(s);
            if (u == null) {
                u = unique.size();
                index.put(s, u);
                unique.add(s);
            }
            uniqueOf[i] = u;
        }
        float[][][] logp = new float[nn][unique.size()][];
        Integer[] order = new Integer[unique.size()];
        for (int u = 0; u < unique.size(); u++) {
            for (int i = 0; i < nn; i++) {
                logp[i][u] = new float[unique.get(u).positionCount()];
            }
            order[u] = u;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer u) -> -unique.get(u).length()));

        // requests (u, j) longest sequence first; greedy packing
        List<int[]> batch = new ArrayList<>();
        int batchLen = 0;
        for (int u : order) {
            ScoredSequence s = unique.get(u);
            for (int j = 0; j < s.positionCount(); j++) {
                int len = batch.isEmpty() ? s.length() : batchLen;
                if (!batch.isEmpty() && (batch.size() + 1 > options.maxBatchRows()
                        || (long) (batch.size() + 1) * len > options.maxBatchTokens())) {
                    run(batch, batchLen, unique, normalisers, logp);
                    batch.clear();
                }
                if (batch.isEmpty()) {
                    batchLen = s.length();
                }
                batch.add(new int[] {u, j});
            }
        }
        if (!batch.isEmpty()) {
            run(batch, batchLen, unique, normalisers, logp);
        }

        double[][] out = new double[nn][sequences.size()];
        for (int n = 0; n < nn; n++) {
            double[] uniqueSum = new double[unique.size()];
            for (int u = 0; u < unique.size(); u++) {
                double sum = 0;
                for (float v : logp[n][u]) {
                    sum += v;
                }
                uniqueSum[u] = sum;
            }
            for (int i = 0; i < sequences.size(); i++) {
                out[n][i] = uniqueSum[uniqueOf[i]];
            }
        }
        return out;
    }

    private void run(List<int[]> batch, int len, List<ScoredSequence> unique, List<Normaliser> normalisers,
                     float[][][] logp) {
        int b = batch.size();
        int[][] ids = new int[b][len];       // [B, T]
        int[][] mask = new int[b][len];      // [B, T]
        int[] positions = new int[b];        // [B]
        int[] targets = new int[b];          // [B]
        for (int r = 0; r < b; r++) {
            ScoredSequence s = unique.get(batch.get(r)[0]);
            int pos = s.position(batch.get(r)[1]);
            Arrays.fill(ids[r], specials.pad());
            for (int t = 0; t < s.length(); t++) {
                ids[r][t] = s.id(t);
                mask[r][t] = 1;
            }
            targets[r] = s.id(pos);
            ids[r][pos] = specials.mask();
            positions[r] = pos;
        }
        float[][] all = scorer.logProbs(ids, mask, positions, targets, normalisers);
        forwardPasses++;
        maskedRows += b;
        if (all == null || all.length != normalisers.size()) {
            throw new IllegalStateException("scorer returned " + (all == null ? "null" : all.length + " rows")
                    + " for " + normalisers.size() + " normalisers");
        }
        for (int n = 0; n < all.length; n++) {
            float[] out = all[n];
            if (out == null || out.length != b) {
                throw new IllegalStateException("scorer returned " + (out == null ? "null" : out.length + " values")
                        + " for a batch of " + b + " rows");
            }
            for (int r = 0; r < b; r++) {
                if (Float.isNaN(out[r]) || out[r] > 1e-4f) {
                    throw new IllegalStateException("scorer returned log-probability " + out[r] + " (row " + r
                            + ", position " + positions[r] + ", target " + targets[r] + "); expected a value <= 0");
                }
                logp[n][batch.get(r)[0]][batch.get(r)[1]] = out[r];
            }
        }
    }
}
