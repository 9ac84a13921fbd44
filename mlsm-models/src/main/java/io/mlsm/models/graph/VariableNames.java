package io.mlsm.models.graph;

/**
 * Every SameDiff variable name the DeBERTa graphs use, in one place.
 *
 * <p>Parameters carry their Hugging Face names ({@code DebertaForMaskedLM}, transformers 4.27 v1 code), so importing
 * and exporting a checkpoint is a rename-free map copy. Placeholders start with {@code in.}, dropout masks with
 * {@code dropout.}, outputs with {@code out.} and loss terms with {@code loss.}.
 *
 * <pre>{@code
 * INDArray w = model.parameter(VariableNames.layer(0, VariableNames.IN_PROJ));   // [3H, H]
 * }</pre>
 */
public final class VariableNames {

    private VariableNames() {
    }

    // ---------------------------------------------------------------- encoder parameters (Hugging Face names)
    /** Word embeddings {@code [V (+k), H]}; tied to the MLM decoder. */
    public static final String WORD_EMBEDDINGS = "deberta.embeddings.word_embeddings.weight";
    /** Embedding LayerNorm gain {@code [H]}. */
    public static final String EMBEDDINGS_LN_WEIGHT = "deberta.embeddings.LayerNorm.weight";
    /** Embedding LayerNorm bias {@code [H]}. */
    public static final String EMBEDDINGS_LN_BIAS = "deberta.embeddings.LayerNorm.bias";
    /** Relative-position embeddings {@code [2 * maxRelativePositions, H]}. */
    public static final String REL_EMBEDDINGS = "deberta.encoder.rel_embeddings.weight";

    /** Per-layer suffix: q, k, v projection {@code [3H, H]}, rows interleaved per head (q, k, v of head 0, ...). */
    public static final String IN_PROJ = "attention.self.in_proj.weight";
    /** Per-layer suffix: query bias {@code [H]}. */
    public static final String Q_BIAS = "attention.self.q_bias";
    /** Per-layer suffix: value bias {@code [H]}. */
    public static final String V_BIAS = "attention.self.v_bias";
    /** Per-layer suffix: content-to-position key projection {@code [H, H]} (no bias). */
    public static final String POS_PROJ = "attention.self.pos_proj.weight";
    /** Per-layer suffix: position-to-content query projection {@code [H, H]}. */
    public static final String POS_Q_PROJ_WEIGHT = "attention.self.pos_q_proj.weight";
    /** Per-layer suffix: position-to-content query bias {@code [H]}. */
    public static final String POS_Q_PROJ_BIAS = "attention.self.pos_q_proj.bias";
    /** Per-layer suffix: attention output dense {@code [H, H]}. */
    public static final String ATTN_OUT_WEIGHT = "attention.output.dense.weight";
    /** Per-layer suffix: attention output bias {@code [H]}. */
    public static final String ATTN_OUT_BIAS = "attention.output.dense.bias";
    /** Per-layer suffix: attention output LayerNorm gain. */
    public static final String ATTN_LN_WEIGHT = "attention.output.LayerNorm.weight";
    /** Per-layer suffix: attention output LayerNorm bias. */
    public static final String ATTN_LN_BIAS = "attention.output.LayerNorm.bias";
    /** Per-layer suffix: feed-forward up projection {@code [I, H]}. */
    public static final String INTERMEDIATE_WEIGHT = "intermediate.dense.weight";
    /** Per-layer suffix: feed-forward up bias {@code [I]}. */
    public static final String INTERMEDIATE_BIAS = "intermediate.dense.bias";
    /** Per-layer suffix: feed-forward down projection {@code [H, I]}. */
    public static final String OUTPUT_WEIGHT = "output.dense.weight";
    /** Per-layer suffix: feed-forward down bias {@code [H]}. */
    public static final String OUTPUT_BIAS = "output.dense.bias";
    /** Per-layer suffix: output LayerNorm gain. */
    public static final String OUTPUT_LN_WEIGHT = "output.LayerNorm.weight";
    /** Per-layer suffix: output LayerNorm bias. */
    public static final String OUTPUT_LN_BIAS = "output.LayerNorm.bias";

    /** Prefix shared by every encoder layer parameter. */
    public static final String LAYER_PREFIX = "deberta.encoder.layer.";
    /** Prefix shared by every backbone parameter. */
    public static final String BACKBONE_PREFIX = "deberta.";

    /**
     * @param layer  layer index from 0
     * @param suffix one of the per-layer suffixes of this class
     * @return the full Hugging Face parameter name
     */
    public static String layer(int layer, String suffix) {
        return LAYER_PREFIX + layer + "." + suffix;
    }

    // ---------------------------------------------------------------- heads
    /** MLM head transform dense {@code [H, H]}. */
    public static final String MLM_DENSE_WEIGHT = "cls.predictions.transform.dense.weight";
    /** MLM head transform bias {@code [H]}. */
    public static final String MLM_DENSE_BIAS = "cls.predictions.transform.dense.bias";
    /** MLM head transform LayerNorm gain. */
    public static final String MLM_LN_WEIGHT = "cls.predictions.transform.LayerNorm.weight";
    /** MLM head transform LayerNorm bias. */
    public static final String MLM_LN_BIAS = "cls.predictions.transform.LayerNorm.bias";
    /** Output bias of the MLM decoder {@code [V (+k)]} (the last k entries belong to the latent concepts). */
    public static final String MLM_BIAS = "cls.predictions.bias";
    /** Hugging Face alias of {@link #WORD_EMBEDDINGS} in checkpoints (tied; not a separate parameter here). */
    public static final String MLM_DECODER_WEIGHT_ALIAS = "cls.predictions.decoder.weight";
    /** Hugging Face alias of {@link #MLM_BIAS} in checkpoints (tied; not a separate parameter here). */
    public static final String MLM_DECODER_BIAS_ALIAS = "cls.predictions.decoder.bias";
    /** Latent-to-vocabulary head weight {@code [V, k]} (torch Linear layout: out x in). */
    public static final String LATENT_TO_VOCAB_WEIGHT = "cls.latent_to_vocab.weight";
    /** Latent-to-vocabulary head bias {@code [V]}. */
    public static final String LATENT_TO_VOCAB_BIAS = "cls.latent_to_vocab.bias";
    /** Classification pooler dense {@code [H, H]} (Hugging Face {@code ContextPooler}). */
    public static final String POOLER_WEIGHT = "pooler.dense.weight";
    /** Classification pooler bias {@code [H]}. */
    public static final String POOLER_BIAS = "pooler.dense.bias";
    /** Classifier {@code [C, H]}. */
    public static final String CLASSIFIER_WEIGHT = "classifier.weight";
    /** Classifier bias {@code [C]}. */
    public static final String CLASSIFIER_BIAS = "classifier.bias";

    // ---------------------------------------------------------------- placeholders
    /** Word-embedding rows of the input ids, looked up outside the graph: {@code [B*T, H]}. */
    public static final String IN_TOKEN_EMBEDDINGS = "in.token_embeddings";
    /** Attention mask {@code [B, T]} (1 = token, 0 = padding). */
    public static final String IN_ATTENTION_MASK = "in.attention_mask";
    /** One-hot row selector of the target positions {@code [N, B*T]}. */
    public static final String IN_TARGET_SELECT = "in.target_select";
    /**
     * Encoder output {@code [B*T, H]} of a head graph on the encoder output (the encoder ran outside the graph): a
     * variable whose array is set per call, so its gradient can be requested.
     */
    public static final String IN_LAST_HIDDEN = "in.last_hidden";
    /** Encoder output at the target positions {@code [N, H]} of a head graph on the encoder output (as above). */
    public static final String IN_TARGET_ROWS = "in.target_rows";
    /** Label ids at the target positions {@code [N]} (int). */
    public static final String IN_TARGET_LABELS = "in.target_labels";
    /** Target-row weights {@code [N]}: 1 at a target position, 0 at a padding row (see {@code LossGraph#targetWeights}). */
    public static final String IN_TARGET_WEIGHTS = "in.target_weights";
    /**
     * Batch targets that loss terms read are placeholders {@code target.<name>}
     * ({@link io.mlsm.models.loss.LossGraph#target(String, long...)}).
     */
    public static final String TARGET_PREFIX = "target.";

    /** Prefix of every dropout-mask placeholder. */
    public static final String DROPOUT_PREFIX = "dropout.";
    /** Dropout multiplier (0 or 1/keep) on the embedding output {@code [B*T, H]}. */
    public static final String DROPOUT_EMBEDDINGS = "dropout.embeddings";
    /** Dropout multiplier on the pooled classification features {@code [B, H]}. */
    public static final String DROPOUT_POOLER = "dropout.pooler";

    /**
     * @param layer layer index
     * @param site  one of {@code attention_probs} ({@code [nH*B, T, T]}, head-major), {@code rel_c2p} / {@code rel_p2c}
     *              ({@code [2T, H]}), {@code attention_output}, {@code output} ({@code [B*T, H]})
     * @return the dropout placeholder name
     */
    public static String dropout(int layer, String site) {
        return "dropout.layer." + layer + "." + site;
    }

    /** Dropout site: attention probabilities. */
    public static final String SITE_ATTENTION_PROBS = "attention_probs";
    /** Dropout site: relative embeddings used by c2p. */
    public static final String SITE_REL_C2P = "rel_c2p";
    /** Dropout site: relative embeddings used by p2c. */
    public static final String SITE_REL_P2C = "rel_p2c";
    /** Dropout site: attention output dense. */
    public static final String SITE_ATTENTION_OUTPUT = "attention_output";
    /** Dropout site: feed-forward output dense. */
    public static final String SITE_OUTPUT = "output";

    // ---------------------------------------------------------------- constants and outputs
    /** Constant one-hot selector of relative-embedding rows for c2p {@code [2T, 2R]}. */
    public static final String CONST_REL_SELECT_C2P = "const.rel_select_c2p";
    /** Constant one-hot selector of relative-embedding rows for p2c {@code [2T, 2R]}. */
    public static final String CONST_REL_SELECT_P2C = "const.rel_select_p2c";

    /**
     * @param index 0 = embedding output, i = output of layer i-1
     * @return name of hidden state {@code [B*T, H]}
     */
    public static String hiddenState(int index) {
        return "out.hidden_state." + index;
    }

    /** Vocabulary logits (all positions {@code [B*T, V]} in inference graphs, targets {@code [N, V]} in training). */
    public static final String OUT_LOGITS = "out.logits";
    /** Concept logits ({@code [B*T, k]} or {@code [N, k]}). */
    public static final String OUT_CONCEPT_LOGITS = "out.concept_logits";
    /** Classification logits {@code [B, C]}. */
    public static final String OUT_CLASS_LOGITS = "out.class_logits";
    /** Weighted sum of the loss terms (a scalar). */
    public static final String LOSS_TOTAL = "loss.total";

    /**
     * @param term loss term name
     * @return name of the scalar placeholder holding that term's weight in the total
     */
    public static String lossWeight(String term) {
        return "in.weight." + term;
    }

    /**
     * @param term loss term name ({@code mlm}, {@code kd}, {@code mlsm}, {@code classification})
     * @return the SameDiff name of that (unweighted) loss term
     */
    public static String loss(String term) {
        return "loss." + term;
    }
}
