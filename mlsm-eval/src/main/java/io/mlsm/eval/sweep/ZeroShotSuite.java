package io.mlsm.eval.sweep;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.Accuracy;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.EwokItem;
import io.mlsm.eval.data.EwokReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.EwokEvaluator;
import io.mlsm.eval.pll.EwokResult;
import io.mlsm.eval.pll.EwokRule;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.PllOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zero-shot evaluations of a masked LM (or a phase-3 model): BLiMP, BLiMP supplement and EWoK by
 * pseudo-log-likelihood. Rows: the phenomenon rows of the papers' BLiMP table (12 phenomena + 5 supplement tasks,
 * alphabetically), {@code Average} (their unweighted mean, Berend 2023 Table 1), then {@code BLiMP} and
 * {@code BLiMP supplement} (mean over paradigms / tasks) and {@code EWoK} (mean over domains), as the BabyLM
 * 2024/2025 pipeline averages (Berend 2024 Table 4).
 *
 * <pre>{@code
 * ZeroShotSuite suite = ZeroShotSuite.fromSharedData(shared.resolve("data"), tokenizer, EvalLimit.firstN(100),
 *         PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1);
 * LinkedHashMap<String, Double> scores = suite.evaluate(scorer, new LoggingProgressListener(30));
 * }</pre>
 */
public final class ZeroShotSuite implements Evaluation<MaskedLmScorer> {

    /** Name of the EWoK zip used by {@link #fromSharedData}. */
    public static final String EWOK_ZIP = "ewok_filtered_babylm2025.zip";

    private final Tokenizer tokenizer;
    private final PllOptions options;
    private final EwokRule rule;
    private final List<MinimalPair> pairs;
    private final List<EwokItem> ewok;
    private final Map<String, String> sources = new LinkedHashMap<>();

    /**
     * @param pairs BLiMP and supplement pairs (may be empty)
     * @param ewok  EWoK items (may be empty)
     */
    public ZeroShotSuite(Tokenizer tokenizer, PllOptions options, EwokRule rule, List<MinimalPair> pairs,
                         List<EwokItem> ewok) {
        if (tokenizer == null || options == null || rule == null) {
            throw new IllegalArgumentException("tokenizer, options and rule are required");
        }
        if (pairs.isEmpty() && ewok.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: no BLiMP pairs and no EWoK items");
        }
        this.tokenizer = tokenizer;
        this.options = options;
        this.rule = rule;
        this.pairs = List.copyOf(pairs);
        this.ewok = List.copyOf(ewok);
    }

    /** Name of BabyLM 2025's "fast" EWoK subset zip. */
    public static final String EWOK_FAST_ZIP = "ewok_fast.zip";

    /**
     * Loads BLiMP (filtered), the supplement and EWoK ({@link #EWOK_ZIP}) from {@code dataDir} (the
     * {@code shared/data} folder).
     */
    public static ZeroShotSuite fromSharedData(Path dataDir, Tokenizer tokenizer, EvalLimit limit, PllOptions options,
                                               EwokRule rule) throws IOException {
        return fromSharedData(dataDir, tokenizer, limit, options, rule, EWOK_ZIP);
    }

    /** As {@link #fromSharedData(Path, Tokenizer, EvalLimit, PllOptions, EwokRule)} with another EWoK zip. */
    public static ZeroShotSuite fromSharedData(Path dataDir, Tokenizer tokenizer, EvalLimit limit, PllOptions options,
                                               EwokRule rule, String ewokZip) throws IOException {
        List<MinimalPair> pairs = new ArrayList<>(BlimpReader.readBlimp(dataDir.resolve("blimp_filtered"), limit));
        pairs.addAll(BlimpReader.readSupplement(dataDir.resolve("blimp_supplement"), limit));
        Path ewokDir = dataDir.resolve("ewok_filtered");
        char[] pw = EwokReader.passwordFromManifest(ewokDir.resolve("MANIFEST.txt"), ewokZip);
        List<EwokItem> items = EwokReader.read(ewokDir.resolve(ewokZip), pw, limit);
        ZeroShotSuite suite = new ZeroShotSuite(tokenizer, options, rule, pairs, items);
        suite.sources.put("data", dataDir.toAbsolutePath().normalize().toString());
        suite.sources.put("blimp", "blimp_filtered, blimp_supplement");
        suite.sources.put("ewok", "ewok_filtered/" + ewokZip);
        suite.sources.put("limit", limit.toString());
        return suite;
    }

    /** @return the settings for a report's provenance: data, limit, item counts, PLL options, EWoK rule */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>(sources);
        m.put("blimpPairs", Integer.toString(pairs.size()));
        m.put("ewokItems", Integer.toString(ewok.size()));
        m.put("pll", options.toString());
        m.put("ewokRule", rule.name());
        m.put("tokenizerVocab", Integer.toString(tokenizer.vocabSize()));
        return m;
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(MaskedLmScorer scorer, EvalProgressListener listener) {
        BlimpResult b = pairs.isEmpty() ? null : new BlimpEvaluator(tokenizer, scorer, options).evaluate(pairs, listener);
        EwokResult e = ewok.isEmpty() ? null : new EwokEvaluator(tokenizer, scorer, options, rule).evaluate(ewok,
                listener);
        return tabulate(b, e);
    }

    /**
     * The rows of one checkpoint's column from its results: every phenomenon, {@code Average}, {@code BLiMP},
     * {@code BLiMP supplement} and {@code EWoK}. Jobs that score the pairs elsewhere (in parts, on a cluster) pass
     * the results they put together, in the suite's order, and get the same column as {@link #evaluate}.
     *
     * @param blimp the scores of {@link #pairs()} ({@code null} when there are none)
     * @param ewok  the scores of {@link #ewokItems()} ({@code null} when there are none)
     * @return the rows
     */
    public LinkedHashMap<String, Double> tabulate(BlimpResult blimp, EwokResult ewok) {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        if (blimp != null) {
            for (Map.Entry<String, Accuracy> e : blimp.byPhenomenon().entrySet()) {
                out.put(e.getKey(), e.getValue().value());
            }
            out.put("Average", blimp.phenomenonAverage());
            putIfNumber(out, "BLiMP", blimp.paradigmAverage("blimp"));
            putIfNumber(out, "BLiMP supplement", blimp.paradigmAverage("supplement"));
        }
        if (ewok != null) {
            out.put("EWoK", ewok.domainAverage());
        }
        return out;
    }

    /** @return the BLiMP and supplement pairs, in scoring order */
    public List<MinimalPair> pairs() {
        return pairs;
    }

    /** @return the EWoK items, in scoring order */
    public List<EwokItem> ewokItems() {
        return ewok;
    }

    /** @return the tokenizer */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the PLL options */
    public PllOptions options() {
        return options;
    }

    /** @return the EWoK rule */
    public EwokRule rule() {
        return rule;
    }

    private static void putIfNumber(Map<String, Double> m, String k, double v) {
        if (!Double.isNaN(v)) {
            m.put(k, v);
        }
    }
}
