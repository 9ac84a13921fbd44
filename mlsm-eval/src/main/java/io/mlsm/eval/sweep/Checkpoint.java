package io.mlsm.eval.sweep;

/**
 * One model to evaluate: the series it belongs to (e.g. {@code "MLSM+MLM"}), its update step, and how to open it.
 *
 * <pre>{@code
 * Checkpoint<MaskedLmScorer> c = new Checkpoint<>("MLSM+MLM", 16_000, () -> adapter(load(dir.resolve("step-16000"))));
 * }</pre>
 *
 * @param series the model name (a line in the plot)
 * @param step   update step (x in the plot), >= 0
 * @param opener opens the model when its turn comes (so only one is in memory at a time)
 * @param <M>    what the evaluation needs (a scorer, a classifier factory, ...)
 */
public record Checkpoint<M>(String series, long step, Opener<M> opener) {

    public Checkpoint {
        if (series == null || series.isBlank()) {
            throw new IllegalArgumentException("series must be named");
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (opener == null) {
            throw new IllegalArgumentException("opener is required");
        }
    }

    /** Opens a checkpoint's model. */
    @FunctionalInterface
    public interface Opener<M> {
        M open() throws java.io.IOException;
    }
}
