package io.mlsm.models;

/**
 * The heads that give vocabulary logits, for {@link DebertaModel#vocabLogitsAt}.
 */
public enum VocabHead {
    /** The tied MLM head (the first {@code V} rows of a {@code V + k} output layer). */
    MLM,
    /** The phase-3 head {@code k → V} on the concept logits. */
    LATENT_TO_VOCAB
}
