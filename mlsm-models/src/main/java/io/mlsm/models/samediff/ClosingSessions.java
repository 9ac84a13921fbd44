package io.mlsm.models.samediff;

import org.nd4j.autodiff.samediff.InferenceFactory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes SameDiff run registered graphs with a {@link ClosingMemoryManager}. SameDiff 1.0.0-M2.1 creates a new
 * {@link InferenceSession} (with its caching memory manager) on every {@code output} / {@code calculateGradients}
 * call through a process-wide {@link InferenceFactory}; this installs, once, a factory that delegates to the
 * previous one for every graph not registered here, so other SameDiff users in the process are unaffected.
 *
 * <pre>{@code
 * ClosingSessions.register(sd);
 * ClosingSessions.register(sd.getFunction("grad"));
 * }</pre>
 */
final class ClosingSessions {

    /** Identity-based (SameDiff's equals/hashCode depend on its mutable contents), weakly held. */
    private static final List<WeakReference<SameDiff>> REGISTERED = new ArrayList<>();
    private static volatile boolean installed;

    private ClosingSessions() {
    }

    /** @param sd graph whose sessions free intermediate arrays eagerly (null is ignored) */
    static void register(SameDiff sd) {
        if (sd == null) {
            return;
        }
        install();
        synchronized (REGISTERED) {
            REGISTERED.removeIf(r -> r.get() == null);
            REGISTERED.add(new WeakReference<>(sd));
        }
        sd.getSessions().clear();   // sessions made before registration are re-created by the factory
    }

    private static boolean isRegistered(SameDiff sd) {
        synchronized (REGISTERED) {
            for (WeakReference<SameDiff> r : REGISTERED) {
                if (r.get() == sd) {
                    return true;
                }
            }
            return false;
        }
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        InferenceFactory previous = SameDiff.getInferenceFactory();
        SameDiff.bindInferenceFactory(sd -> {
            if (isRegistered(sd)) {
                InferenceSession s = new InferenceSession(sd);
                s.setMmgr(new ClosingMemoryManager());
                return s;
            }
            return previous.create(sd);
        });
        installed = true;
    }
}
