package io.mlsm.eval.pll;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.ProgressMeter;
import io.mlsm.eval.data.EwokItem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Zero-shot EWoK for masked LMs, following the BabyLM pipeline's MLM scoring: the score {@code s(T|C)} is the PLL
 * of the target's sub-word tokens inside {@code [CLS] C T [SEP]} (the text {@code C + " " + T}), each target token
 * masked in turn with the context and the rest of the target visible; context tokens are not scored.
 *
 * <p>Target tokens are found as the suffix {@code encode(T)} of {@code encode(C + " " + T)}; a tokenizer that merges
 * across the space (so no such suffix exists) gets {@code encode(C) ++ encode(T)} instead. When the sequence would
 * exceed {@link PllOptions#maxLength()}, context tokens are dropped from the left.
 *
 * <pre>{@code
 * EwokEvaluator ev = new EwokEvaluator(tokenizer, scorer, PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1);
 * EwokResult r = ev.evaluate(items, listener);   // r.overall().value()
 * }</pre>
 */
public final class EwokEvaluator {

    /**
     * Items scored together: the unit of batching. A sentence's score depends, in its last float bits, on the batch
     * it was scored in, so jobs that score a list in parts (on a cluster) cut it at multiples of this to reproduce
     * the scores of one {@link #evaluate} call exactly.
     */
    public static final int CHUNK_ITEMS = 256;

    private final Tokenizer tokenizer;
    private final PseudoLogLikelihood pll;
    private final EwokRule rule;

    public EwokEvaluator(Tokenizer tokenizer, MaskedLmScorer scorer, PllOptions options, EwokRule rule) {
        if (tokenizer == null || rule == null) {
            throw new IllegalArgumentException("tokenizer and rule are required");
        }
        this.tokenizer = tokenizer;
        this.pll = new PseudoLogLikelihood(scorer, tokenizer.specials(), options);
        this.rule = rule;
    }

    /** @return the PLL engine */
    public PseudoLogLikelihood pll() {
        return pll;
    }

    /** @return {@code [CLS] context target [SEP]} with the target positions scored */
    public ScoredSequence encode(String context, String target) {
        int[] t = tokenizer.encode(target);
        int[] joined = tokenizer.encode(context + " " + target);
        int[] c;
        if (joined.length >= t.length
                && Arrays.equals(joined, joined.length - t.length, joined.length, t, 0, t.length)) {
            c = Arrays.copyOf(joined, joined.length - t.length);
        } else {
            c = tokenizer.encode(context);
        }
        int max = pll.options().maxLength() - 2;
        if (t.length > max) {
            t = Arrays.copyOf(t, max);
        }
        int keepContext = Math.min(c.length, max - t.length);
        int[] ids = new int[keepContext + t.length + 2];
        ids[0] = tokenizer.specials().cls();
        System.arraycopy(c, c.length - keepContext, ids, 1, keepContext);
        System.arraycopy(t, 0, ids, 1 + keepContext, t.length);
        ids[ids.length - 1] = tokenizer.specials().sep();
        int[] pos = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            pos[i] = 1 + keepContext + i;
        }
        return new ScoredSequence(ids, pos);
    }

    /** @return the scores of all items */
    public EwokResult evaluate(List<EwokItem> items, EvalProgressListener listener) {
        ProgressMeter meter = new ProgressMeter("ewok", items.size(), listener);
        boolean four = rule == EwokRule.CONTEXTS_PER_TARGET;
        int per = four ? 4 : 2;
        List<EwokScore> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += CHUNK_ITEMS) {
            List<EwokItem> chunk = items.subList(from, Math.min(items.size(), from + CHUNK_ITEMS));
            List<ScoredSequence> seqs = new ArrayList<>(per * chunk.size());
            for (EwokItem it : chunk) {
                seqs.add(encode(it.context1(), it.target1()));
                seqs.add(encode(it.context1(), it.target2()));
                if (four) {
                    seqs.add(encode(it.context2(), it.target1()));
                    seqs.add(encode(it.context2(), it.target2()));
                }
            }
            double[] s = pll.score(seqs);
            for (int i = 0; i < chunk.size(); i++) {
                int k = per * i;
                out.add(new EwokScore(chunk.get(i), rule, s[k], s[k + 1], four ? s[k + 2] : Double.NaN,
                        four ? s[k + 3] : Double.NaN));
            }
            meter.advance(chunk.size());
        }
        return new EwokResult(out, pll.scoringSettings());
    }
}
