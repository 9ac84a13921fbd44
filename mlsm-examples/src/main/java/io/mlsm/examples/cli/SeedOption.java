package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

/**
 * {@code --seed N} (default 42): the one seed that drives every random choice of a command.
 *
 * <pre>{@code
 * @Mixin SeedOption seed;
 * ... .seed(seed.value())
 * }</pre>
 */
final class SeedOption {

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
    long value;

    /** @return the seed */
    long value() {
        return value;
    }
}
