package io.mlsm.models.runtime;

import io.mlsm.runtime.OpenBlasCoreType;
import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Applies {@link OpenBlasCoreType} from inside ND4J's own start-up, so that no class of this module has to.
 *
 * <p>ND4J finds its backends with a {@link java.util.ServiceLoader} over {@link Nd4jBackend}
 * ({@code Nd4jBackend.load()}, the first thing {@code Nd4j}'s static initialiser does). The loader instantiates
 * every registered provider before it asks any of them {@code isAvailable()} and before the chosen backend loads its
 * native libraries (OpenBLAS among them). This class is registered in {@code META-INF/services} as such a provider:
 * its constructor exports {@code OPENBLAS_CORETYPE} at exactly the right moment. It is not a backend: its priority
 * is below every real one, so ND4J picks the CPU or CUDA backend and never calls anything else on it.
 *
 * <p>{@code mlsm-sparse} registers an identical hook ({@code io.mlsm.sparse.runtime.Nd4jCoreTypeHook}) because
 * this module does not depend on it; with both on the class path the second call is a no-op.
 */
public final class Nd4jCoreTypeHook extends Nd4jBackend {

    /** Below every real backend (ND4J's CPU backend has 0, CUDA 100), without overflowing ND4J's comparator. */
    static final int PRIORITY = -1_000_000;

    /** Called by ND4J's service loader; applies the core type. */
    public Nd4jCoreTypeHook() {
        OpenBlasCoreType.apply();
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        // reached only when no real backend is available; ND4J logs this message as the reason it skipped us
        throw new UnsupportedOperationException("not a backend: it only sets " + OpenBlasCoreType.VARIABLE
                + " before ND4J loads OpenBLAS");
    }

    @Override
    public boolean canRun() {
        return false;
    }

    @Override
    public boolean allowsOrder() {
        return false;
    }

    @Override
    public Resource getConfigurationResource() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public Class<?> getNDArrayClass() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public Environment getEnvironment() {
        throw new UnsupportedOperationException("not a backend");
    }

    @Override
    public String buildInfo() {
        return "mlsm OpenBLAS core-type hook (not a backend)";
    }

    @Override
    public void logBackendInit() {
        // nothing to log: never chosen as the backend
    }
}
