package io.mlsm.examples.cli;

import io.mlsm.eval.pll.Normaliser;
import picocli.CommandLine.Option;

/**
 * {@code --normaliser ALL_OUTPUTS|VOCABULARY}: the rows the pseudo-log-likelihood log-softmax is taken over.
 * {@code ALL_OUTPUTS} (the default, the BabyLM pipeline's) includes the {@code k} concept rows of an MLSM model's
 * {@code V + k} MLM head; {@code VOCABULARY} keeps the first {@code V}. The latent-to-vocabulary head has {@code V}
 * output rows, so for it the two coincide.
 *
 * <pre>{@code
 * @Mixin NormaliserOption normaliser;
 * Normaliser n = normaliser.value();
 * }</pre>
 */
public final class NormaliserOption {

    @Option(names = "--normaliser", paramLabel = "NORM", defaultValue = "ALL_OUTPUTS",
            description = "ALL_OUTPUTS | VOCABULARY: log-softmax over every output row (V+k for an MLSM model's MLM "
                    + "head, as the BabyLM pipeline) or over the V vocabulary rows; the latent-to-vocabulary head "
                    + "has V rows, the two coincide (default: ${DEFAULT-VALUE})")
    Normaliser value;

    /** @return the normaliser */
    public Normaliser value() {
        return value;
    }
}
