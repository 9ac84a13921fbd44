package io.mlsm.core.train;

import io.mlsm.core.listen.StepMetrics;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished training phase produced.
 *
 * @param phase        phase name
 * @param steps        optimiser steps completed (including those before a resume)
 * @param resumedFrom  step the run resumed from (0 for a fresh run)
 * @param curve        metrics of every step run in this process, in order
 * @param checkpoints  checkpoints written, by step
 * @param tokens       real tokens processed in this process
 * @param elapsedNanos wall time in this process
 * @param flops        analytic operations spent in this process by {@link FlopCount} component: the model's steps and
 *                     what the target source computed (teacher passes, sparse coding)
 */
public record TrainingResult(String phase, long steps, long resumedFrom, List<StepMetrics> curve,
                             Map<Long, Path> checkpoints, long tokens, long elapsedNanos, Map<String, Double> flops) {

    public TrainingResult {
        curve = List.copyOf(curve);
        checkpoints = Map.copyOf(checkpoints);
        flops = Collections.unmodifiableMap(new LinkedHashMap<>(flops));
    }

    /** A result without operation counts. */
    public TrainingResult(String phase, long steps, long resumedFrom, List<StepMetrics> curve,
                          Map<Long, Path> checkpoints, long tokens, long elapsedNanos) {
        this(phase, steps, resumedFrom, curve, checkpoints, tokens, elapsedNanos, Map.of());
    }

    /** @return the sum of {@link #flops()} over its components */
    public double totalFlops() {
        return FlopCount.total(flops);
    }

    /** @return the total loss of the last step, or NaN when no step ran here */
    public double finalLoss() {
        return curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).loss();
    }

    /**
     * @param term a loss-term name ({@code mlm}, {@code mlsm}, ...) or {@code total}
     * @return mean of that term over the first {@code n} steps run here
     */
    public double meanLoss(String term, int from, int to) {
        double s = 0;
        int c = 0;
        for (int i = Math.max(0, from); i < Math.min(to, curve.size()); i++) {
            StepMetrics m = curve.get(i);
            Double v = "total".equals(term) ? Double.valueOf(m.loss()) : m.losses().get(term);
            if (v != null) {
                s += v;
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }
}
