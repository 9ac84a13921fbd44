package io.mlsm.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * What each executor JVM loads once and lends to its tasks: teachers, dictionaries, tokenizers, corpora, scorers.
 * A task borrows an instance for its key and returns it when done, so a model is loaded once per task slot (not once
 * per task), and no two concurrent tasks share one (SameDiff inference sessions are not meant for concurrent use).
 * Idle instances are bounded: past {@link #maxIdle()} the least recently returned one is dropped, so an executor that
 * scores many checkpoints one after another does not keep every model it ever loaded.
 *
 * <pre>{@code
 * try (ExecutorPool.Lease<DebertaModel> teacher = ExecutorPool.borrow("teacher:" + dir,
 *         () -> HfDebertaDirectory.loadModel(dir))) {
 *     teacher.value().hiddenStates(ids, mask);
 * }
 * }</pre>
 */
public final class ExecutorPool {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorPool.class);

    /** Loads an instance on a miss. */
    @FunctionalInterface
    public interface Loader<T> {
        /** @return a new instance @throws Exception when it cannot be loaded */
        T load() throws Exception;
    }

    private record Idle(String key, Object value) {
    }

    private static final Deque<Idle> IDLE = new ArrayDeque<>();   // most recently returned first
    private static int maxIdle = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
    private static long loads;

    private ExecutorPool() {
    }

    /**
     * A borrowed instance; closing it gives it back.
     *
     * @param key   what was asked for
     * @param value the instance
     */
    public record Lease<T>(String key, T value) implements AutoCloseable {
        @Override
        public void close() {
            giveBack(key, value);
        }
    }

    /**
     * Lends an idle instance for {@code key}, or loads one.
     *
     * @throws IllegalStateException carrying the loader's failure, naming the key
     */
    @SuppressWarnings("unchecked")
    public static <T> Lease<T> borrow(String key, Loader<T> loader) {
        synchronized (IDLE) {
            for (Iterator<Idle> it = IDLE.iterator(); it.hasNext(); ) {
                Idle i = it.next();
                if (i.key.equals(key)) {
                    it.remove();
                    return new Lease<>(key, (T) i.value);
                }
            }
        }
        try {
            long t0 = System.nanoTime();
            T value = loader.load();
            synchronized (IDLE) {
                loads++;
            }
            LOG.info("executor: loaded {} in {} ms", key, (System.nanoTime() - t0) / 1_000_000);
            return new Lease<>(key, value);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load " + key + ": " + e.getMessage(), e);
        }
    }

    private static void giveBack(String key, Object value) {
        synchronized (IDLE) {
            IDLE.addFirst(new Idle(key, value));
            while (IDLE.size() > maxIdle) {
                dispose(IDLE.removeLast());
            }
        }
    }

    /** @return the most idle instances kept */
    public static int maxIdle() {
        synchronized (IDLE) {
            return maxIdle;
        }
    }

    /** @param n the most idle instances kept, {@code >= 1} */
    public static void maxIdle(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxIdle must be >= 1, got " + n);
        }
        synchronized (IDLE) {
            maxIdle = n;
        }
    }

    /** @return idle instances per key (a snapshot, for tests and logs) */
    public static Map<String, Integer> idle() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        synchronized (IDLE) {
            for (Idle i : IDLE) {
                m.merge(i.key, 1, Integer::sum);
            }
        }
        return m;
    }

    /** @return instances loaded by this JVM so far */
    public static long loads() {
        synchronized (IDLE) {
            return loads;
        }
    }

    /** Drops every idle instance. */
    public static void clear() {
        synchronized (IDLE) {
            while (!IDLE.isEmpty()) {
                dispose(IDLE.removeLast());
            }
        }
    }

    private static void dispose(Idle dropped) {
        if (dropped.value instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("executor: closing {} failed: {}", dropped.key, e.toString());
            }
        }
    }
}
