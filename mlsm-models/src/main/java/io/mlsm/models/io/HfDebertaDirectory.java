package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.runtime.Provenance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads and exports Hugging Face DeBERTa (v1) model directories: {@code config.json} + {@code model.safetensors}
 * with parameters under the names {@code DebertaForMaskedLM} uses, decoder tied to the word embeddings.
 *
 * <p>Loading validates everything before returning: the config is a supported DeBERTa v1 config; the weights file
 * is well-formed; every parameter the config implies is present with its shape, nothing unexpected is there
 * (optional classifier / latent→vocabulary heads are kept); the tied aliases {@code cls.predictions.decoder.weight}
 * and {@code .bias}, when present, are bit-equal to the word embeddings and output bias. F16, BF16 and F64 weights
 * are converted to float32; integer weights are rejected. The config's sizes are bounded
 * ({@link DebertaConfig#MAX_LAYERS} and the other limits there) and compared with the tensor shapes of the
 * safetensors header before any tensor is read; every parameter must be finite (no NaN, no infinity).
 *
 * <p>Export writes float32 weights with the tied aliases included (as {@code save_pretrained} of
 * transformers 4.27 does), {@code __metadata__ {"format": "pt"}} (transformers refuses safetensors without it) and the
 * config; with latent concepts the config says {@code vocab_size = V + k} and records {@code k}. Each file is
 * replaced atomically, weights first; other files in the directory (a {@code tokenizer.json}) are left alone.
 *
 * <pre>{@code
 * HfDebertaDirectory.Loaded m = HfDebertaDirectory.load(Path.of("deberta-mlsm"), 2500);  // vocab_size = V + 2500
 * DebertaConfig config = m.config();                      // vocabSize V, latentConcepts 2500
 * INDArray emb = m.parameters().get(HfParameterLayout.WORD_EMBEDDINGS);                  // [V + k, H]
 * HfDebertaDirectory.export(Path.of("out"), config, m.parameters(), provenance);
 *
 * DebertaModel model = HfDebertaDirectory.loadModel(Path.of("microsoft-deberta-base"));   // ready to run
 * HfDebertaDirectory.export(Path.of("out"), model, provenance);
 * }</pre>
 */
public final class HfDebertaDirectory {

    /** Config file name. */
    public static final String CONFIG_FILE = "config.json";
    /** Weights file name. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final Logger LOG = LoggerFactory.getLogger(HfDebertaDirectory.class);

    private HfDebertaDirectory() {
    }

    /**
     * A loaded model directory.
     *
     * @param config     the configuration ({@code vocabSize} = V, {@code latentConcepts} = k)
     * @param parameters float32 parameters by Hugging Face name, aliases removed, in layout order then optional heads
     * @param metadata   the safetensors {@code __metadata__}
     */
    public record Loaded(DebertaConfig config, Map<String, INDArray> parameters, Map<String, String> metadata) {
        public Loaded {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * Loads a directory; {@code k} comes from the config's {@value DebertaConfig#HF_LATENT_CONCEPTS_KEY} (0 when
     * absent).
     *
     * @param dir model directory
     * @return config and parameters
     * @throws IOException (a {@link CheckpointFormatException} naming file and parameter for bad content)
     */
    public static Loaded load(Path dir) throws IOException {
        return load(dir, -1);
    }

    /**
     * Loads a directory in the released MLSM layout ({@code vocab_size = V + k}).
     *
     * @param dir            model directory
     * @param latentConcepts {@code k}, or -1 to take it from the config (0 when absent)
     * @return config and parameters
     * @throws IOException (a {@link CheckpointFormatException} naming file and parameter for bad content)
     */
    public static Loaded load(Path dir, int latentConcepts) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model directory not found");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null, "missing " + CONFIG_FILE + " in " + dir);
        }
        if (!Files.isRegularFile(weightsFile)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (only pytorch_model.bin found: convert it to safetensors first)" : "";
            throw new NoSuchFileException(weightsFile.toString(), null, "missing " + WEIGHTS_FILE + " in " + dir
                    + hint);
        }
        DebertaConfig config;
        try {
            config = DebertaConfig.readHfConfig(configFile, latentConcepts);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(e.getMessage(), e);
        }
        return loadWeights(weightsFile, config);
    }

    /**
     * Reads and validates a weights file against a configuration.
     *
     * @param weightsFile safetensors file with Hugging Face names
     * @param config      the configuration it must match
     * @return config and parameters
     * @throws IOException as {@link #load(Path, int)}
     */
    public static Loaded loadWeights(Path weightsFile, DebertaConfig config) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(weightsFile)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (SafetensorsReader.TensorInfo t : r.tensors().values()) {
                String n = t.name();
                if (HfParameterLayout.IGNORED_BUFFERS.contains(n) || isAlias(n)) {
                    continue;
                }
                shapes.put(n, t.shape());
                if (t.dtype() != SafetensorsDtype.F32 && t.dtype() != SafetensorsDtype.F16
                        && t.dtype() != SafetensorsDtype.BF16 && t.dtype() != SafetensorsDtype.F64) {
                    throw new CheckpointFormatException(weightsFile + ": parameter '" + n + "' has dtype "
                            + t.dtype() + "; expected a floating-point type (F32, F16, BF16, F64)");
                }
            }
            HfParameterLayout.validateShapes(config, shapes, weightsFile.toString());
            Map<String, INDArray> params = new LinkedHashMap<>();
            for (String n : HfParameterLayout.shapes(config).keySet()) {
                params.put(n, readFinite(r, n));
            }
            for (String n : shapes.keySet()) {
                if (!params.containsKey(n)) {
                    params.put(n, readFinite(r, n)); // optional heads
                }
            }
            checkAlias(r, HfParameterLayout.DECODER_WEIGHT_ALIAS, params.get(HfParameterLayout.WORD_EMBEDDINGS));
            checkAlias(r, HfParameterLayout.DECODER_BIAS_ALIAS, params.get(HfParameterLayout.OUTPUT_BIAS));
            LOG.info("loaded {} parameters from {} (V={}, k={}, H={}, layers={})", params.size(), weightsFile,
                    config.vocabSize(), config.latentConcepts(), config.hiddenSize(), config.numLayers());
            return new Loaded(config, params, r.metadata());
        }
    }

    private static INDArray readFinite(SafetensorsReader r, String name) throws IOException {
        INDArray a = r.readFloat(name);
        FiniteTensors.require(r.file(), name, a);
        return a;
    }

    private static boolean isAlias(String n) {
        return HfParameterLayout.DECODER_WEIGHT_ALIAS.equals(n) || HfParameterLayout.DECODER_BIAS_ALIAS.equals(n);
    }

    private static void checkAlias(SafetensorsReader r, String alias, INDArray tiedTo) throws IOException {
        if (!r.names().contains(alias)) {
            return;
        }
        INDArray a = r.readFloat(alias);
        if (!Arrays.equals(a.shape(), tiedTo.shape())) {
            throw new CheckpointFormatException(r.file() + ": tied parameter '" + alias + "' has shape "
                    + Arrays.toString(a.shape()) + " but the tensor it is tied to has " + Arrays.toString(
                    tiedTo.shape()));
        }
        if (!bitEqual(a, tiedTo)) {
            throw new CheckpointFormatException(r.file() + ": tied parameter '" + alias
                    + "' differs from the tensor it is tied to (the decoder must share the word embeddings/bias)");
        }
    }

    private static boolean bitEqual(INDArray a, INDArray b) {
        float[] x = a.dup('c').data().asFloat();
        float[] y = b.dup('c').data().asFloat();
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Exports a model directory Hugging Face {@code DebertaForMaskedLM.from_pretrained} can load.
     *
     * @param dir        target directory (created if needed)
     * @param config     configuration
     * @param parameters parameters by Hugging Face name (without aliases), validated against {@code config}
     * @throws IOException               on write failure (each file replaced atomically or left as it was)
     * @throws CheckpointFormatException if the parameters do not match the configuration
     */
    public static void export(Path dir, DebertaConfig config, Map<String, INDArray> parameters) throws IOException {
        export(dir, config, parameters, null);
    }

    /**
     * As {@link #export(Path, DebertaConfig, Map)}, also writing {@code provenance.json} when given.
     *
     * @param dir        target directory
     * @param config     configuration
     * @param parameters parameters by Hugging Face name
     * @param provenance provenance, or {@code null}
     * @throws IOException on failure
     */
    public static void export(Path dir, DebertaConfig config, Map<String, INDArray> parameters,
                              Provenance provenance) throws IOException {
        Map<String, INDArray> withoutAliases = new LinkedHashMap<>(parameters);
        withoutAliases.remove(HfParameterLayout.DECODER_WEIGHT_ALIAS);
        withoutAliases.remove(HfParameterLayout.DECODER_BIAS_ALIAS);
        HfParameterLayout.validate(config, withoutAliases, "export to " + dir);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : withoutAliases.entrySet()) {
            INDArray a = e.getValue();
            out.put(e.getKey(), a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
        }
        out.put(HfParameterLayout.DECODER_WEIGHT_ALIAS, out.get(HfParameterLayout.WORD_EMBEDDINGS));
        out.put(HfParameterLayout.DECODER_BIAS_ALIAS, out.get(HfParameterLayout.OUTPUT_BIAS));
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(WEIGHTS_FILE), out, Map.of("format", "pt"));
        config.writeHfConfig(dir.resolve(CONFIG_FILE));
        if (provenance != null) {
            provenance.write(dir.resolve(Provenance.FILE_NAME));
        }
        LOG.info("exported {} parameters to {}", withoutAliases.size(), dir);
    }

    /**
     * The number {@code k} of latent concepts of a model directory, for loading it next to a tokenizer of
     * {@code tokenizerVocab} ids: {@code requested} when it is {@code >= 0}; else the config's
     * {@value DebertaConfig#HF_LATENT_CONCEPTS_KEY}; else 0 for a directory with our {@code provenance.json} (written
     * by this library before the key was written for k = 0 too); else — a released checkpoint, a Hugging Face
     * {@code DebertaForMaskedLM} directory with no key of ours — {@code vocab_size − tokenizerVocab} (the released
     * layout appends the {@code k} concepts to the vocabulary), said at WARN when it is above 0.
     *
     * <pre>{@code
     * int k = HfDebertaDirectory.latentConceptsFor(dir, tokenizer.vocabSize(), -1);   // 2500 for vocab_size 27500
     * DebertaModel m = HfDebertaDirectory.loadModel(dir, k);
     * }</pre>
     *
     * @param requested {@code k} asked for (e.g. {@code --concepts}), or -1 for "from the config, else inferred"
     * @return {@code k >= 0} (0 when the tokenizer has more ids than {@code vocab_size}: the callers reject that
     *         pair with both sizes named)
     * @throws IOException              if the config cannot be read
     * @throws CheckpointFormatException if the config is not JSON or has no {@code vocab_size}
     */
    public static int latentConceptsFor(Path dir, int tokenizerVocab, int requested) throws IOException {
        if (requested >= 0) {
            return requested;
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null, "missing " + CONFIG_FILE + " in " + dir);
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(configFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CheckpointFormatException(configFile + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root.has(DebertaConfig.HF_LATENT_CONCEPTS_KEY)) {
            return root.get(DebertaConfig.HF_LATENT_CONCEPTS_KEY).asInt();
        }
        if (Files.isRegularFile(dir.resolve(Provenance.FILE_NAME))) {
            // written by this library before the key was always written: k was 0, nothing to infer
            return 0;
        }
        int vocab = root.path("vocab_size").asInt(-1);
        if (vocab < 1) {
            throw new CheckpointFormatException(configFile + ": no vocab_size");
        }
        int k = vocab - tokenizerVocab;
        if (k < 0) {
            return 0;   // the tokenizer is larger than the model: nothing to infer; the caller's size check says so
        }
        if (k > 0) {
            LOG.warn("{} has no {} key (not written by this library): k = vocab_size {} - tokenizer size {} = {} "
                    + "latent concepts inferred (the released V + k layout); pass --concepts K to say otherwise",
                    configFile, DebertaConfig.HF_LATENT_CONCEPTS_KEY, vocab, tokenizerVocab, k);
        } else {
            LOG.info("{} has no {} key: vocab_size {} = tokenizer size, no latent concepts", configFile,
                    DebertaConfig.HF_LATENT_CONCEPTS_KEY, vocab);
        }
        return k;
    }

    /**
     * Loads a directory into a ready {@link DebertaModel} ({@code k} from the config, 0 when absent).
     *
     * @param dir model directory
     * @return the model (float32)
     * @throws IOException as {@link #load(Path, int)}
     */
    public static DebertaModel loadModel(Path dir) throws IOException {
        return loadModel(dir, -1);
    }

    /**
     * Loads a directory in the released MLSM layout into a ready {@link DebertaModel}.
     *
     * @param dir            model directory
     * @param latentConcepts {@code k}, or -1 to take it from the config
     * @return the model (float32)
     * @throws IOException as {@link #load(Path, int)}
     */
    public static DebertaModel loadModel(Path dir, int latentConcepts) throws IOException {
        Loaded l = load(dir, latentConcepts);
        try {
            return DebertaModel.fromParameters(l.config(), l.parameters());
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(dir.resolve(WEIGHTS_FILE) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model directory for use with a tokenizer of {@code tokenizerVocab} ids: a directory of ours, a plain
     * Hugging Face {@code DebertaForMaskedLM}, or a released MLSM checkpoint ({@code vocab_size = V + k}, no key of
     * ours), {@code k} as {@link #latentConceptsFor} decides it. The commands that take a model next to a tokenizer
     * (scoring, fill-mask, fine-tuning, the teacher of pre-training and dictionary learning, the checkpoint sweeps,
     * the Spark jobs) load this way.
     *
     * <pre>{@code
     * DebertaModel teacher = HfDebertaDirectory.loadModelFor(dir, tokenizer.vocabSize(), -1);   // V rows + k concepts
     * }</pre>
     *
     * @param dir               model directory
     * @param tokenizerVocab    ids of the tokenizer the model is used with
     * @param requestedConcepts {@code k} asked for (e.g. {@code --concepts}), or -1 for "from the config, else inferred"
     * @return the model (float32)
     * @throws IOException as {@link #load(Path, int)}
     */
    public static DebertaModel loadModelFor(Path dir, int tokenizerVocab, int requestedConcepts) throws IOException {
        return loadModel(dir, latentConceptsFor(dir, tokenizerVocab, requestedConcepts));
    }

    /**
     * Exports a model (backbone, MLM head and any optional heads it has).
     *
     * @param dir        target directory
     * @param model      the model
     * @param provenance provenance, or {@code null}
     * @throws IOException on failure
     */
    public static void export(Path dir, DebertaModel model, Provenance provenance) throws IOException {
        export(dir, model.config(), model.parameters(), provenance);
    }
}
