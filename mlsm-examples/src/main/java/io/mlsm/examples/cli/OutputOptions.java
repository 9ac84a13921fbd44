package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code -o/--out DIR}, the output directory. Each command passes its own default, which {@code --help} shows (picocli
 * takes an option's initial value as its default).
 *
 * <pre>{@code
 * @Mixin OutputOptions out = new OutputOptions("mlsm-runs/tokenizer");
 * Path dir = out.dir();
 * }</pre>
 */
final class OutputOptions {

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "output directory (default: ${DEFAULT-VALUE})")
    Path dir;

    /** @param defaultDir the directory used without {@code --out} */
    OutputOptions(String defaultDir) {
        this.dir = Path.of(defaultDir);
    }

    /** @return the output directory */
    Path dir() {
        return dir;
    }
}
