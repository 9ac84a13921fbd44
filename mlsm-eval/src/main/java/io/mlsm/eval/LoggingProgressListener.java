package io.mlsm.eval;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * The default progress listener: logs a line through SLF4J at most every {@code intervalSeconds} (and always at the
 * end), e.g. {@code blimp 1200/5000 (24.0%) 85.3 items/s ETA 0:00:44}.
 *
 * <pre>{@code
 * EvalProgressListener l = new LoggingProgressListener(10);
 * }</pre>
 */
public final class LoggingProgressListener implements EvalProgressListener {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingProgressListener.class);

    private final long intervalNanos;
    private long lastLogged = Long.MIN_VALUE;

    /** @param intervalSeconds minimum seconds between two log lines, >= 0 */
    public LoggingProgressListener(double intervalSeconds) {
        if (!(intervalSeconds >= 0)) {
            throw new IllegalArgumentException("intervalSeconds must be >= 0, got " + intervalSeconds);
        }
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    @Override
    public synchronized void onProgress(EvalProgress p) {
        long now = System.nanoTime();
        boolean last = p.done() == p.total();
        if (!last && lastLogged != Long.MIN_VALUE && now - lastLogged < intervalNanos) {
            return;
        }
        lastLogged = now;
        LOG.info(format(p));
    }

    /** @return the log line for {@code p} */
    public static String format(EvalProgress p) {
        return String.format(Locale.ROOT, "%s %d/%d (%.1f%%) %.1f items/s ETA %s", p.task(), p.done(), p.total(),
                100 * p.fraction(), p.itemsPerSecond(), formatSeconds(p.etaSeconds()));
    }

    /** @return {@code h:mm:ss}, or {@code ?} when unknown */
    public static String formatSeconds(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
