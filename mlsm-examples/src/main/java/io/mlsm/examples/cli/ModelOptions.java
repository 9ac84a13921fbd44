package io.mlsm.examples.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Option group of the commands that load a trained model: {@code -m/--model DIR} (required) and
 * {@code -t/--tokenizer FILE} (default {@code DIR/tokenizer.json}).
 *
 * <pre>{@code
 * @Mixin ModelOptions model;
 * ... new FillMaskExample.Options(model.dir(), model.tokenizerFile(), texts, topK)
 * }</pre>
 */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", required = true,
            description = "model directory (Hugging Face DeBERTa layout)")
    Path dir;

    @Mixin
    TokenizerOption tokenizer;

    /** @return the model directory */
    Path dir() {
        return dir;
    }

    /** @return {@code --tokenizer}, else {@code tokenizer.json} in the model directory */
    Path tokenizerFile() {
        return tokenizer.orIn(dir);
    }
}
