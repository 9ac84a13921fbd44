package io.mlsm.models.samediff;

import org.nd4j.autodiff.samediff.InferenceFactory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Makes SameDiff run registered graphs with a {@link ClosingMemoryManager} over the graph's own {@link BufferPool}.
 * SameDiff 1.0.0-M2.1 creates a new {@link InferenceSession} (with its caching memory manager) on every
 * {@code output} / {@code calculateGradients} call through a process-wide {@link InferenceFactory}; this installs,
 * once, a factory that delegates to the previous one for every graph not registered here, so other SameDiff users in
 * the process are unaffected.
 *
 * <pre>{@code
 * ClosingSessions.register(sd);
 * ClosingSessions.register(sd.getFunction("grad"));
 * ...
 * ClosingSessions.unregister(sd);   // the graph is dropped: free its pool
 * }</pre>
 */
final class ClosingSessions {

    /**
     * A registered graph (identity-based: SameDiff's equals/hashCode depend on its contents), weakly held, with the
     * order in which it was registered.
     */
    private record Registration(WeakReference<SameDiff> graph, BufferPool pool, long serial) {
    }

    private static final List<Registration> REGISTERED = new ArrayList<>();
    private static long nextSerial;
    private static volatile boolean installed;

    private ClosingSessions() {
    }

    /** @param sd graph whose sessions free intermediate arrays eagerly into its pool (null is ignored) */
    static void register(SameDiff sd) {
        if (sd == null) {
            return;
        }
        install();
        synchronized (REGISTERED) {
            purge();
            if (poolOf(sd) == null) {
                REGISTERED.add(new Registration(new WeakReference<>(sd), BufferPool.withConfiguredLimit(),
                        nextSerial++));
            }
        }
        sd.getSessions().clear();   // sessions made before registration are re-created by the factory
    }

    /** Frees the pool of {@code sd} and forgets the graph (no-op if it was not registered). */
    static void unregister(SameDiff sd) {
        synchronized (REGISTERED) {
            closeWhere(r -> r.graph().get() == sd);
        }
    }

    /** @return the pool of a registered graph, or null */
    static BufferPool poolOf(SameDiff sd) {
        synchronized (REGISTERED) {
            for (Registration r : REGISTERED) {
                if (r.graph().get() == sd) {
                    return r.pool();
                }
            }
            return null;
        }
    }

    /** @return a mark for {@link #poolTotalsSince}: graphs registered from now on are at or after it */
    static long registrationMark() {
        synchronized (REGISTERED) {
            return nextSerial;
        }
    }

    /**
     * Free bytes and outstanding leases in the pools of the live graphs registered at or after {@code mark}. Graphs
     * registered earlier are left out: another model in the same JVM may be garbage-collected at any moment, and its
     * pools would leave a total over all graphs at a time no caller chooses.
     *
     * @return {bytes, leases}
     */
    static long[] poolTotalsSince(long mark) {
        synchronized (REGISTERED) {
            long bytes = 0;
            long leases = 0;
            for (Registration r : REGISTERED) {
                if (r.serial() >= mark && r.graph().get() != null) {
                    bytes += r.pool().pooledBytes();
                    leases += r.pool().outstanding();
                }
            }
            return new long[] {bytes, leases};
        }
    }

    /** Frees the pools of graphs that were garbage-collected without {@link #unregister}. */
    private static void purge() {
        closeWhere(r -> r.graph().get() == null);
    }

    /** Frees the pools of the matching registrations and drops them (caller holds the lock). */
    private static void closeWhere(java.util.function.Predicate<Registration> which) {
        Iterator<Registration> it = REGISTERED.iterator();
        while (it.hasNext()) {
            Registration r = it.next();
            if (which.test(r)) {
                r.pool().close();
                it.remove();
            }
        }
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        InferenceFactory previous = SameDiff.getInferenceFactory();
        SameDiff.bindInferenceFactory(sd -> {
            BufferPool pool = poolOf(sd);
            if (pool != null) {
                InferenceSession s = new InferenceSession(sd);
                s.setMmgr(new ClosingMemoryManager(pool));
                return s;
            }
            return previous.create(sd);
        });
        installed = true;
    }
}
