package io.mlsm.core.pretrain;

/**
 * How a {@link Pretraining} run protects its work: periodic resumable checkpoints of every training phase (by steps
 * and by wall time, whichever comes first), how many of them stay on disk, and whether an earlier run's outputs are
 * deleted first.
 *
 * <pre>{@code
 * Pretraining.twoPhase()...checkpointing(Checkpointing.defaults().withEvery(500)).fit();
 * new Checkpointing(0, 0, 1, false);     // no periodic checkpoints: an interrupted phase starts over
 * }</pre>
 *
 * @param every     steps between checkpoints, 0 = not by steps
 * @param minutes   wall-time minutes between checkpoints, 0 = not by time
 * @param keep      newest periodic checkpoints kept per phase, {@code >= 1}
 * @param overwrite delete the outputs of an earlier run in the same directory and start over
 */
public record Checkpointing(long every, double minutes, int keep, boolean overwrite) {

    public Checkpointing {
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint every must be >= 0 steps (0 = not by steps), got " + every);
        }
        if (!(minutes >= 0) || !Double.isFinite(minutes)) {
            throw new IllegalArgumentException("checkpoint minutes must be finite and >= 0 (0 = not by time), got "
                    + minutes);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoints kept must be >= 1, got " + keep);
        }
    }

    /** @return every {@value Pretraining#DEFAULT_CHECKPOINT_EVERY} steps or 10 minutes, the newest two kept */
    public static Checkpointing defaults() {
        return new Checkpointing(Pretraining.DEFAULT_CHECKPOINT_EVERY, Pretraining.DEFAULT_CHECKPOINT_MINUTES,
                io.mlsm.core.train.TrainingOptions.DEFAULT_KEEP_CHECKPOINTS, false);
    }

    /** @return a copy with another step interval */
    public Checkpointing withEvery(long steps) {
        return new Checkpointing(steps, minutes, keep, overwrite);
    }

    /** @return a copy with another wall-time interval */
    public Checkpointing withMinutes(double m) {
        return new Checkpointing(every, m, keep, overwrite);
    }

    /** @return a copy that does (or does not) delete an earlier run's outputs */
    public Checkpointing withOverwrite(boolean o) {
        return new Checkpointing(every, minutes, keep, o);
    }
}
