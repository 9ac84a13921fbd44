package io.mlsm.runtime.testing;

import io.mlsm.runtime.OpenBlasCoreType;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Applies {@link OpenBlasCoreType} when a JUnit launcher session opens, before any test class can touch ND4J.
 * Registered through {@code META-INF/services}; other modules get it from this module's test jar.
 */
public final class OpenBlasSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        OpenBlasCoreType.apply();
    }
}
