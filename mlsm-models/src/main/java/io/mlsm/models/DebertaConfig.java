package io.mlsm.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Architecture of a DeBERTa v1 encoder (He, Liu, Gao, Chen 2021, "DeBERTa: Decoding-enhanced BERT with
 * Disentangled Attention") as the released checkpoints have it: relative attention on, no absolute position
 * embeddings added to the input ({@code position_biased_input=false}), no token types, GELU, post-layer-norm.
 *
 * <p>Immutable and validated on construction. {@link #maxRelativePositions()} {@code -1} means "same as
 * {@link #maxPositions()}" (the Hugging Face convention); {@link #latentConcepts()} is the number {@code k} of
 * latent-concept outputs of MLSM (0 = plain MLM model). Released MLSM checkpoints append the {@code k} concepts to
 * the output vocabulary, so their {@code config.json} says {@code vocab_size = V + k}; this record keeps {@code V}
 * in {@link #vocabSize()} and {@code k} separately ({@link #outputVocabSize()} is {@code V + k}).
 *
 * <pre>{@code
 * DebertaConfig tiny = DebertaConfig.tiny();                         // tests
 * DebertaConfig base = DebertaConfig.base().withVocabSize(25_000).withLatentConcepts(2500);
 * base.writeHfConfig(dir.resolve("config.json"));                    // vocab_size = 27500
 * DebertaConfig back = DebertaConfig.readHfConfig(dir.resolve("config.json"));
 * }</pre>
 *
 * @param vocabSize            word-piece vocabulary size {@code V} (input embeddings, MLM outputs)
 * @param hiddenSize           hidden width {@code H}
 * @param numLayers            number of transformer layers
 * @param numHeads             attention heads; must divide {@code hiddenSize}
 * @param intermediateSize     width of the feed-forward layer
 * @param maxPositions         longest sequence ({@code max_position_embeddings})
 * @param maxRelativePositions relative-position span, or {@code -1} for {@code maxPositions}
 * @param positionAttention    disentangled attention terms besides content-to-content ({@code pos_att_type})
 * @param layerNormEps         layer-norm epsilon (released checkpoints: 1e-7)
 * @param hiddenDropout        dropout probability on hidden states
 * @param attentionDropout     dropout probability on attention probabilities
 * @param padTokenId           id of the padding token
 * @param latentConcepts       number {@code k} of latent-concept outputs (0 = none)
 * @param initializerRange     standard deviation of the truncated-normal weight initialisation
 */
public record DebertaConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int maxRelativePositions,
        Set<PositionAttention> positionAttention,
        double layerNormEps,
        double hiddenDropout,
        double attentionDropout,
        int padTokenId,
        int latentConcepts,
        double initializerRange) {

    /** {@code model_type} of the Hugging Face config. */
    public static final String HF_MODEL_TYPE = "deberta";
    /** Extra key this library writes into {@code config.json} to record {@code k} (Hugging Face keeps unknown keys). */
    public static final String HF_LATENT_CONCEPTS_KEY = "mlsm_latent_concepts";

    /** Most transformer layers a configuration may have ({@code num_hidden_layers}); released models have 6 to 48. */
    public static final int MAX_LAYERS = 1024;
    /** Largest {@code hidden_size} and {@code intermediate_size} (2^18). */
    public static final int MAX_WIDTH = 1 << 18;
    /** Largest {@code max_position_embeddings} and {@code max_relative_positions} (2^20). */
    public static final int MAX_POSITIONS = 1 << 20;
    /**
     * Most float32 elements one parameter tensor may hold: {@code (2^31 - 9) / 4}, the 2 GiB a safetensors tensor
     * (and an ND4J buffer addressed by {@code int}) may have. Checked for the word embeddings
     * {@code [V + k, H]}, the attention projection {@code [3H, H]}, the feed-forward {@code [I, H]} and the
     * relative embeddings {@code [2R, H]}.
     */
    public static final long MAX_TENSOR_ELEMENTS = (Integer.MAX_VALUE - 8L) / Float.BYTES;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The disentangled-attention terms of DeBERTa besides content-to-content. */
    public enum PositionAttention {
        /** content-to-position: queries from content, keys from relative positions ({@code pos_proj}). */
        C2P,
        /** position-to-content: queries from relative positions ({@code pos_q_proj}), keys from content. */
        P2C;

        /** @return the Hugging Face spelling ({@code "c2p"}, {@code "p2c"}) */
        public String hfName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param s Hugging Face spelling, case-insensitive
         * @return the term
         * @throws IllegalArgumentException for anything but c2p / p2c
         */
        public static PositionAttention fromHf(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            for (PositionAttention p : values()) {
                if (p.hfName().equals(t)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("pos_att_type '" + s + "' is not supported (expected c2p or p2c)");
        }
    }

    /**
     * Validates every field; sizes are bounded ({@link #MAX_LAYERS}, {@link #MAX_WIDTH}, {@link #MAX_POSITIONS},
     * {@link #MAX_TENSOR_ELEMENTS}) so that a hostile {@code config.json} is rejected before anything is built.
     * Messages name the field, its {@code config.json} key, the limit and the value.
     */
    public DebertaConfig {
        requirePositive("vocabSize", vocabSize);
        requireInRange("hiddenSize", "hidden_size", hiddenSize, MAX_WIDTH);
        requireInRange("numLayers", "num_hidden_layers", numLayers, MAX_LAYERS);
        requirePositive("numHeads", numHeads);
        requireInRange("intermediateSize", "intermediate_size", intermediateSize, MAX_WIDTH);
        requireInRange("maxPositions", "max_position_embeddings", maxPositions, MAX_POSITIONS);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numHeads "
                    + numHeads);
        }
        if (maxRelativePositions != -1 && maxRelativePositions < 1) {
            throw new IllegalArgumentException("maxRelativePositions must be -1 (= maxPositions) or >= 1, got "
                    + maxRelativePositions);
        }
        if (maxRelativePositions > MAX_POSITIONS) {
            throw new IllegalArgumentException("maxRelativePositions (max_relative_positions) must be at most "
                    + MAX_POSITIONS + ", got " + maxRelativePositions);
        }
        if (positionAttention == null) {
            throw new IllegalArgumentException("positionAttention must not be null (use an empty set for none)");
        }
        positionAttention = positionAttention.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(PositionAttention.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(positionAttention));
        if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be a finite value > 0, got " + layerNormEps);
        }
        requireProbability("hiddenDropout", hiddenDropout);
        requireProbability("attentionDropout", attentionDropout);
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("padTokenId must be in [0, vocabSize=" + vocabSize + "), got "
                    + padTokenId);
        }
        if (latentConcepts < 0) {
            throw new IllegalArgumentException("latentConcepts must be >= 0 (0 = none), got " + latentConcepts);
        }
        if ((long) vocabSize + latentConcepts > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("vocabSize + latentConcepts overflows int: " + vocabSize + " + "
                    + latentConcepts);
        }
        long rel = maxRelativePositions < 1 ? maxPositions : maxRelativePositions;
        requireTensorFits("word embeddings [vocab_size=V+k, hidden_size]", (long) vocabSize + latentConcepts,
                hiddenSize);
        requireTensorFits("attention projection [3 * hidden_size, hidden_size]", 3L * hiddenSize, hiddenSize);
        requireTensorFits("feed-forward [intermediate_size, hidden_size]", intermediateSize, hiddenSize);
        requireTensorFits("relative embeddings [2 * max_relative_positions, hidden_size]", 2 * rel, hiddenSize);
        if (!(initializerRange > 0) || !Double.isFinite(initializerRange)) {
            throw new IllegalArgumentException("initializerRange must be a finite value > 0, got "
                    + initializerRange);
        }
    }

    private static void requirePositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    private static void requireInRange(String name, String hfName, int v, int max) {
        requirePositive(name, v);
        if (v > max) {
            throw new IllegalArgumentException(name + " (" + hfName + ") must be at most " + max + ", got " + v);
        }
    }

    private static void requireTensorFits(String what, long rows, long cols) {
        long elements;
        try {
            elements = Math.multiplyExact(rows, cols);
        } catch (ArithmeticException e) {
            elements = Long.MAX_VALUE;
        }
        if (elements > MAX_TENSOR_ELEMENTS) {
            throw new IllegalArgumentException(what + " would be " + rows + " x " + cols + " = " + elements
                    + " elements; at most " + MAX_TENSOR_ELEMENTS + " (2 GiB of float32) are supported");
        }
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + p);
        }
    }

    // ------------------------------------------------------------------ presets

    /**
     * The test model of the reference fixtures: vocab 500, hidden 64, 2 layers, 4 heads, intermediate 128, max
     * positions 128, c2p+p2c, pad id 0. Equal to the fixture's {@code config.json}.
     *
     * @return the tiny preset
     */
    public static DebertaConfig tiny() {
        return new DebertaConfig(500, 64, 2, 4, 128, 128, -1, EnumSet.of(PositionAttention.C2P,
                PositionAttention.P2C), 1e-7, 0.1, 0.1, 0, 0, 0.02);
    }

    /**
     * A CPU-sized model: 4 layers, hidden 256, 4 heads, intermediate 1024, max positions 512, vocab 25000, pad id 3
     * (the library tokenizer's {@code <pad>}).
     *
     * @return the small preset
     */
    public static DebertaConfig small() {
        return new DebertaConfig(25_000, 256, 4, 4, 1024, 512, -1, EnumSet.of(PositionAttention.C2P,
                PositionAttention.P2C), 1e-7, 0.1, 0.1, 3, 0, 0.02);
    }

    /**
     * DeBERTa-base as in the papers: 12 layers, hidden 768, 12 heads, intermediate 3072, max positions 512, vocab
     * 25000, pad id 3 (the library tokenizer's {@code <pad>}).
     *
     * @return the base preset
     */
    public static DebertaConfig base() {
        return new DebertaConfig(25_000, 768, 12, 12, 3072, 512, -1, EnumSet.of(PositionAttention.C2P,
                PositionAttention.P2C), 1e-7, 0.1, 0.1, 3, 0, 0.02);
    }

    // ------------------------------------------------------------------ derived values

    /** @return width of one attention head ({@code hiddenSize / numHeads}) */
    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** @return the relative-position span actually used ({@code maxPositions} when {@code maxRelativePositions} is -1) */
    public int effectiveMaxRelativePositions() {
        return maxRelativePositions < 1 ? maxPositions : maxRelativePositions;
    }

    /** @return rows of the relative-position embedding table ({@code 2 * effectiveMaxRelativePositions()}) */
    public int relativeEmbeddingRows() {
        return 2 * effectiveMaxRelativePositions();
    }

    /** @return {@code V + k}: rows of the output layer in the released (concatenated) layout */
    public int outputVocabSize() {
        return vocabSize + latentConcepts;
    }

    /** @return whether the model has latent-concept outputs ({@code k > 0}) */
    public boolean hasLatentConcepts() {
        return latentConcepts > 0;
    }

    /** @return whether the content-to-position term is on */
    public boolean c2p() {
        return positionAttention.contains(PositionAttention.C2P);
    }

    /** @return whether the position-to-content term is on */
    public boolean p2c() {
        return positionAttention.contains(PositionAttention.P2C);
    }

    // ------------------------------------------------------------------ withers

    /** @param v new vocabulary size {@code V} @return a copy with it */
    public DebertaConfig withVocabSize(int v) {
        return toBuilder().vocabSize(v).build();
    }

    /** @param k number of latent concepts (0 = none) @return a copy with it */
    public DebertaConfig withLatentConcepts(int k) {
        return toBuilder().latentConcepts(k).build();
    }

    /** @param hidden hidden dropout @param attention attention dropout @return a copy with them */
    public DebertaConfig withDropout(double hidden, double attention) {
        return toBuilder().hiddenDropout(hidden).attentionDropout(attention).build();
    }

    /** @param id pad token id @return a copy with it */
    public DebertaConfig withPadTokenId(int id) {
        return toBuilder().padTokenId(id).build();
    }

    /** @return a builder initialised with this configuration */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return a builder initialised with {@link #base()} */
    public static Builder builder() {
        return new Builder(base());
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private int vocabSize;
        private int hiddenSize;
        private int numLayers;
        private int numHeads;
        private int intermediateSize;
        private int maxPositions;
        private int maxRelativePositions;
        private Set<PositionAttention> positionAttention;
        private double layerNormEps;
        private double hiddenDropout;
        private double attentionDropout;
        private int padTokenId;
        private int latentConcepts;
        private double initializerRange;

        private Builder(DebertaConfig c) {
            vocabSize = c.vocabSize;
            hiddenSize = c.hiddenSize;
            numLayers = c.numLayers;
            numHeads = c.numHeads;
            intermediateSize = c.intermediateSize;
            maxPositions = c.maxPositions;
            maxRelativePositions = c.maxRelativePositions;
            positionAttention = c.positionAttention;
            layerNormEps = c.layerNormEps;
            hiddenDropout = c.hiddenDropout;
            attentionDropout = c.attentionDropout;
            padTokenId = c.padTokenId;
            latentConcepts = c.latentConcepts;
            initializerRange = c.initializerRange;
        }

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numLayers(int v) { numLayers = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder maxPositions(int v) { maxPositions = v; return this; }
        public Builder maxRelativePositions(int v) { maxRelativePositions = v; return this; }
        public Builder positionAttention(Collection<PositionAttention> v) {
            positionAttention = v.isEmpty() ? EnumSet.noneOf(PositionAttention.class) : EnumSet.copyOf(v);
            return this;
        }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder hiddenDropout(double v) { hiddenDropout = v; return this; }
        public Builder attentionDropout(double v) { attentionDropout = v; return this; }
        public Builder padTokenId(int v) { padTokenId = v; return this; }
        public Builder latentConcepts(int v) { latentConcepts = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }

        /** @return the validated configuration */
        public DebertaConfig build() {
            return new DebertaConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                    maxRelativePositions, positionAttention, layerNormEps, hiddenDropout, attentionDropout,
                    padTokenId, latentConcepts, initializerRange);
        }
    }

    // ------------------------------------------------------------------ Hugging Face config.json

    /**
     * The Hugging Face {@code config.json} of this model ({@code model_type deberta},
     * {@code DebertaForMaskedLM}). With latent concepts, {@code vocab_size} is {@code V + k} (the released layout);
     * {@value #HF_LATENT_CONCEPTS_KEY} records {@code k}, 0 included, so that a directory written here is always read
     * with its own {@code k} (only directories without the key have it inferred from a tokenizer). Hugging Face keeps
     * unknown config keys as attributes, so the file still loads there.
     *
     * @return the JSON tree
     */
    public ObjectNode toHfJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("DebertaForMaskedLM");
        o.put("attention_probs_dropout_prob", attentionDropout);
        o.put("hidden_act", "gelu");
        o.put("hidden_dropout_prob", hiddenDropout);
        o.put("hidden_size", hiddenSize);
        o.put("initializer_range", initializerRange);
        o.put("intermediate_size", intermediateSize);
        o.put("layer_norm_eps", layerNormEps);
        o.put("max_position_embeddings", maxPositions);
        o.put("max_relative_positions", maxRelativePositions);
        o.put(HF_LATENT_CONCEPTS_KEY, latentConcepts);   // 0 too: a directory of ours never has k inferred
        o.put("model_type", HF_MODEL_TYPE);
        o.put("num_attention_heads", numHeads);
        o.put("num_hidden_layers", numLayers);
        o.put("pad_token_id", padTokenId);
        o.put("pooler_dropout", 0);
        o.put("pooler_hidden_act", "gelu");
        o.put("pooler_hidden_size", hiddenSize);
        ArrayNode pat = o.putArray("pos_att_type");
        for (PositionAttention p : positionAttention) {
            pat.add(p.hfName());
        }
        o.put("position_biased_input", false);
        o.put("relative_attention", true);
        o.put("torch_dtype", "float32");
        o.put("type_vocab_size", 0);
        o.put("vocab_size", outputVocabSize());
        return o;
    }

    /** @return {@link #toHfJson()} as indented text */
    public String toHfJsonString() {
        try {
            return JSON.writeValueAsString(toHfJson()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise config", e);
        }
    }

    /**
     * Writes {@code config.json} atomically (temp file in the same directory, then rename).
     *
     * @param file target file
     * @throws IOException on write failure (no partial file is left)
     */
    public void writeHfConfig(Path file) throws IOException {
        AtomicFiles.write(file, toHfJsonString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a Hugging Face DeBERTa {@code config.json}; {@code k} comes from {@value #HF_LATENT_CONCEPTS_KEY} when
     * present, else 0.
     *
     * @param file the config file
     * @return the configuration
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it is not a supported DeBERTa v1 config (message names file and field)
     */
    public static DebertaConfig readHfConfig(Path file) throws IOException {
        return readHfConfig(file, -1);
    }

    /**
     * Reads a Hugging Face DeBERTa {@code config.json} of a checkpoint in the released MLSM layout, whose
     * {@code vocab_size} is {@code V + k}.
     *
     * @param file           the config file
     * @param latentConcepts {@code k}, or -1 to take it from {@value #HF_LATENT_CONCEPTS_KEY} (0 when absent)
     * @return the configuration with {@code vocabSize = vocab_size - k}
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if the config is unsupported or contradicts {@code latentConcepts}
     */
    public static DebertaConfig readHfConfig(Path file, int latentConcepts) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "config.json not found");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return fromHfJson(text, latentConcepts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a Hugging Face DeBERTa {@code config.json}.
     *
     * @param json           the text
     * @param latentConcepts {@code k}, or -1 to take it from {@value #HF_LATENT_CONCEPTS_KEY} (0 when absent)
     * @return the configuration
     * @throws IllegalArgumentException if malformed, not DeBERTa v1, or using features this library does not model
     */
    public static DebertaConfig fromHfJson(String json, int latentConcepts) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config.json must hold a JSON object");
        }
        String type = root.path("model_type").asText("");
        if (!HF_MODEL_TYPE.equals(type)) {
            throw new IllegalArgumentException("model_type must be '" + HF_MODEL_TYPE + "' (DeBERTa v1), got '"
                    + type + "'");
        }
        requireValue(root, "relative_attention", true, false);
        requireValue(root, "position_biased_input", false, true);
        if (intField(root, "type_vocab_size", 0) != 0) {
            throw new IllegalArgumentException("type_vocab_size " + root.get("type_vocab_size")
                    + " is not supported (expected 0)");
        }
        String act = root.path("hidden_act").asText("gelu");
        if (!"gelu".equals(act)) {
            throw new IllegalArgumentException("hidden_act '" + act + "' is not supported (expected gelu)");
        }
        if (root.has("embedding_size") && intField(root, "embedding_size", 0) != intField(root, "hidden_size", 0)) {
            throw new IllegalArgumentException("embedding_size " + root.get("embedding_size")
                    + " != hidden_size is not supported");
        }
        if (root.path("talking_head").asBoolean(false)) {
            throw new IllegalArgumentException("talking_head=true is not supported");
        }
        int outputVocab = requiredInt(root, "vocab_size");
        int k;
        if (root.has(HF_LATENT_CONCEPTS_KEY)) {
            k = requiredInt(root, HF_LATENT_CONCEPTS_KEY);
            if (latentConcepts >= 0 && latentConcepts != k) {
                throw new IllegalArgumentException(HF_LATENT_CONCEPTS_KEY + " is " + k + " but " + latentConcepts
                        + " latent concepts were requested");
            }
        } else {
            k = Math.max(latentConcepts, 0);
        }
        if (k < 0 || k >= outputVocab) {
            throw new IllegalArgumentException("latent concepts k=" + k + " must be in [0, vocab_size="
                    + outputVocab + ")");
        }
        int maxRel = intField(root, "max_relative_positions", -1);
        Set<PositionAttention> pat = parsePosAttType(root.get("pos_att_type"));
        return new DebertaConfig(
                outputVocab - k,
                requiredInt(root, "hidden_size"),
                requiredInt(root, "num_hidden_layers"),
                requiredInt(root, "num_attention_heads"),
                requiredInt(root, "intermediate_size"),
                intField(root, "max_position_embeddings", 512),
                maxRel < 1 ? -1 : maxRel,
                pat,
                doubleField(root, "layer_norm_eps", 1e-7),
                doubleField(root, "hidden_dropout_prob", 0.1),
                doubleField(root, "attention_probs_dropout_prob", 0.1),
                intField(root, "pad_token_id", 0),
                k,
                doubleField(root, "initializer_range", 0.02));
    }

    private static Set<PositionAttention> parsePosAttType(JsonNode n) {
        EnumSet<PositionAttention> set = EnumSet.noneOf(PositionAttention.class);
        if (n == null || n.isNull()) {
            return set;
        }
        if (n.isTextual()) {
            for (String s : n.asText().split("\\|")) {
                if (!s.isBlank()) {
                    set.add(PositionAttention.fromHf(s));
                }
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException("pos_att_type entries must be strings, got " + e);
                }
                set.add(PositionAttention.fromHf(e.asText()));
            }
        } else {
            throw new IllegalArgumentException("pos_att_type must be a list or a '|'-separated string, got " + n);
        }
        return set;
    }

    private static void requireValue(JsonNode root, String field, boolean expected, boolean dflt) {
        JsonNode n = root.get(field);
        if (n != null && !n.isNull() && !n.isBoolean()) {
            throw new IllegalArgumentException(field + " must be a boolean, got " + n);
        }
        boolean v = n == null || n.isNull() ? dflt : n.booleanValue();
        if (v != expected) {
            throw new IllegalArgumentException(field + "=" + v + " is not supported (expected " + expected + ")");
        }
    }

    private static int requiredInt(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return asInt(field, n);
    }

    private static int intField(JsonNode root, String field, int dflt) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? dflt : asInt(field, n);
    }

    private static int asInt(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static double doubleField(JsonNode root, String field, double dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a number, got " + n);
        }
        return n.doubleValue();
    }
}
