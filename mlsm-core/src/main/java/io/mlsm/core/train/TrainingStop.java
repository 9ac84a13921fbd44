package io.mlsm.core.train;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A process-wide request to stop training cleanly: the {@link Trainer} that is running finishes its current step,
 * writes a checkpoint (when it has a checkpoint directory) and throws {@link TrainingInterruptedException}; a later
 * run with the same settings resumes from that checkpoint. The command line requests a stop on SIGINT (Ctrl-C) and
 * SIGTERM; an application can call {@link #request(String)} from any thread, e.g. from its own signal or UI handler.
 *
 * <pre>{@code
 * Runtime.getRuntime().addShutdownHook(...);          // not needed: request() is enough
 * TrainingStop.request("user pressed stop");          // the running phase stops after its current step
 * }</pre>
 */
public final class TrainingStop {

    private static final AtomicReference<String> REASON = new AtomicReference<>();

    private TrainingStop() {
    }

    /**
     * Asks the running training to stop after its current step.
     *
     * @param reason shown in the log and the exception, e.g. {@code "SIGINT"}
     * @return {@code false} when a stop was already requested (callers may then stop harder)
     */
    public static boolean request(String reason) {
        return REASON.compareAndSet(null, reason == null ? "stop requested" : reason);
    }

    /** @return whether a stop was requested and not yet {@link #clear() cleared} */
    public static boolean requested() {
        return REASON.get() != null;
    }

    /** @return the reason of the pending request, or {@code null} */
    public static String reason() {
        return REASON.get();
    }

    /** Withdraws a pending request (a new run in the same process starts clean). */
    public static void clear() {
        REASON.set(null);
    }
}
