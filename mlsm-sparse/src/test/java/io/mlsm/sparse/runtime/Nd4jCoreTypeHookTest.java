package io.mlsm.sparse.runtime;

import io.mlsm.runtime.OpenBlasCoreType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void nd4jComputesWithTheChosenKernel() {
        // [[1,2],[3,4]]^2 = [[7,10],[15,22]]
        INDArray a = Nd4j.createFromArray(new float[][]{{1, 2}, {3, 4}});
        assertEquals(Nd4j.createFromArray(new float[][]{{7, 10}, {15, 22}}), a.mmul(a));
    }

    /** A fresh JVM with no listener and no explicit call: ND4J's own start-up must apply the core type in time. */
    @Test
    void nd4jStartUpAppliesTheCoreTypeBeforeOpenBlasLoads() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), FreshJvm.class.getName()).redirectErrorStream(true);
        pb.environment().remove(OpenBlasCoreType.VARIABLE);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("too late"), out);
        assertTrue(out.contains("DECISION "), out);
    }

    /** Touches ND4J first, then asks for the decision the hook made. */
    static final class FreshJvm {
        public static void main(String[] args) {
            Nd4j.create(new float[]{1, 2, 3}).sumNumber();
            System.out.println("DECISION " + OpenBlasCoreType.apply());
        }
    }
}
