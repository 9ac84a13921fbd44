package io.mlsm.core.train;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Optimisation settings of one training phase. Defaults follow the papers where they fit a CPU: AdamW lr 1e-4,
 * weight decay 0.01 (not on biases and LayerNorm weights unless {@code decayAllParameters}), AdamW ε 1e-6, linear
 * schedule with 1% warm-up, gradient-norm clipping
 * 1.0.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.builder().steps(2_000).accumulation(4).learningRate(5e-4)
 *         .checkpointDir(Path.of("runs/teacher")).checkpointEvery(500).checkpointAt(100, 1000).seed(7).build();
 * }</pre>
 *
 * @param steps           optimiser steps (updates), {@code >= 1}
 * @param accumulation    micro-batches per step (effective batch = accumulation × stream batch size), {@code >= 1}
 * @param learningRate    peak learning rate, {@code > 0}
 * @param warmupFraction  fraction of the steps spent in linear warm-up, in {@code [0, 1]}
 * @param weightDecay     decoupled weight decay, {@code >= 0}
 * @param clipNorm        global gradient-norm clip, {@code 0} = off
 * @param seed            seed of dropout masks (data order and masks come from the batch stream's seed)
 * @param checkpointDir   where checkpoints go ({@code null} = none)
 * @param checkpointEvery write a resumable checkpoint every this many steps (0 = not by steps)
 * @param checkpointMinutes write a resumable checkpoint when this many minutes of wall time passed since the last
 *                        one (0 = not by time); with {@code checkpointEvery}, whichever comes first
 * @param keepCheckpoints how many of the newest periodic checkpoints stay on disk (older ones are pruned;
 *                        {@code checkpointAt} ones always stay), {@code >= 1}
 * @param checkpointAt    steps at which a kept checkpoint {@code checkpointDir/step-N} is written (curves)
 * @param resume          continue from the latest checkpoint in {@code checkpointDir} when there is one (no effect
 *                        without a directory)
 * @param adamEpsilon     AdamW's ε, {@code > 0} (default {@value #DEFAULT_ADAM_EPSILON}, DeBERTa's pre-training
 *                        setting; {@code torch.optim.AdamW} and the papers' reference code use {@code 1e-8})
 * @param decayAllParameters {@code true}: weight decay on every parameter, as a plain
 *                        {@code torch.optim.AdamW(model.parameters(), weight_decay=…)}; {@code false} (default): no
 *                        decay on biases and LayerNorm weights ({@link io.mlsm.models.optim.AdamW#HF_NO_DECAY}, the
 *                        Hugging Face training scripts)
 */
public record TrainingOptions(long steps, int accumulation, double learningRate, double warmupFraction,
                              double weightDecay, double clipNorm, long seed, Path checkpointDir,
                              long checkpointEvery, double checkpointMinutes, int keepCheckpoints,
                              Set<Long> checkpointAt, boolean resume, double adamEpsilon,
                              boolean decayAllParameters) {

    /** AdamW's default ε here (DeBERTa's pre-training setting). */
    public static final double DEFAULT_ADAM_EPSILON = 1e-6;

    public TrainingOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("accumulation must be >= 1, got " + accumulation);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warmupFraction must be in [0, 1], got " + warmupFraction);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be finite and >= 0 (0 = off), got " + clipNorm);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery must be >= 0, got " + checkpointEvery);
        }
        if (!(checkpointMinutes >= 0) || !Double.isFinite(checkpointMinutes)) {
            throw new IllegalArgumentException("checkpointMinutes must be finite and >= 0 (0 = off), got "
                    + checkpointMinutes);
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("keepCheckpoints must be >= 1, got " + keepCheckpoints);
        }
        if (!(adamEpsilon > 0) || !Double.isFinite(adamEpsilon)) {
            throw new IllegalArgumentException("adamEpsilon must be finite and > 0, got " + adamEpsilon);
        }
        checkpointAt = Set.copyOf(new TreeSet<>(checkpointAt == null ? Set.of() : checkpointAt));
        for (long s : checkpointAt) {
            if (s < 1 || s > steps) {
                throw new IllegalArgumentException("checkpointAt step " + s + " outside [1, " + steps + "]");
            }
        }
        if (checkpointDir == null && (checkpointEvery > 0 || checkpointMinutes > 0 || !checkpointAt.isEmpty())) {
            throw new IllegalArgumentException("checkpointEvery / checkpointMinutes / checkpointAt need a "
                    + "checkpointDir");
        }
    }

    /** Periodic checkpoints kept by default (the newest two: one survives a kill during the next write). */
    public static final int DEFAULT_KEEP_CHECKPOINTS = 2;

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.steps = steps;
        b.accumulation = accumulation;
        b.learningRate = learningRate;
        b.warmupFraction = warmupFraction;
        b.weightDecay = weightDecay;
        b.clipNorm = clipNorm;
        b.seed = seed;
        b.checkpointDir = checkpointDir;
        b.checkpointEvery = checkpointEvery;
        b.checkpointMinutes = checkpointMinutes;
        b.keepCheckpoints = keepCheckpoints;
        b.checkpointAt = new TreeSet<>(checkpointAt);
        b.resume = resume;
        b.adamEpsilon = adamEpsilon;
        b.decayAllParameters = decayAllParameters;
        return b;
    }

    /** Fluent construction; {@link #build()} validates. */
    public static final class Builder {
        private long steps = 1000;
        private int accumulation = 1;
        private double learningRate = 1e-4;
        private double warmupFraction = 0.01;
        private double weightDecay = 0.01;
        private double clipNorm = 1.0;
        private long seed = 42;
        private Path checkpointDir;
        private long checkpointEvery;
        private double checkpointMinutes;
        private int keepCheckpoints = DEFAULT_KEEP_CHECKPOINTS;
        private Set<Long> checkpointAt = new TreeSet<>();
        private boolean resume = true;
        private double adamEpsilon = DEFAULT_ADAM_EPSILON;
        private boolean decayAllParameters;

        private Builder() {
        }

        public Builder steps(long v) {
            steps = v;
            return this;
        }

        public Builder accumulation(int v) {
            accumulation = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder warmupFraction(double v) {
            warmupFraction = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder checkpointDir(Path v) {
            checkpointDir = v;
            return this;
        }

        public Builder checkpointEvery(long v) {
            checkpointEvery = v;
            return this;
        }

        /** @param v minutes of wall time between periodic checkpoints (0 = not by time) @return this */
        public Builder checkpointMinutes(double v) {
            checkpointMinutes = v;
            return this;
        }

        /** @param v newest periodic checkpoints kept on disk, {@code >= 1} @return this */
        public Builder keepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        public Builder checkpointAt(long... stepsToKeep) {
            for (long s : stepsToKeep) {
                checkpointAt.add(s);
            }
            return this;
        }

        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        /** @param v AdamW's ε, {@code > 0} @return this */
        public Builder adamEpsilon(double v) {
            adamEpsilon = v;
            return this;
        }

        /** @param v weight decay on every parameter ({@code true}) or not on biases / LayerNorm weights @return this */
        public Builder decayAllParameters(boolean v) {
            decayAllParameters = v;
            return this;
        }

        public TrainingOptions build() {
            return new TrainingOptions(steps, accumulation, learningRate, warmupFraction, weightDecay, clipNorm, seed,
                    checkpointDir, checkpointEvery, checkpointMinutes, keepCheckpoints, checkpointAt, resume,
                    adamEpsilon, decayAllParameters);
        }
    }
}
