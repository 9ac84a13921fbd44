package io.mlsm.models.samediff;

import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the garbage collector when the process's resident memory has grown by more than a threshold since the last
 * collection.
 *
 * <p>ND4J frees an array's native buffer only when the garbage collector finalises its Java object, and the
 * buffers SameDiff allocates during a step are not counted by JavaCPP ({@code Pointer.totalBytes()} stays 0), so
 * heap pressure alone never triggers a collection: a tiny model's training loop grew by 2–7 MB per step until the
 * OS killed it. Calling {@link #afterWork()} after each step bounds that growth (measured: flat at about 0.5 GB over
 * 200 steps) at the cost of an occasional young+old collection of a small heap.
 */
final class NativeMemoryGuard {

    /** Resident-memory growth (bytes) that triggers a collection. */
    static final long THRESHOLD = 256L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryGuard.class);
    private static long baseline = -1;

    private NativeMemoryGuard() {
    }

    /** Collects garbage if resident memory grew by more than {@link #THRESHOLD} since the last collection. */
    static synchronized void afterWork() {
        long rss = Pointer.physicalBytes();
        if (baseline < 0) {
            baseline = rss;
            return;
        }
        if (rss - baseline > THRESHOLD) {
            System.gc();
            long after = Pointer.physicalBytes();
            LOG.debug("native memory guard: {} MB resident, {} MB after GC", rss >> 20, after >> 20);
            baseline = after;
        }
    }
}
