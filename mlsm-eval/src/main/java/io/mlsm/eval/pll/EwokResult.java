package io.mlsm.eval.pll;

import io.mlsm.eval.Accuracy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * EWoK results: accuracy per domain, pooled over all items, and the unweighted mean over domains.
 *
 * @param scores     one score per evaluated item
 * @param provenance how the scores were made ({@link PseudoLogLikelihood#scoringSettings()}: the normaliser asked
 *                   and applied, the scorer, the PLL options); empty when unknown
 */
public record EwokResult(List<EwokScore> scores, Map<String, String> provenance) {

    public EwokResult {
        scores = List.copyOf(scores);
        provenance = provenance == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(provenance));
    }

    /** Scores without provenance. */
    public EwokResult(List<EwokScore> scores) {
        this(scores, Map.of());
    }

    /** @return the normaliser the scores were made with as applied (e.g. {@code "ALL_OUTPUTS (MLM head: ...)"}), or
     *          {@code "unknown"} */
    public String normaliserApplied() {
        return provenance.getOrDefault("normaliserApplied", "unknown");
    }

    /** @return accuracy per domain, sorted by name */
    public Map<String, Accuracy> byDomain() {
        Map<String, Accuracy> m = new TreeMap<>();
        for (EwokScore s : scores) {
            m.merge(s.item().domain(), new Accuracy(s.correct() ? 1 : 0, 1),
                    (a, b) -> new Accuracy(a.correct() + b.correct(), a.total() + b.total()));
        }
        return m;
    }

    /** @return all items pooled */
    public Accuracy overall() {
        return Accuracy.pooled(byDomain().values());
    }

    /** @return the unweighted mean over domains */
    public double domainAverage() {
        return Accuracy.macroMean(byDomain().values());
    }
}
