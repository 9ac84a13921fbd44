package io.mlsm.eval;

import java.util.function.LongSupplier;

/**
 * Counts finished items of one task and reports rate and ETA to a listener.
 *
 * <pre>{@code
 * ProgressMeter meter = new ProgressMeter("blimp", pairs.size(), listener);
 * for (...) { ...; meter.advance(batchSize); }
 * }</pre>
 */
public final class ProgressMeter {

    private final String task;
    private final long total;
    private final EvalProgressListener listener;
    private final LongSupplier nanoClock;
    private final long start;
    private long done;

    /** A meter on the system clock. */
    public ProgressMeter(String task, long total, EvalProgressListener listener) {
        this(task, total, listener, System::nanoTime);
    }

    /** A meter on the given nanosecond clock (tests pass a fake one). */
    public ProgressMeter(String task, long total, EvalProgressListener listener, LongSupplier nanoClock) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0, got " + total);
        }
        this.task = task;
        this.total = total;
        this.listener = listener == null ? EvalProgressListener.NONE : listener;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Adds {@code n} finished items and notifies the listener. */
    public void advance(long n) {
        if (n < 0 || done + n > total) {
            throw new IllegalArgumentException("cannot advance " + task + " by " + n + ": " + done + " of " + total
                    + " done");
        }
        done += n;
        double seconds = (nanoClock.getAsLong() - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0.0;
        double eta = done == total ? 0.0 : rate > 0 ? (total - done) / rate : Double.NaN;
        listener.onProgress(new EvalProgress(task, done, total, rate, eta));
    }

    /** @return items finished so far */
    public long done() {
        return done;
    }
}
