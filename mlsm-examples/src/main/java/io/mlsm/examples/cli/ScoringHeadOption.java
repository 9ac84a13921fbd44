package io.mlsm.examples.cli;

import io.mlsm.eval.model.ScoringHead;
import picocli.CommandLine.Option;

/**
 * {@code --head HEAD}: which output scores the zero-shot evaluations (MLM head, latent-to-vocabulary head, or the one
 * the model directory has).
 *
 * <pre>{@code
 * @Mixin ScoringHeadOption head;
 * ScoringHead h = head.value();
 * }</pre>
 */
public final class ScoringHeadOption {

    @Option(names = "--head", paramLabel = "HEAD", defaultValue = "AUTO",
            description = "MLM | LATENT_TO_VOCAB | AUTO (default: ${DEFAULT-VALUE})")
    ScoringHead value;

    /** @return the scoring head */
    public ScoringHead value() {
        return value;
    }
}
