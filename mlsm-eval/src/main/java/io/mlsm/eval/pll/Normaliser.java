package io.mlsm.eval.pll;

/**
 * Over which output rows the log-softmax of pseudo-log-likelihood scoring is taken, for a model whose output layer has
 * more rows than the vocabulary: an MLSM checkpoint in the released layout has {@code V + k} output rows, the
 * {@code V} word pieces followed by the {@code k} latent concepts.
 *
 * <ul>
 *   <li>{@link #ALL_OUTPUTS}: {@code log p(w) = l_w − log Σ_{j < V+k} exp(l_j)} — what the BabyLM evaluation pipeline
 *   does (it log-softmaxes every row the model outputs), so the papers' BLiMP / EWoK numbers use it. The default.</li>
 *   <li>{@link #VOCABULARY}: {@code log p(w) = l_w − log Σ_{j < V} exp(l_j)} — a proper distribution over the word
 *   pieces only; a variant.</li>
 * </ul>
 *
 * For a model without latent concepts ({@code k = 0}) the two are the same. The phase-3 latent-to-vocabulary head
 * outputs exactly {@code V} rows, so for it the two are the same too: a scorer reading that head normalises over its
 * {@code V} rows whichever is asked, and says so ({@link MaskedLmScorer#normaliserApplied}).
 *
 * <pre>{@code
 * PllOptions o = PllOptions.defaults().withNormaliser(Normaliser.VOCABULARY);
 * }</pre>
 */
public enum Normaliser {
    /** Log-softmax over every output row ({@code V + k}): the BabyLM pipeline's normaliser. */
    ALL_OUTPUTS("log-softmax over every output row (V+k through the MLM head of an MLSM model; the V rows of the "
            + "latent-to-vocabulary head)"),
    /** Log-softmax over the first {@code V} rows (the vocabulary) only. */
    VOCABULARY("log-softmax over the V vocabulary rows");

    private final String description;

    Normaliser(String description) {
        this.description = description;
    }

    /** @return what the normaliser sums over, in words (for table captions) */
    public String description() {
        return description;
    }

    /** @return {@code "<NAME>: <description>"}, e.g. for a table caption */
    public String caption() {
        return name() + ": " + description;
    }
}
