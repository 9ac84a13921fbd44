package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code -t/--tokenizer FILE}: a {@code tokenizer.json} that defaults to the one saved next to a model.
 *
 * <pre>{@code
 * @Mixin TokenizerOption tokenizer;
 * Path tok = tokenizer.orIn(teacherDir);   // --tokenizer, else teacherDir/tokenizer.json
 * }</pre>
 */
final class TokenizerOption {

    @Option(names = {"-t", "--tokenizer"}, paramLabel = "FILE",
            description = "tokenizer.json (default: DIR/tokenizer.json)")
    Path file;

    /** @return {@code --tokenizer}, else {@code tokenizer.json} in {@code modelDir} */
    Path orIn(Path modelDir) {
        return file != null ? file : modelDir.resolve("tokenizer.json");
    }
}
