package io.mlsm.runtime;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class OpenBlasCoreTypeTest {

    @Test
    void avx512CpuGetsSkylakeX() {
        assertEquals(Optional.of("SkylakeX"),
                OpenBlasCoreType.choose(Set.of("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl")));
    }

    @Test
    void neverAvx512KernelsWithoutAvx512() {
        assertEquals(Optional.of("Haswell"), OpenBlasCoreType.choose(Set.of("avx", "avx2", "fma")));
        // avx512f alone (Knights Landing) lacks the BW/DQ/VL instructions that SkylakeX kernels use
        assertEquals(Optional.of("Haswell"), OpenBlasCoreType.choose(Set.of("avx", "avx2", "fma", "avx512f")));
        assertEquals(Optional.of("SandyBridge"), OpenBlasCoreType.choose(Set.of("avx")));
        assertEquals(Optional.empty(), OpenBlasCoreType.choose(Set.of("sse4_2")));
    }

    @Test
    void decisionFollowsTheUserOrTheCpu() {
        OpenBlasCoreType.Decision d = OpenBlasCoreType.apply();
        assertNotNull(d.reason());
        String user = System.getenv(OpenBlasCoreType.VARIABLE);
        if (user != null && !user.isBlank()) {
            assertEquals(user, d.coreType(), "a user-set core type must win");
        } else if (!OpenBlasCoreType.cpuFlags().isEmpty()) {
            assertEquals(OpenBlasCoreType.choose(OpenBlasCoreType.cpuFlags()).orElse(null), d.coreType(),
                    d.reason());
        }
    }
}
