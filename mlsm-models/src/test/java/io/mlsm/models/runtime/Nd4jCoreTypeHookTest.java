package io.mlsm.models.runtime;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fresh-JVM check that the hook runs before OpenBLAS loads lives in mlsm-sparse; this one checks the wiring. */
class Nd4jCoreTypeHookTest {

    @Test
    void registeredAsAnNd4jBackendBelowEveryRealOne() {
        boolean found = false;
        for (Nd4jBackend b : ServiceLoader.load(Nd4jBackend.class)) {
            if (b instanceof Nd4jCoreTypeHook) {
                found = true;
            } else {
                assertTrue(b.getPriority() > Nd4jCoreTypeHook.PRIORITY, b.getClass().getName());
            }
        }
        assertTrue(found, "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend must list the hook");
        assertFalse(Nd4j.getBackend() instanceof Nd4jCoreTypeHook);
    }
}
