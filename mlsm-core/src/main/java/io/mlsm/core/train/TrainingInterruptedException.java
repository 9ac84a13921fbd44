package io.mlsm.core.train;

import java.nio.file.Path;

/**
 * Training stopped on a {@link TrainingStop} request after a complete step. When the trainer had a checkpoint
 * directory, that step's checkpoint is on disk and running the same training again resumes there.
 */
public final class TrainingInterruptedException extends RuntimeException {

    private final String phase;
    private final long step;
    private final transient Path checkpoint;
    private final String reason;

    /**
     * @param phase      the phase that stopped
     * @param step       the last completed step
     * @param checkpoint the checkpoint written for it, or {@code null} when the trainer had no checkpoint directory
     * @param reason     why it stopped (e.g. {@code SIGINT})
     */
    public TrainingInterruptedException(String phase, long step, Path checkpoint, String reason) {
        super(phase + ": stopped (" + reason + ") after step " + step + (checkpoint != null
                ? "; checkpoint written to " + checkpoint + ", run the same command again to resume"
                : "; no checkpoint directory was set, so the progress of this phase is lost"));
        this.phase = phase;
        this.step = step;
        this.checkpoint = checkpoint;
        this.reason = reason;
    }

    /** @return why it stopped, as given to {@link TrainingStop#request(String)} */
    public String reason() {
        return reason;
    }

    /** @return the phase that stopped */
    public String phase() {
        return phase;
    }

    /** @return the last completed step */
    public long step() {
        return step;
    }

    /** @return the checkpoint written, or {@code null} */
    public Path checkpoint() {
        return checkpoint;
    }
}
