package io.mlsm.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the OpenBLAS kernel ({@code OPENBLAS_CORETYPE}) from the CPU's real instruction-set features before
 * ND4J loads its native OpenBLAS.
 *
 * <p>The OpenBLAS 0.3.19 bundled with ND4J 1.0.0-M2.1 misdetects recent AVX-512 CPUs as {@code Prescott} and runs a
 * generic kernel (about 3.4x slower GEMM). OpenBLAS reads the variable once, when its shared library is loaded, so
 * {@link #apply()} must run before the first ND4J call.
 *
 * <p>Where it is called: ND4J itself calls it. {@code Nd4j}'s static initialiser first runs
 * {@code Nd4jBackend.load()}, whose {@link java.util.ServiceLoader} instantiates every registered
 * {@code org.nd4j.linalg.factory.Nd4jBackend} before the chosen backend loads its native libraries.
 * {@code mlsm-sparse} and {@code mlsm-models} each register a lowest-priority pseudo-backend
 * ({@code io.mlsm.sparse.runtime.Nd4jCoreTypeHook}, {@code io.mlsm.models.runtime.Nd4jCoreTypeHook}) whose
 * constructor calls {@link #apply()}; two because neither module depends on the other, and this module stays free of
 * ND4J. Any program with either module on its class path
 * therefore gets the right kernel without calling anything (the hooks replaced 35 static initialisers). Tests also
 * get it from a JUnit launcher-session listener in this module's test jar. Calling {@link #apply()} yourself first
 * is still allowed and harmless.
 *
 * <p>Rules: a value already set by the user always wins; AVX-512 (F, BW, DQ, VL) selects {@code SkylakeX}; AVX2 with
 * FMA selects {@code Haswell}; AVX selects {@code SandyBridge}; anything else leaves OpenBLAS to its own detection.
 * AVX-512 kernels are never chosen on a CPU without AVX-512. The choice is logged once.
 *
 * <pre>{@code
 * INDArray x = Nd4j.rand(1024, 1024);               // ND4J's start-up applied the core type
 * String kernel = OpenBlasCoreType.apply().coreType(); // the decision it made, e.g. "SkylakeX"
 * }</pre>
 */
public final class OpenBlasCoreType {

    /** The environment variable OpenBLAS reads at load time. */
    public static final String VARIABLE = "OPENBLAS_CORETYPE";

    private static final Logger LOG = LoggerFactory.getLogger(OpenBlasCoreType.class);
    private static volatile Decision decision;

    private OpenBlasCoreType() {
    }

    /** What was decided and why. */
    public record Decision(String coreType, String reason, boolean appliedByLibrary) {
    }

    /** libc's setenv, through JNA; the JVM has no API that changes its own process environment. */
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    /**
     * Selects and exports the core type once per process (later calls return the first decision).
     *
     * @return the decision (core type may be {@code null} when OpenBLAS is left to detect the CPU itself)
     */
    public static synchronized Decision apply() {
        if (decision != null) {
            return decision;
        }
        String user = System.getenv(VARIABLE);
        if (user != null && !user.isBlank()) {
            decision = new Decision(user, "set by the user (" + VARIABLE + "=" + user + ")", false);
        } else {
            Set<String> flags = cpuFlags();
            Optional<String> chosen = choose(flags);
            if (chosen.isEmpty()) {
                decision = new Decision(null, flags.isEmpty() ? "CPU flags unavailable on this platform"
                        : "no AVX on this CPU; OpenBLAS detects its own kernel", false);
            } else if (openBlasAlreadyLoaded()) {
                decision = new Decision(null, "too late: OpenBLAS was loaded before the core type could be set "
                        + "(call OpenBlasCoreType.apply() before the first ND4J call)", false);
            } else {
                decision = export(chosen.get());
            }
        }
        if (decision.coreType() == null) {
            LOG.warn("OpenBLAS core type not set: {}", decision.reason());
        } else {
            LOG.info("OpenBLAS core type {}: {}", decision.coreType(), decision.reason());
        }
        return decision;
    }

    /**
     * The kernel for a set of {@code /proc/cpuinfo} flags, or empty when OpenBLAS should decide.
     *
     * @param flags lower-case CPU feature flags
     * @return {@code SkylakeX}, {@code Haswell}, {@code SandyBridge} or empty
     */
    public static Optional<String> choose(Set<String> flags) {
        if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl"))) {
            return Optional.of("SkylakeX");
        }
        if (flags.contains("avx2") && flags.contains("fma")) {
            return Optional.of("Haswell");
        }
        if (flags.contains("avx")) {
            return Optional.of("SandyBridge");
        }
        return Optional.empty();
    }

    private static Decision export(String coreType) {
        try {
            LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
            if (libc.setenv(VARIABLE, coreType, 1) != 0) {
                return new Decision(null, "setenv(" + VARIABLE + ") failed", false);
            }
            String check = libc.getenv(VARIABLE);
            if (!coreType.equals(check)) {
                return new Decision(null, "setenv(" + VARIABLE + ") did not take effect (got " + check + ")", false);
            }
            return new Decision(coreType, "chosen from the CPU's features", true);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return new Decision(null, "could not call setenv through JNA: " + e, false);
        }
    }

    static Set<String> cpuFlags() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Set.of();
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> new HashSet<>(Arrays.asList(
                            l.substring(l.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT).split("\\s+"))))
                    .map(s -> (Set<String>) s)
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static boolean openBlasAlreadyLoaded() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return false;
        }
        try (var lines = Files.lines(maps)) {
            return lines.anyMatch(l -> l.contains("libopenblas"));
        } catch (IOException e) {
            return false;
        }
    }
}
