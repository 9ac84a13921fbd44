package io.mlsm.eval.pll;

import io.mlsm.eval.Accuracy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * BLiMP / BLiMP-supplement results: accuracy per paradigm, per phenomenon (pooled over the pairs of its paradigms,
 * as BabyLM 2023 scored one file per phenomenon) and the averages the papers report.
 *
 * <pre>{@code
 * BlimpResult r = evaluator.evaluate(pairs, listener);
 * double islands = r.byPhenomenon().get("island effects").value();
 * double table1Average = r.phenomenonAverage();   // the "Average" row of Berend 2023, Table 1
 * }</pre>
 *
 * @param scores     one score per evaluated pair
 * @param provenance how the scores were made ({@link PseudoLogLikelihood#scoringSettings()}: the normaliser asked
 *                   and applied, the scorer, the PLL options); empty when unknown
 */
public record BlimpResult(List<PairScore> scores, Map<String, String> provenance) {

    public BlimpResult {
        scores = List.copyOf(scores);
        provenance = provenance == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(provenance));
    }

    /** Scores without provenance. */
    public BlimpResult(List<PairScore> scores) {
        this(scores, Map.of());
    }

    /** @return the normaliser the scores were made with as applied (e.g. {@code "ALL_OUTPUTS (MLM head: ...)"}), or
     *          {@code "unknown"} */
    public String normaliserApplied() {
        return provenance.getOrDefault("normaliserApplied", "unknown");
    }

    /** @return accuracy per paradigm (supplement: per task), sorted by name */
    public Map<String, Accuracy> byParadigm() {
        Map<String, Accuracy> m = new TreeMap<>();
        for (PairScore s : scores) {
            m.merge(s.pair().paradigm(), new Accuracy(s.correct() ? 1 : 0, 1), BlimpResult::sum);
        }
        return m;
    }

    /** @return accuracy per phenomenon row (12 BLiMP phenomena, 5 supplement tasks), sorted by name */
    public Map<String, Accuracy> byPhenomenon() {
        Map<String, Accuracy> m = new TreeMap<>();
        for (PairScore s : scores) {
            m.merge(s.pair().phenomenon(), new Accuracy(s.correct() ? 1 : 0, 1), BlimpResult::sum);
        }
        return m;
    }

    /** @return the unweighted mean over phenomenon rows (Berend 2023, Table 1 "Average") */
    public double phenomenonAverage() {
        return Accuracy.macroMean(byPhenomenon().values());
    }

    /** @return the unweighted mean over the paradigms of one benchmark ({@code "blimp"} or {@code "supplement"}) */
    public double paradigmAverage(String benchmark) {
        Map<String, Accuracy> m = new TreeMap<>();
        for (PairScore s : scores) {
            if (s.pair().benchmark().equals(benchmark)) {
                m.merge(s.pair().paradigm(), new Accuracy(s.correct() ? 1 : 0, 1), BlimpResult::sum);
            }
        }
        return Accuracy.macroMean(m.values());
    }

    /** @return all pairs pooled */
    public Accuracy overall() {
        return Accuracy.pooled(byParadigm().values());
    }

    private static Accuracy sum(Accuracy a, Accuracy b) {
        return new Accuracy(a.correct() + b.correct(), a.total() + b.total());
    }
}
