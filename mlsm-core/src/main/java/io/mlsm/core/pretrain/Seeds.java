package io.mlsm.core.pretrain;

import java.nio.charset.StandardCharsets;

/**
 * Seeds of a run's random choices, derived from the run's one seed and the name of the choice
 * ({@code "student.init"}, {@code "student.data"}, ...), so adding a phase or a choice never shifts another's seed
 * (as {@code seed + 1, seed + 2, ...} would) and two choices never share a stream by accident.
 *
 * <pre>{@code
 * long init = Seeds.derive(42, "student.init");
 * }</pre>
 */
public final class Seeds {

    private Seeds() {
    }

    /**
     * @param seed the run's seed
     * @param name what the seed is for
     * @return a well-mixed 64-bit seed (SplitMix64 finaliser over the seed and an FNV-1a hash of the name's UTF-8)
     */
    public static long derive(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(mix(seed) ^ h);
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
