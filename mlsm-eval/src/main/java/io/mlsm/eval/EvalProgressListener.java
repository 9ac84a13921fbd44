package io.mlsm.eval;

/**
 * Receives progress of long evaluations (items done, items/s, ETA).
 *
 * <pre>{@code
 * EvalProgressListener l = p -> System.out.printf("%s %d/%d%n", p.task(), p.done(), p.total());
 * }</pre>
 */
@FunctionalInterface
public interface EvalProgressListener {

    /** A listener that ignores everything. */
    EvalProgressListener NONE = p -> { };

    /** Called after each batch of items; {@code p.done() == p.total()} on the last call. */
    void onProgress(EvalProgress p);
}
