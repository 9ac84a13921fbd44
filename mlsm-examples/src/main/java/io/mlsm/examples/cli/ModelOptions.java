package io.mlsm.examples.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Option group of the commands that load a trained model: {@code -m/--model DIR} (required),
 * {@code -t/--tokenizer FILE} (default {@code DIR/tokenizer.json}) and {@code --concepts K} (the latent concepts of a
 * released {@code V + k} checkpoint whose {@code config.json} has no key of ours; default: from the config, else
 * {@code vocab_size − tokenizer size}, said at WARN).
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

    @Option(names = "--concepts", paramLabel = "K", defaultValue = "-1",
            description = "latent concepts k of a released V+k checkpoint (vocab_size = V + k) with no key of ours "
                    + "in config.json; -1 = from the config, else vocab_size - tokenizer size (default: ${DEFAULT-VALUE})")
    int concepts;

    /** @return {@code --concepts}: {@code k}, or -1 for "from the config, else inferred" */
    int concepts() {
        return concepts;
    }

    /** @return the model directory */
    Path dir() {
        return dir;
    }

    /** @return {@code --tokenizer}, else {@code tokenizer.json} in the model directory */
    Path tokenizerFile() {
        return tokenizer.orIn(dir);
    }
}
