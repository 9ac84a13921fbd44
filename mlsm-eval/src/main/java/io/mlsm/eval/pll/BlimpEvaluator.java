package io.mlsm.eval.pll;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.ProgressMeter;
import io.mlsm.eval.data.MinimalPair;

import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot BLiMP / BLiMP supplement: each sentence is encoded as {@code [CLS] sentence [SEP]}, scored by
 * {@link PseudoLogLikelihood} over all its sub-word tokens, and the acceptable sentence must have the higher PLL
 * (ties count as wrong).
 *
 * <pre>{@code
 * BlimpEvaluator ev = new BlimpEvaluator(tokenizer, scorer, PllOptions.defaults());
 * BlimpResult r = ev.evaluate(BlimpReader.readBlimp(dir, EvalLimit.firstN(100)), new LoggingProgressListener(10));
 * }</pre>
 */
public final class BlimpEvaluator {

    /** Pairs per PLL call; progress is reported after each chunk. */
    /**
     * Pairs scored together: the unit of batching. A sentence's score depends, in its last float bits, on the batch
     * it was scored in, so jobs that score a list in parts (on a cluster) cut it at multiples of this to reproduce
     * the scores of one {@link #evaluate} call exactly.
     */
    public static final int CHUNK_PAIRS = 256;

    private final Tokenizer tokenizer;
    private final PseudoLogLikelihood pll;

    public BlimpEvaluator(Tokenizer tokenizer, MaskedLmScorer scorer, PllOptions options) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("tokenizer is required");
        }
        this.tokenizer = tokenizer;
        this.pll = new PseudoLogLikelihood(scorer, tokenizer.specials(), options);
    }

    /** @return the PLL engine (its counters tell how many forward passes were made) */
    public PseudoLogLikelihood pll() {
        return pll;
    }

    /** @return the scored sequence of a sentence: {@code [CLS] tokens [SEP]}, every token scored */
    public ScoredSequence encode(String sentence) {
        return ScoredSequence.allButEnds(tokenizer.encodeSingle(tokenizer.encode(sentence),
                pll.options().maxLength()));
    }

    /** @return the scores of all pairs */
    public BlimpResult evaluate(List<MinimalPair> pairs, EvalProgressListener listener) {
        return evaluate(pairs, listener, List.of(pll.options().normaliser())).get(0);
    }

    /**
     * Scores every pair under several normalisers from the same forward passes
     * ({@link PseudoLogLikelihood#score(List, List)}).
     *
     * @return one result per normaliser, in order; result {@code i} equals {@link #evaluate(List,
     *         EvalProgressListener)} with {@code normalisers.get(i)} in the options
     */
    public List<BlimpResult> evaluate(List<MinimalPair> pairs, EvalProgressListener listener,
                                      List<Normaliser> normalisers) {
        ProgressMeter meter = new ProgressMeter("blimp", pairs.size(), listener);
        List<List<PairScore>> out = new ArrayList<>();
        for (int n = 0; n < normalisers.size(); n++) {
            out.add(new ArrayList<>(pairs.size()));
        }
        for (int from = 0; from < pairs.size(); from += CHUNK_PAIRS) {
            List<MinimalPair> chunk = pairs.subList(from, Math.min(pairs.size(), from + CHUNK_PAIRS));
            List<ScoredSequence> seqs = new ArrayList<>(2 * chunk.size());
            for (MinimalPair p : chunk) {
                seqs.add(encode(p.good()));
                seqs.add(encode(p.bad()));
            }
            double[][] s = pll.score(seqs, normalisers);
            for (int n = 0; n < s.length; n++) {
                for (int i = 0; i < chunk.size(); i++) {
                    out.get(n).add(new PairScore(chunk.get(i), s[n][2 * i], s[n][2 * i + 1]));
                }
            }
            meter.advance(chunk.size());
        }
        List<BlimpResult> results = new ArrayList<>();
        for (int n = 0; n < normalisers.size(); n++) {
            results.add(new BlimpResult(out.get(n), pll.scoringSettings(normalisers.get(n))));
        }
        return results;
    }
}
