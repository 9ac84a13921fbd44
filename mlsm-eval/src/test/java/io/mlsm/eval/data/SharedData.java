package io.mlsm.eval.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/data} through the {@code mlsm.shared.dir} property; skips the test when absent. */
final class SharedData {

    private SharedData() {
    }

    static Path dir(String sub) {
        String shared = System.getProperty("mlsm.shared.dir");
        Assumptions.assumeTrue(shared != null, "mlsm.shared.dir not set");
        Path p = Path.of(shared, "data", sub);
        Assumptions.assumeTrue(Files.exists(p), "no shared data at " + p);
        return p;
    }
}
