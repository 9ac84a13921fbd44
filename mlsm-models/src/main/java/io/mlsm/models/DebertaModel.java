package io.mlsm.models;

import io.mlsm.models.direct.DirectForward;
import io.mlsm.models.direct.DirectTraining;
import io.mlsm.models.graph.CompiledGraph;
import io.mlsm.models.graph.GraphCache;
import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * A DeBERTa v1 masked-LM (He, Liu, Gao, Chen 2021) with pluggable objective heads, computed with SameDiff and
 * numerically equal to Hugging Face {@code DebertaForMaskedLM} (transformers 4.27 v1 code) on the same weights.
 *
 * <p>Parameters are held by their Hugging Face names ({@link VariableNames}), so a checkpoint's tensors map onto them
 * one to one (the tied {@code cls.predictions.decoder.*} aliases are not separate parameters). The arrays returned by
 * {@link #parameters()} are the live arrays the graphs compute with: an optimizer may update them in place.
 * Graphs are built on first use ({@link InferenceGraphs}, {@link TrainingGraphs}) and cached.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link #forward(INDArray, INDArray)} — inference: logits and all hidden states (index 0 = embeddings);
 *   {@link #hiddenStates} the same without the head;</li>
 *   <li>{@link #computeGradients(TrainingObjective, TrainingBatch, long)} — one training step's losses and the
 *   gradients by parameter name, for the caller's optimizer (dropout drawn from the seed);
 *   {@link #computeGradients(TrainingObjective, TrainingBatch)} is the same without dropout;</li>
 *   <li>{@link #computeLosses(TrainingObjective, TrainingBatch)} — the losses only (evaluation);</li>
 *   <li>{@link #vocabLogitsAt}, {@link #outputLogitsAt} and {@link #classLogits} — inference through one head:
 *   vocabulary (or all {@code V + k} output) logits at selected positions (pseudo-log-likelihood scoring) or class
 *   logits (fine-tuned classifier).</li>
 * </ul>
 * Not thread-safe: use one instance per thread.
 *
 * <pre>{@code
 * DebertaModel model = DebertaModel.initialize(DebertaConfig.tiny(), 42L);
 * ForwardResult out = model.forward(new int[][]{{1, 17, 4, 9, 2}}, new int[][]{{1, 1, 1, 1, 1}});
 * StepResult step = model.computeGradients(TrainingObjective.mlm(), batch, 7L);   // dropout seed 7
 * step.gradients().forEach((name, g) -> optimizer.update(model.parameter(name), g));
 * }</pre>
 */
public final class DebertaModel implements AutoCloseable {

    /**
     * Built graphs kept (least recently used dropped): an evaluation over sentences of up to 64 ids pads them to at
     * most 16 lengths, and a chunk of sentences visits its lengths in turn, so fewer would rebuild graphs all the time.
     * Their buffer pools together stay within {@code mlsm.samediff.poolBytes}.
     */
    private static final int MAX_CACHED_GRAPHS = 16;

    private final DebertaConfig config;
    private final DataType dataType;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final GraphCache<Object> graphs = new GraphCache<>(MAX_CACHED_GRAPHS);
    private final TrainingStep step = new TrainingStep(this);
    /** Float32 inference without a graph (created on first use; its scratch is freed with the graphs). */
    private DirectForward direct;
    private DirectTraining directTraining;

    private DebertaModel(DebertaConfig config, DataType dataType) {
        this.config = config;
        this.dataType = dataType;
    }

    // ------------------------------------------------------------------------------------------- construction

    /**
     * A freshly initialised float32 model as Hugging Face initialises one: weights ~ N(0, initializerRange),
     * biases 0, LayerNorm gains 1, the padding row of the word embeddings 0.
     */
    public static DebertaModel initialize(DebertaConfig config, long seed) {
        return initialize(config, seed, DataType.FLOAT);
    }

    /**
     * @param config   architecture
     * @param seed     initialisation seed
     * @param dataType FLOAT, or DOUBLE (gradient checks)
     * @return a freshly initialised model
     */
    public static DebertaModel initialize(DebertaConfig config, long seed, DataType dataType) {
        DebertaParameters.requireFloating(dataType);
        DebertaModel m = new DebertaModel(config, dataType);
        DebertaParameters.backboneAndMlmShapes(config).forEach((name, shape) ->
                m.params.put(name, DebertaParameters.initialValue(name, shape, config, seed, dataType)));
        m.params.get(WORD_EMBEDDINGS).getRow(config.padTokenId()).assign(0);
        return m;
    }

    /**
     * A model from named parameters (e.g. read from a Hugging Face checkpoint). Arrays are copied. The backbone and
     * MLM head must be complete; {@code cls.latent_to_vocab.*}, {@code pooler.*} and {@code classifier.*} are
     * optional; the tied aliases {@code cls.predictions.decoder.weight/bias} are ignored.
     *
     * @return the model (data type of the word embeddings)
     * @throws IllegalArgumentException on a missing, unknown or wrongly shaped parameter
     */
    public static DebertaModel fromParameters(DebertaConfig config, Map<String, INDArray> named) {
        INDArray emb = named.get(WORD_EMBEDDINGS);
        if (emb == null) {
            throw new IllegalArgumentException("missing parameter '" + WORD_EMBEDDINGS + "'");
        }
        DataType dt = emb.dataType();
        DebertaParameters.requireFloating(dt);
        DebertaModel m = new DebertaModel(config, dt);
        Map<String, long[]> required = DebertaParameters.backboneAndMlmShapes(config);
        for (Map.Entry<String, long[]> e : required.entrySet()) {
            INDArray a = named.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("missing parameter '" + e.getKey() + "' (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            m.params.put(e.getKey(), DebertaParameters.checkedCopy(e.getKey(), a, e.getValue(), dt));
        }
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            String n = e.getKey();
            if (required.containsKey(n) || n.equals(MLM_DECODER_WEIGHT_ALIAS) || n.equals(MLM_DECODER_BIAS_ALIAS)) {
                continue;
            }
            long[] expected = DebertaParameters.optionalHeadShape(config, n, named);
            if (expected == null) {
                throw new IllegalArgumentException("unknown parameter '" + n + "' for a DeBERTa v1 model");
            }
            m.params.put(n, DebertaParameters.checkedCopy(n, e.getValue(), expected, dt));
        }
        return m;
    }

    /**
     * Loads a Hugging Face model directory ({@code config.json} + {@code model.safetensors}), e.g. a released
     * DeBERTa v1 checkpoint or one this library exported (validated by
     * {@link io.mlsm.models.io.HfDebertaDirectory#loadModel(Path)}). A {@code vocab_size = V + k} checkpoint is read
     * in the concatenated latent-concept layout when its config records {@code k}.
     *
     * @throws IOException if a file is missing, unreadable or corrupt
     */
    public static DebertaModel load(Path dir) throws IOException {
        return io.mlsm.models.io.HfDebertaDirectory.loadModel(dir);
    }

    /**
     * Adds (or re-initialises) the latent-to-vocabulary head {@code k → V}: weight ~ N(0, initializerRange), bias 0.
     *
     * @throws IllegalArgumentException if the model has no latent concepts
     */
    public void addLatentToVocabHead(long seed) {
        if (config.latentConcepts() <= 0) {
            throw new IllegalArgumentException("a latent-to-vocabulary head needs latentConcepts > 0");
        }
        putNew(LATENT_TO_VOCAB_WEIGHT, new long[]{config.vocabSize(), config.latentConcepts()}, seed);
        putNew(LATENT_TO_VOCAB_BIAS, new long[]{config.vocabSize()}, seed);
    }

    /**
     * Adds (or re-initialises) a sequence-classification head (pooler + classifier) for {@code numLabels} classes.
     */
    public void addClassificationHead(int numLabels, long seed) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("numLabels must be >= 2, got " + numLabels);
        }
        long h = config.hiddenSize();
        putNew(POOLER_WEIGHT, new long[]{h, h}, seed);
        putNew(POOLER_BIAS, new long[]{h}, seed);
        putNew(CLASSIFIER_WEIGHT, new long[]{numLabels, h}, seed);
        putNew(CLASSIFIER_BIAS, new long[]{numLabels}, seed);
    }

    private void putNew(String name, long[] shape, long seed) {
        INDArray value = DebertaParameters.initialValue(name, shape, config, seed, dataType);
        INDArray old = params.get(name);
        if (old != null && Arrays.equals(old.shape(), shape)) {
            old.assign(value);
        } else {
            params.put(name, value);
            graphs.clear();
        }
    }

    /**
     * Frees the built graphs and the native buffers they keep for reuse; they are rebuilt on the next call. Call when
     * a model will not run for a while (the parameters stay).
     */
    public void releaseGraphs() {
        graphs.clear();
        if (direct != null) {
            direct.close();
        }
        if (directTraining != null) {
            directTraining.close();
        }
        step.release();
    }

    /** Frees the built graphs and their buffers ({@link #releaseGraphs}); the model stays usable. */
    @Override
    public void close() {
        releaseGraphs();
    }

    // ------------------------------------------------------------------------------------------- parameters

    /** @return the architecture */
    public DebertaConfig config() {
        return config;
    }

    /** @return FLOAT or DOUBLE */
    public DataType dataType() {
        return dataType;
    }

    /** @return live parameter arrays by Hugging Face name (unmodifiable map; the arrays may be updated in place) */
    public Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * @return the live array
     * @throws IllegalArgumentException if there is no such parameter
     */
    public INDArray parameter(String name) {
        INDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("model has no parameter '" + name + "'");
        }
        return a;
    }

    /**
     * Copies {@code value} into the parameter (in place, so graphs see it).
     *
     * @throws IllegalArgumentException on an unknown name or a shape mismatch
     */
    public void setParameter(String name, INDArray value) {
        INDArray a = parameter(name);
        if (!Arrays.equals(a.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", got " + Arrays.toString(value.shape()));
        }
        a.assign(value);
    }

    /** Copies every entry of {@code values} with {@link #setParameter}. */
    public void setParameters(Map<String, INDArray> values) {
        values.forEach(this::setParameter);
    }

    /** @return total number of scalar parameters */
    public long parameterCount() {
        return params.values().stream().mapToLong(INDArray::length).sum();
    }

    // ------------------------------------------------------------------------------------------- inference

    /** {@link #forward(INDArray, INDArray)} from Java arrays. */
    public ForwardResult forward(int[][] inputIds, int[][] attentionMask) {
        return forward(Nd4j.createFromArray(inputIds), Nd4j.createFromArray(attentionMask));
    }

    /**
     * Inference (no dropout): vocabulary logits {@code [B, T, V]}, concept logits {@code [B, T, k]} when the model has
     * latent concepts, and all {@code numLayers + 1} hidden states {@code [B, T, H]} (index 0 = embedding output).
     *
     * @param inputIds      {@code [B, T]} token ids in {@code [0, V)}
     * @param attentionMask {@code [B, T]}, 1 = token, 0 = padding
     */
    public ForwardResult forward(INDArray inputIds, INDArray attentionMask) {
        return runForward(inputIds, attentionMask, true);
    }

    /**
     * Hidden states only (no MLM head): cheaper than {@link #forward(INDArray, INDArray)} at real vocabulary sizes.
     *
     * @return {@code numLayers + 1} arrays {@code [B, T, H]}
     */
    public List<INDArray> hiddenStates(INDArray inputIds, INDArray attentionMask) {
        return runForward(inputIds, attentionMask, false).hiddenStates();
    }

    /**
     * The embeddings and the first {@code layers} encoder layers of this model as a model of its own, for inference
     * up to a layer: concept targets taken from layer l need none of the layers after it (Berend 2023 recommends
     * middle layers), so a teacher truncated there costs {@code l / numLayers} of a full forward. The view shares this
     * model's parameter arrays (nothing is copied; the heads come along unused), and its hidden states are this
     * model's first {@code layers + 1}, bit for bit. Use it while this model is frozen.
     *
     * @param layers encoder layers kept, {@code 1..numLayers} ({@code numLayers} returns this model)
     * @return the truncated model
     * @throws IllegalArgumentException when {@code layers} is out of range
     */
    public DebertaModel truncatedTo(int layers) {
        if (layers < 1 || layers > config.numLayers()) {
            throw new IllegalArgumentException("cannot keep " + layers + " of " + config.numLayers()
                    + " layers (valid: 1.." + config.numLayers() + ")");
        }
        if (layers == config.numLayers()) {
            return this;
        }
        DebertaModel m = new DebertaModel(config.toBuilder().numLayers(layers).build(), dataType);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(LAYER_PREFIX)) {
                int dot = name.indexOf('.', LAYER_PREFIX.length());
                if (Integer.parseInt(name.substring(LAYER_PREFIX.length(), dot)) >= layers) {
                    continue;
                }
            }
            m.params.put(name, e.getValue());
        }
        return m;
    }

    private ForwardResult runForward(INDArray inputIds, INDArray attentionMask, boolean withLogits) {
        int bs = (int) inputIds.size(0);
        int t = sequenceLength(inputIds, attentionMask);
        if (DirectForward.serves(dataType)) {
            return directForward(inputIds, attentionMask, withLogits, bs, t);
        }
        CompiledGraph g = inferenceGraph(withLogits ? InferenceGraphs.Kind.LOGITS
                : InferenceGraphs.Kind.HIDDEN_STATES, t);
        Map<String, INDArray> out = run(g, inferencePlaceholders(inputIds, attentionMask));
        List<INDArray> hidden = new ArrayList<>();
        for (int i = 0; i <= config.numLayers(); i++) {
            hidden.add(out.get(hiddenState(i)).reshape(bs, t, config.hiddenSize()));             // [B, T, H]
        }
        INDArray logits = withLogits ? out.get(OUT_LOGITS).reshape(bs, t, config.vocabSize()) : null;
        INDArray concepts = withLogits && config.latentConcepts() > 0
                ? out.get(OUT_CONCEPT_LOGITS).reshape(bs, t, config.latentConcepts()) : null;
        return new ForwardResult(logits, concepts, hidden);
    }

    /** {@link #runForward} by {@link DirectForward} (float32 on the CPU). */
    private ForwardResult directForward(INDArray inputIds, INDArray attentionMask, boolean withLogits, int bs, int t) {
        DirectForward f = direct();
        List<INDArray> flat = f.hiddenStates(checkedIds(inputIds), maskVector(attentionMask), bs, t);
        List<INDArray> hidden = new ArrayList<>();
        for (INDArray x : flat) {
            hidden.add(x.reshape(bs, t, config.hiddenSize()));                                     // [B, T, H]
        }
        INDArray logits = null;
        INDArray concepts = null;
        if (withLogits) {
            INDArray last = flat.get(flat.size() - 1);
            logits = f.decoderLogits(last, bs * t, 0, config.vocabSize()).reshape(bs, t, config.vocabSize());
            if (config.latentConcepts() > 0) {
                concepts = f.decoderLogits(last, bs * t, config.vocabSize(), config.latentConcepts())
                        .reshape(bs, t, config.latentConcepts());
            }
        }
        return new ForwardResult(logits, concepts, hidden);
    }

    private DirectForward direct() {
        if (direct == null) {
            direct = new DirectForward(config, params);
        }
        return direct;
    }

    /**
     * Vocabulary logits at selected positions only ({@code [N, V]}), without computing or copying the full
     * {@code [B, T, V]} logits: what pseudo-log-likelihood scoring needs. The encoder output rows at
     * {@code flatPositions} are picked inside the graph before the head runs. Inference: no dropout.
     *
     * <pre>{@code
     * int[] at = {0 * T + 3, 1 * T + 5};                                         // row 0 pos 3, row 1 pos 5
     * INDArray mlm = model.vocabLogitsAt(ids, mask, at, VocabHead.MLM);           // [2, V]
     * }</pre>
     *
     * @param flatPositions positions {@code b * T + t} in row-major order, each in {@code [0, B*T)}; at least one
     * @param head          the MLM head or the phase-3 latent-to-vocabulary head
     * @return logits {@code [N, V]}, row {@code n} for {@code flatPositions[n]}
     * @throws IllegalArgumentException for a position out of range or a missing head
     */
    public INDArray vocabLogitsAt(INDArray inputIds, INDArray attentionMask, int[] flatPositions, VocabHead head) {
        if (head == VocabHead.LATENT_TO_VOCAB && !params.containsKey(LATENT_TO_VOCAB_WEIGHT)) {
            throw new IllegalArgumentException("the model has no latent-to-vocabulary head: call "
                    + "addLatentToVocabHead(seed) or load one");
        }
        return logitsAt(inputIds, attentionMask, flatPositions, head == VocabHead.MLM ? InferenceGraphs.Kind.MLM_AT
                : InferenceGraphs.Kind.LATENT_TO_VOCAB_AT);                                         // [N, V]
    }

    /**
     * Every output logit of the MLM decoder at selected positions ({@code [N, V + k]}: the {@code V} vocabulary
     * logits, then the {@code k} concept logits of a model in the released {@code V + k} layout), computed only at
     * those positions like {@link #vocabLogitsAt}. The log-softmax over these rows is the normaliser the BabyLM
     * pipeline uses for an MLSM checkpoint; for a model without latent concepts it equals
     * {@code vocabLogitsAt(..., VocabHead.MLM)}.
     *
     * <pre>{@code
     * INDArray all = model.outputLogitsAt(ids, mask, new int[] {0 * T + 3});   // [1, V + k]
     * }</pre>
     *
     * @param flatPositions positions {@code b * T + t} in row-major order, each in {@code [0, B*T)}; at least one
     * @return logits {@code [N, V + k]}, row {@code n} for {@code flatPositions[n]}
     * @throws IllegalArgumentException for a position out of range
     */
    public INDArray outputLogitsAt(INDArray inputIds, INDArray attentionMask, int[] flatPositions) {
        return logitsAt(inputIds, attentionMask, flatPositions, InferenceGraphs.Kind.OUTPUTS_AT);   // [N, V+k]
    }

    private INDArray logitsAt(INDArray inputIds, INDArray attentionMask, int[] flatPositions,
                              InferenceGraphs.Kind kind) {
        int bs = (int) inputIds.size(0);
        int t = sequenceLength(inputIds, attentionMask);
        if (flatPositions == null || flatPositions.length == 0) {
            throw new IllegalArgumentException("flatPositions must name at least one position");
        }
        for (int n = 0; n < flatPositions.length; n++) {
            if (flatPositions[n] < 0 || flatPositions[n] >= bs * t) {
                throw new IllegalArgumentException("flat position " + flatPositions[n] + " at index " + n
                        + " is outside [0, B*T = " + (bs * t) + ")");
            }
        }
        if (DirectForward.serves(dataType)) {
            int[] ids = checkedIds(inputIds);
            float[] mask = maskVector(attentionMask);
            DirectForward f = direct();
            return switch (kind) {
                case MLM_AT -> f.decoderLogitsAt(ids, mask, bs, t, flatPositions, 0, config.vocabSize());
                case OUTPUTS_AT -> f.decoderLogitsAt(ids, mask, bs, t, flatPositions, 0,
                        config.vocabSize() + config.latentConcepts());
                case LATENT_TO_VOCAB_AT -> f.latentToVocabLogitsAt(ids, mask, bs, t, flatPositions);
                default -> throw new IllegalStateException("not a head at rows: " + kind);
            };
        }
        INDArray select = Nd4j.zeros(dataType, flatPositions.length, (long) bs * t);                 // [N, B*T]
        for (int n = 0; n < flatPositions.length; n++) {
            select.putScalar(n, flatPositions[n], 1.0);
        }
        Map<String, INDArray> ph = inferencePlaceholders(inputIds, attentionMask);
        ph.put(IN_TARGET_SELECT, select);
        CompiledGraph g = inferenceGraph(kind, t);
        return run(g, ph).get(OUT_LOGITS);                                              // [N, V] or [N, V+k]
    }

    /**
     * Class logits of the sequence-classification head ({@code [CLS]} row → pooler → classifier), inference.
     *
     * @return {@code [B, C]}
     * @throws IllegalArgumentException if the model has no classification head
     */
    public INDArray classLogits(INDArray inputIds, INDArray attentionMask) {
        if (!params.containsKey(CLASSIFIER_WEIGHT)) {
            throw new IllegalArgumentException("the model has no classification head: call "
                    + "addClassificationHead(numLabels, seed) or load one");
        }
        int t = sequenceLength(inputIds, attentionMask);
        if (DirectForward.serves(dataType)) {
            int bs = (int) inputIds.size(0);
            DirectForward f = direct();
            INDArray last = f.lastHiddenState(checkedIds(inputIds), maskVector(attentionMask), bs, t);
            return f.classLogits(last, bs, t);                                                     // [B, C]
        }
        CompiledGraph g = inferenceGraph(InferenceGraphs.Kind.CLASSES, t);
        return run(g, inferencePlaceholders(inputIds, attentionMask)).get(OUT_CLASS_LOGITS);       // [B, C]
    }

    /**
     * Runs an inference graph and frees every array its session allocated except the outputs: SameDiff's default
     * memory manager keeps released arrays for reuse, keyed by shape, so scoring sequences of many lengths grew
     * native memory by gigabytes.
     */
    private static Map<String, INDArray> run(CompiledGraph g, Map<String, INDArray> placeholders) {
        SameDiffWorkarounds.afterWork();
        return SameDiffWorkarounds.output(g.sd(), placeholders, g.outputs());
    }

    private Map<String, INDArray> inferencePlaceholders(INDArray inputIds, INDArray attentionMask) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(IN_TOKEN_EMBEDDINGS, tokenEmbeddings(checkedIds(inputIds)));                         // [B*T, H]
        ph.put(IN_ATTENTION_MASK, attentionMask.castTo(dataType));                                   // [B, T]
        return ph;
    }

    // ------------------------------------------------------------------------------------------- training

    /** Losses and gradients without dropout (deterministic; what the reference fixtures are checked with). */
    public StepResult computeGradients(TrainingObjective objective, TrainingBatch batch) {
        return step.run(objective, batch, null, true, null, 1.0);
    }

    /**
     * One training step's losses and gradients, with dropout masks drawn from {@code dropoutSeed} (the same seed gives
     * the same masks). The caller applies the optimizer, accumulation and clipping.
     *
     * @return losses by term key and {@code total}, gradients by parameter name (trained parameters the objective
     *         uses)
     */
    public StepResult computeGradients(TrainingObjective objective, TrainingBatch batch, long dropoutSeed) {
        return step.run(objective, batch, dropoutSeed, true, null, 1.0);
    }

    /**
     * One training step's losses, with {@code scale ×} its gradients added into {@code sums} (arrays by parameter
     * name, created on first use): what a training loop calls once per micro-batch, reusing {@code sums} from step to
     * step (zero them before a step's first micro-batch). Unlike {@link #computeGradients} it hands out no new
     * gradient arrays, which on the direct path saves their page faults (0.45 s per base-preset step here).
     *
     * @param sums  gradient sums by parameter name, updated in place
     * @param scale factor of this micro-batch's gradients (1 / accumulation steps)
     * @return losses, and the gradient sums of the parameters this step trained
     */
    public StepResult accumulateGradients(TrainingObjective objective, TrainingBatch batch, long dropoutSeed,
                                          Map<String, INDArray> sums, double scale) {
        if (sums == null) {
            throw new IllegalArgumentException("sums must not be null (use computeGradients for new arrays)");
        }
        return step.run(objective, batch, dropoutSeed, true, sums, scale);
    }

    /** @return the loss terms (unweighted) and {@code total}, without gradients and without dropout */
    public Map<String, Double> computeLosses(TrainingObjective objective, TrainingBatch batch) {
        return step.run(objective, batch, null, false, null, 1.0).losses();
    }

    /** @return the loss terms and {@code total} with the dropout masks of {@code dropoutSeed}, without gradients */
    public Map<String, Double> computeLosses(TrainingObjective objective, TrainingBatch batch, long dropoutSeed) {
        return step.run(objective, batch, dropoutSeed, false, null, 1.0).losses();
    }

    // ------------------------------------------------------------------------------------------- shared by the steps

    CompiledGraph trainingGraph(TrainingObjective objective, int seqLen, boolean dropout, boolean onEncoderOutput) {
        return graphs.get(new TrainingGraphs.Key(List.copyOf(objective.weights().keySet()), objective.scope(),
                seqLen, dropout, onEncoderOutput), k -> TrainingGraphs.build((TrainingGraphs.Key) k, params, config));
    }

    /** @return the direct training path if a step has used it, else null */
    DirectTraining directTrainingIfBuilt() {
        return directTraining;
    }

    /** @return the direct training path of this model (created on first use; its buffers freed by releaseGraphs) */
    DirectTraining directTraining() {
        if (directTraining == null) {
            directTraining = new DirectTraining(config, params);
        }
        return directTraining;
    }

    private CompiledGraph inferenceGraph(InferenceGraphs.Kind kind, int seqLen) {
        return graphs.get(new InferenceGraphs.Key(kind, seqLen),
                k -> InferenceGraphs.build((InferenceGraphs.Key) k, params, config, dataType));
    }

    /** @return the word-embedding rows of the ids {@code [B*T, H]}, looked up outside the graph */
    INDArray tokenEmbeddings(int[] ids) {
        return Nd4j.pullRows(params.get(WORD_EMBEDDINGS), 1, ids);
    }

    /** @return the attention mask {@code [B, T]} flattened row-major, as floats */
    static float[] maskVector(INDArray attentionMask) {
        return attentionMask.castTo(DataType.FLOAT).reshape(-1).toFloatVector();
    }

    /** @return the ids flattened, after checking the vocabulary range and the sequence length */
    int[] checkedIds(INDArray inputIds) {
        int[] ids = inputIds.castTo(DataType.INT32).reshape(-1).toIntVector();
        int v = config.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("input id " + ids[i] + " at flat position " + i
                        + " is outside the vocabulary [0, " + v + ")");
            }
        }
        if (inputIds.size(1) > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + inputIds.size(1) + " exceeds maxPositions "
                    + config.maxPositions());
        }
        return ids;
    }

    /** @return T after checking that ids and mask are {@code [B, T]} alike */
    private static int sequenceLength(INDArray inputIds, INDArray attentionMask) {
        return TrainingBatch.of(inputIds, attentionMask, null).seqLen();
    }
}
