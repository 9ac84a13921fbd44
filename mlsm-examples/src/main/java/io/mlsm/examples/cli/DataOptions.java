package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --data DIR}: the folder of the BabyLM evaluation data ({@code ewok_filtered/}, {@code glue_filtered/}),
 * default {@code ../shared/data}.
 *
 * <pre>{@code
 * @Mixin DataOptions data;
 * ... new EvalEwokExample.Options(model.dir(), model.tokenizerFile(), data.dir(), fast, items, head.value(),
 *         normaliser.value())
 * }</pre>
 */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data",
            description = "folder holding ewok_filtered/ and glue_filtered/ (default: ${DEFAULT-VALUE})")
    Path dir;

    /** @return the data folder */
    Path dir() {
        return dir;
    }
}
