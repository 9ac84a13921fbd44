package io.mlsm.eval.finetune;

import io.mlsm.eval.data.GlueMetric;

import java.util.List;

/**
 * The runs of one task, averaged over seeds.
 *
 * @param task   the task name
 * @param metric the metric
 * @param runs   one run per seed
 */
public record FineTuneResult(String task, GlueMetric metric, List<SeedRun> runs) {

    public FineTuneResult {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs for " + task);
        }
        runs = List.copyOf(runs);
    }

    /** @return the mean score over seeds */
    public double mean() {
        return runs.stream().mapToDouble(SeedRun::score).average().orElseThrow();
    }

    /** @return the sample standard deviation over seeds (0 for one seed) */
    public double std() {
        if (runs.size() < 2) {
            return 0.0;
        }
        double m = mean();
        double ss = runs.stream().mapToDouble(r -> (r.score() - m) * (r.score() - m)).sum();
        return Math.sqrt(ss / (runs.size() - 1));
    }
}
