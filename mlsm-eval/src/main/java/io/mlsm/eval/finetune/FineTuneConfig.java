package io.mlsm.eval.finetune;

import io.mlsm.models.optim.LearningRateSchedule;

import java.util.List;

/**
 * Fine-tuning hyper-parameters. Defaults follow the BabyLM 2023 pipeline ({@code finetune_model.sh}): lr 5e-5,
 * batch 64, at most 10 epochs, validation every 200 steps with patience 10 (improvement threshold 0.001), sequence
 * length 128, no warm-up, linear decay; seeds 12–16 as in Berend 2024 (results are averaged over seeds).
 *
 * <pre>{@code
 * FineTuneConfig c = FineTuneConfig.defaults().withLearningRate(2e-5).withSeeds(List.of(12L, 13L, 14L, 15L));
 * }</pre>
 *
 * @param learningRate   peak learning rate, > 0
 * @param epochs         maximum number of passes over the training set, >= 1
 * @param batchSize      training batch size, >= 1
 * @param warmupFraction fraction of steps with linearly rising learning rate, in [0, 1)
 * @param evalEvery      validate every this many steps (and at the end), >= 1
 * @param patience       stop after this many validations without improvement; 0 = never stop early
 * @param minImprovement improvement over the best score that resets the patience, >= 0
 * @param seeds          one run per seed, non-empty
 * @param maxLength      most ids per encoded example, >= 3
 * @param evalBatchSize  batch size for predictions, >= 1
 */
public record FineTuneConfig(double learningRate, int epochs, int batchSize, double warmupFraction, int evalEvery,
                             int patience, double minImprovement, List<Long> seeds, int maxLength,
                             int evalBatchSize) {

    public FineTuneConfig {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        if (epochs < 1 || batchSize < 1 || evalEvery < 1 || evalBatchSize < 1) {
            throw new IllegalArgumentException("epochs, batchSize, evalEvery and evalBatchSize must be >= 1, got "
                    + epochs + ", " + batchSize + ", " + evalEvery + ", " + evalBatchSize);
        }
        if (!(warmupFraction >= 0 && warmupFraction < 1)) {
            throw new IllegalArgumentException("warmupFraction must be in [0, 1), got " + warmupFraction);
        }
        if (patience < 0 || !(minImprovement >= 0)) {
            throw new IllegalArgumentException("patience and minImprovement must be >= 0, got " + patience + ", "
                    + minImprovement);
        }
        if (seeds == null || seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed is needed");
        }
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be >= 3, got " + maxLength);
        }
        seeds = List.copyOf(seeds);
    }

    /** @return the BabyLM defaults described above */
    public static FineTuneConfig defaults() {
        return new FineTuneConfig(5e-5, 10, 64, 0.0, 200, 10, 0.001, List.of(12L, 13L, 14L, 15L, 16L), 128, 64);
    }

    public FineTuneConfig withLearningRate(double lr) {
        return new FineTuneConfig(lr, epochs, batchSize, warmupFraction, evalEvery, patience, minImprovement, seeds,
                maxLength, evalBatchSize);
    }

    public FineTuneConfig withEpochs(int n) {
        return new FineTuneConfig(learningRate, n, batchSize, warmupFraction, evalEvery, patience, minImprovement,
                seeds, maxLength, evalBatchSize);
    }

    public FineTuneConfig withBatchSize(int n) {
        return new FineTuneConfig(learningRate, epochs, n, warmupFraction, evalEvery, patience, minImprovement, seeds,
                maxLength, evalBatchSize);
    }

    public FineTuneConfig withWarmupFraction(double f) {
        return new FineTuneConfig(learningRate, epochs, batchSize, f, evalEvery, patience, minImprovement, seeds,
                maxLength, evalBatchSize);
    }

    public FineTuneConfig withEvalEvery(int n, int newPatience) {
        return new FineTuneConfig(learningRate, epochs, batchSize, warmupFraction, n, newPatience, minImprovement,
                seeds, maxLength, evalBatchSize);
    }

    public FineTuneConfig withSeeds(List<Long> s) {
        return new FineTuneConfig(learningRate, epochs, batchSize, warmupFraction, evalEvery, patience,
                minImprovement, s, maxLength, evalBatchSize);
    }

    /**
     * The learning rate of step {@code step} (0-based) of {@code totalSteps}: linear warm-up from 0 over
     * {@code ceil(warmupFraction * totalSteps)} steps, then linear decay to 0 at {@code totalSteps} (Hugging Face
     * {@code get_linear_schedule_with_warmup}, via {@link LearningRateSchedule#linearWarmupDecayFraction}).
     */
    public double learningRateAt(long step, long totalSteps) {
        return schedule(totalSteps).at(step);
    }

    /** @return the schedule of a run of {@code totalSteps} optimizer steps */
    public LearningRateSchedule schedule(long totalSteps) {
        return LearningRateSchedule.linearWarmupDecayFraction(learningRate, totalSteps, warmupFraction);
    }
}
