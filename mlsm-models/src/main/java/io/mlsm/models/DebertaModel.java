package io.mlsm.models;

import io.mlsm.models.graph.NativeMemoryGuard;

import io.mlsm.models.TrainingObjective.Scope;
import io.mlsm.models.TrainingObjective.Term;
import io.mlsm.models.graph.ClosingSessions;
import io.mlsm.models.graph.EagerReleaseListener;
import io.mlsm.models.graph.EncoderGraph;
import io.mlsm.models.graph.ParameterBinding;
import io.mlsm.models.graph.SharedArrayHolder;
import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.heads.ClassificationHead;
import io.mlsm.models.heads.ConceptHead;
import io.mlsm.models.heads.LatentToVocabHead;
import io.mlsm.models.heads.MlmHead;
import io.mlsm.models.loss.ObjectiveLosses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * A DeBERTa v1 masked-LM (He, Liu, Gao, Chen 2021) with pluggable objective heads, computed with SameDiff and
 * numerically equal to Hugging Face {@code DebertaForMaskedLM} (transformers 4.27 v1 code) on the same weights.
 *
 * <p>Parameters are held by their Hugging Face names ({@link VariableNames}), so a checkpoint's tensors map onto them
 * one to one (the tied {@code cls.predictions.decoder.*} aliases are not separate parameters). The arrays returned by
 * {@link #parameters()} are the live arrays the graphs compute with: an optimizer may update them in place.
 * Graphs are built on first use per (objective, sequence length, dropout on/off) and cached.
 *
 * <p>Three entry points:
 * <ul>
 *   <li>{@link #forward(INDArray, INDArray)} — inference: logits and all hidden states (index 0 = embeddings);</li>
 *   <li>{@link #computeGradients(TrainingObjective, TrainingBatch, long)} — one training step's losses and the
 *   gradients by parameter name, for the caller's optimizer (with dropout drawn from the seed);
 *   {@link #computeGradients(TrainingObjective, TrainingBatch)} is the same without dropout;</li>
 *   <li>{@link #computeLosses(TrainingObjective, TrainingBatch)} — the losses only (evaluation);</li>
 *   <li>{@link #vocabLogitsAt(INDArray, INDArray, int[], Term)} and {@link #classLogits(INDArray, INDArray)} —
 *   inference through one head: vocabulary logits at selected positions (MLM or latent-to-vocabulary head, for
 *   pseudo-log-likelihood scoring) or class logits (fine-tuned classifier).</li>
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
public final class DebertaModel {

    private static final Logger LOG = LoggerFactory.getLogger(DebertaModel.class);
    private static final int MAX_CACHED_GRAPHS = 8;

    private final DebertaConfig config;
    private final DataType dataType;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<GraphKey, CompiledGraph> graphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GraphKey, CompiledGraph> eldest) {
            return size() > MAX_CACHED_GRAPHS;
        }
    };

    private DebertaModel(DebertaConfig config, DataType dataType) {
        this.config = config;
        this.dataType = dataType;
    }

    // ------------------------------------------------------------------------------------------- construction

    /**
     * A freshly initialised model as Hugging Face initialises one: weights ~ N(0, initializerRange), biases 0,
     * LayerNorm gains 1, the padding row of the word embeddings 0.
     *
     * @param config architecture
     * @param seed   initialisation seed
     * @return float32 model
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
        requireFloating(dataType);
        DebertaModel m = new DebertaModel(config, dataType);
        for (Map.Entry<String, long[]> e : backboneAndMlmShapes(config).entrySet()) {
            m.params.put(e.getKey(), initialValue(e.getKey(), e.getValue(), config, seed, dataType));
        }
        m.params.get(WORD_EMBEDDINGS).getRow(config.padTokenId()).assign(0);
        return m;
    }

    /**
     * A model from named parameters (e.g. read from a Hugging Face checkpoint). Arrays are copied. The backbone and
     * MLM head must be complete; {@code cls.latent_to_vocab.*}, {@code pooler.*} and {@code classifier.*} are
     * optional; the tied aliases {@code cls.predictions.decoder.weight/bias} are ignored.
     *
     * @param config architecture
     * @param named  parameters by Hugging Face name
     * @return the model (data type of the word embeddings)
     * @throws IllegalArgumentException on a missing, unknown or wrongly shaped parameter
     */
    public static DebertaModel fromParameters(DebertaConfig config, Map<String, INDArray> named) {
        INDArray emb = named.get(WORD_EMBEDDINGS);
        if (emb == null) {
            throw new IllegalArgumentException("missing parameter '" + WORD_EMBEDDINGS + "'");
        }
        DataType dt = emb.dataType();
        requireFloating(dt);
        DebertaModel m = new DebertaModel(config, dt);
        Map<String, long[]> required = backboneAndMlmShapes(config);
        for (Map.Entry<String, long[]> e : required.entrySet()) {
            INDArray a = named.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("missing parameter '" + e.getKey() + "' (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            m.params.put(e.getKey(), checkedCopy(e.getKey(), a, e.getValue(), dt));
        }
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            String n = e.getKey();
            if (required.containsKey(n) || n.equals(MLM_DECODER_WEIGHT_ALIAS) || n.equals(MLM_DECODER_BIAS_ALIAS)) {
                continue;
            }
            long[] expected = optionalHeadShape(config, n, named);
            if (expected == null) {
                throw new IllegalArgumentException("unknown parameter '" + n + "' for a DeBERTa v1 model");
            }
            m.params.put(n, checkedCopy(n, e.getValue(), expected, dt));
        }
        return m;
    }

    /**
     * Adds (or re-initialises) the latent-to-vocabulary head {@code k → V}: weight ~ N(0, initializerRange), bias 0.
     *
     * @param seed initialisation seed
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
     *
     * @param numLabels number of classes, at least 2
     * @param seed      initialisation seed
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
        INDArray value = initialValue(name, shape, config, seed, dataType);
        INDArray old = params.get(name);
        if (old != null && Arrays.equals(old.shape(), shape)) {
            old.assign(value);
        } else {
            params.put(name, value);
            graphs.clear();
        }
    }

    // ------------------------------------------------------------------------------------------- parameters

    /** @return the architecture */
    public DebertaConfig config() {
        return config;
    }

    /**
     * Loads a Hugging Face model directory ({@code config.json} + {@code model.safetensors}), e.g. a released
     * DeBERTa v1 checkpoint or one this library exported (validated by
     * {@link io.mlsm.models.io.HfDebertaDirectory#loadModel(java.nio.file.Path)}). A {@code vocab_size = V + k}
     * checkpoint is read in the concatenated latent-concept layout when its config records {@code k}.
     *
     * <pre>{@code
     * DebertaModel m = DebertaModel.load(Path.of("models/teacher"));
     * ForwardResult r = m.forward(ids, mask);   // r.logits() [B, T, V], r.hiddenStates() (numLayers + 1) x [B, T, H]
     * }</pre>
     *
     * @param dir model directory
     * @return the model (float32)
     * @throws java.io.IOException if a file is missing, unreadable or corrupt
     */
    public static DebertaModel load(java.nio.file.Path dir) throws java.io.IOException {
        return io.mlsm.models.io.HfDebertaDirectory.loadModel(dir);
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
     * @param name parameter name
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
     * @return outputs
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
     * Vocabulary logits at selected positions only ({@code [N, V]}), without computing or copying the full
     * {@code [B, T, V]} logits of {@link #forward(INDArray, INDArray)}: what pseudo-log-likelihood scoring needs. The
     * encoder output rows at {@code flatPositions} are picked inside the graph before the head runs. Inference: no
     * dropout.
     *
     * <pre>{@code
     * int[] at = {0 * T + 3, 1 * T + 5};                                              // row 0 pos 3, row 1 pos 5
     * INDArray mlm = model.vocabLogitsAt(ids, mask, at, TrainingObjective.Term.MLM);   // [2, V]
     * INDArray p3 = model.vocabLogitsAt(ids, mask, at, TrainingObjective.Term.LATENT_TO_VOCAB);   // [2, V]
     * }</pre>
     *
     * @param inputIds      {@code [B, T]} token ids in {@code [0, V)}
     * @param attentionMask {@code [B, T]}, 1 = token, 0 = padding
     * @param flatPositions positions {@code b * T + t} in row-major order, each in {@code [0, B*T)}; at least one
     * @param head          {@link Term#MLM}: the MLM head (the first {@code V} rows of a {@code V + k} output layer);
     *                      {@link Term#LATENT_TO_VOCAB}: the phase-3 head {@code k → V} on the concept logits
     * @return logits {@code [N, V]}, row {@code n} for {@code flatPositions[n]}
     * @throws IllegalArgumentException for another head, a position out of range, or a missing head
     */
    public INDArray vocabLogitsAt(INDArray inputIds, INDArray attentionMask, int[] flatPositions, Term head) {
        if (head != Term.MLM && head != Term.LATENT_TO_VOCAB) {
            throw new IllegalArgumentException("vocabulary logits come from the MLM or the LATENT_TO_VOCAB head, got "
                    + head);
        }
        if (head == Term.LATENT_TO_VOCAB && !params.containsKey(LATENT_TO_VOCAB_WEIGHT)) {
            throw new IllegalArgumentException("the model has no latent-to-vocabulary head: call "
                    + "addLatentToVocabHead(seed) or load one");
        }
        TrainingBatch b = TrainingBatch.of(inputIds, attentionMask, null);
        int bs = b.batchSize();
        int t = b.seqLen();
        if (flatPositions == null || flatPositions.length == 0) {
            throw new IllegalArgumentException("flatPositions must name at least one position");
        }
        INDArray select = Nd4j.zeros(dataType, flatPositions.length, (long) bs * t);             // [N, B*T]
        for (int n = 0; n < flatPositions.length; n++) {
            if (flatPositions[n] < 0 || flatPositions[n] >= bs * t) {
                throw new IllegalArgumentException("flat position " + flatPositions[n] + " at index " + n
                        + " is outside [0, B*T = " + (bs * t) + ")");
            }
            select.putScalar(n, flatPositions[n], 1.0);
        }
        Map<String, INDArray> ph = inferencePlaceholders(inputIds, attentionMask);
        ph.put(IN_TARGET_SELECT, select);
        CompiledGraph g = graph(new GraphKey(true, true, t, false, Set.of(head), Scope.ALL));
        NativeMemoryGuard.afterWork();
        return g.sd.output(ph, g.outputs).get(OUT_LOGITS);                                        // [N, V]
    }

    /**
     * Class logits of the sequence-classification head ({@code [CLS]} row → pooler → classifier), inference (no
     * dropout).
     *
     * <pre>{@code
     * model.addClassificationHead(2, seed);
     * INDArray logits = model.classLogits(ids, mask);   // [B, 2]
     * }</pre>
     *
     * @param inputIds      {@code [B, T]} token ids in {@code [0, V)}
     * @param attentionMask {@code [B, T]}, 1 = token, 0 = padding
     * @return {@code [B, C]}
     * @throws IllegalArgumentException if the model has no classification head
     */
    public INDArray classLogits(INDArray inputIds, INDArray attentionMask) {
        if (!params.containsKey(CLASSIFIER_WEIGHT)) {
            throw new IllegalArgumentException("the model has no classification head: call "
                    + "addClassificationHead(numLabels, seed) or load one");
        }
        TrainingBatch b = TrainingBatch.of(inputIds, attentionMask, null);
        CompiledGraph g = graph(new GraphKey(true, true, b.seqLen(), false, Set.of(Term.CLASSIFICATION), Scope.ALL));
        NativeMemoryGuard.afterWork();
        return g.sd.output(inferencePlaceholders(inputIds, attentionMask), g.outputs).get(OUT_CLASS_LOGITS); // [B, C]
    }

    private Map<String, INDArray> inferencePlaceholders(INDArray inputIds, INDArray attentionMask) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(IN_TOKEN_EMBEDDINGS, Nd4j.pullRows(params.get(WORD_EMBEDDINGS), 1, ids(inputIds)));   // [B*T, H]
        ph.put(IN_ATTENTION_MASK, attentionMask.castTo(dataType));                                 // [B, T]
        return ph;
    }

    private ForwardResult runForward(INDArray inputIds, INDArray attentionMask, boolean withLogits) {
        NativeMemoryGuard.afterWork();
        TrainingBatch b = TrainingBatch.of(inputIds, attentionMask, null);
        int bs = b.batchSize();
        int t = b.seqLen();
        CompiledGraph g = graph(new GraphKey(true, withLogits, t, false, Set.of(), Scope.ALL));
        Map<String, INDArray> ph = new HashMap<>();
        int[] ids = ids(inputIds);
        ph.put(IN_TOKEN_EMBEDDINGS, Nd4j.pullRows(params.get(WORD_EMBEDDINGS), 1, ids));
        ph.put(IN_ATTENTION_MASK, attentionMask.castTo(dataType));
        Map<String, INDArray> out = g.sd.output(ph, g.outputs);
        releaseSession(g.sd, out.values(), List.of());
        List<INDArray> hidden = new ArrayList<>();
        for (int i = 0; i <= config.numLayers(); i++) {
            hidden.add(out.get(hiddenState(i)).reshape(bs, t, config.hiddenSize()));
        }
        INDArray logits = withLogits ? out.get(OUT_LOGITS).reshape(bs, t, config.vocabSize()) : null;
        INDArray concepts = withLogits && config.latentConcepts() > 0
                ? out.get(OUT_CONCEPT_LOGITS).reshape(bs, t, config.latentConcepts()) : null;
        return new ForwardResult(logits, concepts, hidden);
    }

    // ------------------------------------------------------------------------------------------- training

    /** Losses and gradients without dropout (deterministic; what the reference fixtures are checked with). */
    public StepResult computeGradients(TrainingObjective objective, TrainingBatch batch) {
        return step(objective, batch, null, true);
    }

    /**
     * One training step's losses and gradients, with dropout masks drawn from {@code dropoutSeed} (the same seed gives
     * the same masks). The caller applies the optimizer, accumulation and clipping.
     *
     * @param objective   loss terms, weights and trained parameters
     * @param batch       inputs and targets
     * @param dropoutSeed seed of this step's dropout masks
     * @return losses and gradients by parameter name (trained parameters that the objective uses)
     */
    public StepResult computeGradients(TrainingObjective objective, TrainingBatch batch, long dropoutSeed) {
        return step(objective, batch, dropoutSeed, true);
    }

    /**
     * The loss terms without gradients and without dropout (evaluation).
     *
     * @return unweighted terms and {@code total}
     */
    public Map<String, Double> computeLosses(TrainingObjective objective, TrainingBatch batch) {
        return step(objective, batch, null, false).losses();
    }

    /**
     * The loss terms with the dropout masks of {@code dropoutSeed} (the same masks
     * {@link #computeGradients(TrainingObjective, TrainingBatch, long)} uses with that seed), without gradients.
     *
     * @return unweighted terms and {@code total}
     */
    public Map<String, Double> computeLosses(TrainingObjective objective, TrainingBatch batch, long dropoutSeed) {
        return step(objective, batch, dropoutSeed, false).losses();
    }

    private StepResult step(TrainingObjective objective, TrainingBatch batch, Long dropoutSeed, boolean gradients) {
        NativeMemoryGuard.afterWork();
        int bs = batch.batchSize();
        int t = batch.seqLen();
        int[] ids = ids(batch.inputIds());
        int[] targets = objective.usesTargetPositions() ? targetPositions(batch) : new int[0];
        int n = targets.length;
        validateTargets(objective, batch, n);
        boolean training = dropoutSeed != null;
        CompiledGraph g = graph(new GraphKey(false, false, t, training, objective.weights().keySet(),
                objective.scope()));

        if (objective.usesTargetPositions() && n == 0) {
            return emptyStep(objective, g, gradients);
        }
        Map<String, INDArray> ph = new HashMap<>();
        g.sd.getVariable(IN_TOKEN_EMBEDDINGS)
                .setArray(Nd4j.pullRows(params.get(WORD_EMBEDDINGS), 1, ids));                 // [B*T, H]
        ph.put(IN_ATTENTION_MASK, batch.attentionMask().castTo(dataType));                    // [B, T]
        if (objective.usesTargetPositions()) {
            INDArray select = Nd4j.zeros(dataType, n, (long) bs * t);                          // [N, B*T]
            int[] labelIds = new int[n];
            int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
            for (int i = 0; i < n; i++) {
                select.putScalar(i, targets[i], 1.0);
                labelIds[i] = labels[targets[i]];
            }
            ph.put(IN_TARGET_SELECT, select);
            ph.put(IN_TARGET_LABELS, Nd4j.createFromArray(labelIds));                          // [N]
        }
        if (objective.has(Term.KD)) {
            ph.put(IN_TEACHER_PROBS, batch.teacherProbs().castTo(dataType));                    // [N, V]
        }
        if (objective.has(Term.MLSM)) {
            ph.put(IN_CONCEPT_TARGETS, batch.conceptTargets().castTo(dataType));                // [N, k]
        }
        if (objective.has(Term.CLASSIFICATION)) {
            ph.put(IN_CLASS_LABELS, batch.classLabels().castTo(DataType.INT32).reshape(-1));   // [B]
        }
        for (Map.Entry<Term, Double> w : objective.weights().entrySet()) {
            ph.put(lossWeight(w.getKey().key()), Nd4j.scalar(dataType, w.getValue()));
        }
        if (training) {
            putDropoutMasks(g, ph, bs, t, dropoutSeed);
        }

        Map<String, INDArray> outputs;
        Map<String, INDArray> grads = new LinkedHashMap<>();
        if (gradients) {
            List<String> wrt = new ArrayList<>(g.trainable);
            boolean embTrained = objective.scope().trains(WORD_EMBEDDINGS);
            if (embTrained) {
                wrt.add(IN_TOKEN_EMBEDDINGS);
            }
            SameDiff gradFn = g.sd.getFunction("grad");
            List<String> requested = new ArrayList<>(g.outputs);
            for (String w : wrt) {
                requested.add(g.sd.getVariable(w).getGradient().name());
            }
            EagerReleaseListener release = new EagerReleaseListener(gradFn, requested);
            g.sd.setListeners(release);
            OutAndGrad og;
            try {
                og = g.sd.calculateGradientsAndOutputs(ph, g.outputs, wrt);
            } finally {
                g.sd.setListeners();
            }
            releaseSession(gradFn, og.getOutputs().values(), og.getGradients().values());
            LOG.debug("step released {} buffers early", release.closedBuffers());
            outputs = og.getOutputs();
            for (String name : g.trainable) {
                grads.put(name, og.getGradients().get(name));
            }
            if (embTrained) {
                INDArray ge = grads.get(WORD_EMBEDDINGS);
                if (ge == null) {
                    ge = Nd4j.zeros(dataType, params.get(WORD_EMBEDDINGS).shape());
                    grads.put(WORD_EMBEDDINGS, ge);
                }
                scatterAddRows(ge, ids, og.getGradients().get(IN_TOKEN_EMBEDDINGS));
            }
        } else {
            outputs = g.sd.output(ph, g.outputs);
            releaseSession(g.sd, outputs.values(), List.of());
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Term term : objective.weights().keySet()) {
            losses.put(term.key(), outputs.get(loss(term.key())).getDouble(0));
        }
        losses.put(StepResult.TOTAL, outputs.get(LOSS_TOTAL).getDouble(0));
        return new StepResult(losses, grads, n);
    }

    private StepResult emptyStep(TrainingObjective objective, CompiledGraph g, boolean gradients) {
        Map<String, Double> losses = new LinkedHashMap<>();
        objective.weights().keySet().forEach(term -> losses.put(term.key(), 0.0));
        losses.put(StepResult.TOTAL, 0.0);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        if (gradients) {
            for (String name : g.trainable) {
                grads.put(name, Nd4j.zeros(dataType, params.get(name).shape()));
            }
            if (objective.scope().trains(WORD_EMBEDDINGS)) {
                grads.putIfAbsent(WORD_EMBEDDINGS, Nd4j.zeros(dataType, params.get(WORD_EMBEDDINGS).shape()));
            }
        }
        return new StepResult(losses, grads, 0);
    }

    /**
     * Frees everything the last session of {@code sd} allocated except the results, and drops the session (SameDiff
     * makes a new one per call; the old one would keep its arrays reachable until then).
     */
    private static void releaseSession(SameDiff sd, java.util.Collection<INDArray> results,
                                       java.util.Collection<INDArray> moreResults) {
        org.nd4j.autodiff.samediff.internal.InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
        if (s != null && s.getMmgr() instanceof io.mlsm.models.graph.ClosingMemoryManager m) {
            List<INDArray> keep = new ArrayList<>(results);
            keep.addAll(moreResults);
            m.closeAllExcept(keep);
        }
        sd.getSessions().clear();
    }

    /** grad[ids[i]] += rows[i], in place (native scatter_add, repeated ids accumulate). */
    static void scatterAddRows(INDArray grad, int[] ids, INDArray rows) {
        INDArray idx = Nd4j.createFromArray(ids);
        Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(grad, idx, rows).addOutputs(grad).build());
    }

    private void putDropoutMasks(CompiledGraph g, Map<String, INDArray> ph, int bs, int t, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        long h = config.hiddenSize();
        for (String name : g.dropoutPlaceholders) {
            long[] shape;
            double drop;
            if (name.endsWith(SITE_ATTENTION_PROBS)) {
                shape = new long[]{(long) config.numHeads() * bs, t, t};
                drop = config.attentionDropout();
            } else if (name.endsWith(SITE_REL_C2P) || name.endsWith(SITE_REL_P2C)) {
                shape = new long[]{2L * t, h};
                drop = config.hiddenDropout();
            } else if (name.equals(DROPOUT_POOLER)) {
                shape = new long[]{bs, h};
                drop = config.hiddenDropout();
            } else {
                shape = new long[]{(long) bs * t, h};
                drop = config.hiddenDropout();
            }
            double keep = 1.0 - drop;
            INDArray mask = Nd4j.createUninitialized(dataType, shape);
            Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, keep), rng);
            ph.put(name, mask.muli(1.0 / keep));
        }
    }

    private int[] ids(INDArray inputIds) {
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

    private int[] targetPositions(TrainingBatch batch) {
        if (batch.labels() == null) {
            throw new IllegalArgumentException("the objective needs labels (−100 = no target)");
        }
        int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != TrainingBatch.IGNORE) {
                if (labels[i] < 0 || labels[i] >= config.vocabSize()) {
                    throw new IllegalArgumentException("label " + labels[i] + " at flat position " + i
                            + " is neither −100 nor in [0, " + config.vocabSize() + ")");
                }
                count++;
            }
        }
        int[] pos = new int[count];
        int j = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != TrainingBatch.IGNORE) {
                pos[j++] = i;
            }
        }
        return pos;
    }

    private void validateTargets(TrainingObjective objective, TrainingBatch batch, int n) {
        if (objective.has(Term.KD)) {
            requireRows("teacherProbs", batch.teacherProbs(), n, config.vocabSize());
        }
        if (objective.has(Term.MLSM) || objective.has(Term.LATENT_TO_VOCAB)) {
            if (config.latentConcepts() <= 0) {
                throw new IllegalArgumentException("objective " + objective + " needs latent concepts, but the "
                        + "model has latentConcepts = 0");
            }
        }
        if (objective.has(Term.MLSM)) {
            requireRows("conceptTargets", batch.conceptTargets(), n, config.latentConcepts());
        }
        if (objective.has(Term.LATENT_TO_VOCAB) && !params.containsKey(LATENT_TO_VOCAB_WEIGHT)) {
            throw new IllegalArgumentException("objective needs the latent-to-vocabulary head: call "
                    + "addLatentToVocabHead(seed) or load one");
        }
        if (objective.has(Term.CLASSIFICATION)) {
            if (!params.containsKey(CLASSIFIER_WEIGHT)) {
                throw new IllegalArgumentException("objective needs a classification head: call "
                        + "addClassificationHead(numLabels, seed) or load one");
            }
            if (batch.classLabels() == null) {
                throw new IllegalArgumentException("classification needs classLabels [B]");
            }
            int c = (int) params.get(CLASSIFIER_BIAS).length();
            for (int y : batch.classLabels().castTo(DataType.INT32).reshape(-1).toIntVector()) {
                if (y < 0 || y >= c) {
                    throw new IllegalArgumentException("class label " + y + " outside [0, " + c + ")");
                }
            }
        }
    }

    private static void requireRows(String what, INDArray a, int n, int width) {
        if (a == null) {
            throw new IllegalArgumentException("objective needs " + what + " [" + n + ", " + width + "]");
        }
        if (a.rank() != 2 || a.size(0) != n || a.size(1) != width) {
            throw new IllegalArgumentException(what + " must be [" + n + ", " + width + "] (one row per target "
                    + "position), got " + Arrays.toString(a.shape()));
        }
    }

    // ------------------------------------------------------------------------------------------- graphs

    private record GraphKey(boolean inference, boolean logits, int seqLen, boolean training, Set<Term> terms,
                            Scope scope) {
    }

    private static final class CompiledGraph {
        final SameDiff sd;
        final List<String> outputs;
        final List<String> trainable;
        final List<String> dropoutPlaceholders;

        CompiledGraph(SameDiff sd, List<String> outputs, List<String> trainable) {
            this.sd = sd;
            this.outputs = List.copyOf(outputs);
            this.trainable = List.copyOf(trainable);
            List<String> drops = new ArrayList<>();
            for (String in : sd.inputs()) {
                if (in.startsWith("dropout.")) {
                    drops.add(in);
                }
            }
            this.dropoutPlaceholders = List.copyOf(drops);
        }
    }

    private CompiledGraph graph(GraphKey key) {
        CompiledGraph g = graphs.get(key);
        if (g == null) {
            long start = System.nanoTime();
            g = key.inference() ? buildInference(key) : buildTraining(key);
            graphs.put(key, g);
            LOG.debug("built graph {} with {} ops in {} ms", key, g.sd.getOps().size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return g;
    }

    private CompiledGraph buildInference(GraphKey key) {
        SameDiff sd = SharedArrayHolder.newGraph();
        ParameterBinding p = new ParameterBinding(sd, params, name -> false);
        EncoderGraph enc = EncoderGraph.build(p, config, key.seqLen(), false, false);
        if (!key.terms().isEmpty()) {
            return buildInferenceHead(key, sd, p, enc.hiddenStates().get(config.numLayers()));
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i <= config.numLayers(); i++) {
            outputs.add(hiddenState(i));
        }
        if (key.logits()) {
            SDVariable tr = MlmHead.transform(p, config, enc.hiddenStates().get(config.numLayers()));   // [B*T, H]
            sd.identity(OUT_LOGITS, MlmHead.vocabLogits(p, config, tr));                              // [B*T, V]
            outputs.add(OUT_LOGITS);
            if (config.latentConcepts() > 0) {
                sd.identity(OUT_CONCEPT_LOGITS, ConceptHead.logits(p, config, tr));                   // [B*T, k]
                outputs.add(OUT_CONCEPT_LOGITS);
            }
        }
        ClosingSessions.register(sd);
        return new CompiledGraph(sd, outputs, List.of());
    }

    /** One head's output only: vocabulary logits at selected rows, or class logits. */
    private CompiledGraph buildInferenceHead(GraphKey key, SameDiff sd, ParameterBinding p, SDVariable last) {
        if (key.terms().contains(Term.CLASSIFICATION)) {
            sd.identity(OUT_CLASS_LOGITS, ClassificationHead.logits(p, last, key.seqLen(), config.hiddenSize(),
                    false));                                                                           // [B, C]
            return new CompiledGraph(sd, List.of(OUT_CLASS_LOGITS), List.of());
        }
        SDVariable select = sd.placeHolder(IN_TARGET_SELECT, dataType, -1, -1);                        // [N, B*T]
        SDVariable tr = MlmHead.transform(p, config, sd.mmul(select, last));                           // [N, H]
        SDVariable vocab = key.terms().contains(Term.LATENT_TO_VOCAB)
                ? LatentToVocabHead.logits(p, ConceptHead.logits(p, config, tr))                       // [N, V]
                : MlmHead.vocabLogits(p, config, tr);                                                  // [N, V]
        sd.identity(OUT_LOGITS, vocab);
        return new CompiledGraph(sd, List.of(OUT_LOGITS), List.of());
    }

    private CompiledGraph buildTraining(GraphKey key) {
        SameDiff sd = SharedArrayHolder.newGraph();
        Scope scope = key.scope();
        ParameterBinding p = new ParameterBinding(sd, params, scope::trains);
        EncoderGraph enc = EncoderGraph.build(p, config, key.seqLen(), key.training(), true);
        SDVariable last = enc.hiddenStates().get(config.numLayers());                                  // [B*T, H]
        Set<Term> terms = key.terms().isEmpty() ? EnumSet.noneOf(Term.class) : EnumSet.copyOf(key.terms());
        Map<Term, SDVariable> lossTerms = new LinkedHashMap<>();
        if (terms.stream().anyMatch(Term::usesTargetPositions)) {
            SDVariable select = sd.placeHolder(IN_TARGET_SELECT, dataType, -1, -1);                    // [N, B*T]
            SDVariable labels = sd.placeHolder(IN_TARGET_LABELS, DataType.INT32, -1);                  // [N]
            SDVariable rows = sd.mmul(select, last);                                                   // [N, H]
            SDVariable tr = MlmHead.transform(p, config, rows);                                        // [N, H]
            SDVariable vocab = null;
            if (terms.contains(Term.MLM) || terms.contains(Term.KD)) {
                vocab = sd.identity(OUT_LOGITS, MlmHead.vocabLogits(p, config, tr));                   // [N, V]
            }
            if (terms.contains(Term.MLM)) {
                lossTerms.put(Term.MLM, ObjectiveLosses.crossEntropy(sd, vocab, labels, config.vocabSize()));
            }
            if (terms.contains(Term.KD)) {
                SDVariable teacher = sd.placeHolder(IN_TEACHER_PROBS, dataType, -1, config.vocabSize()); // [N, V]
                lossTerms.put(Term.KD, ObjectiveLosses.klDivergenceMean(sd, vocab, teacher));
            }
            SDVariable concepts = null;
            if (terms.contains(Term.MLSM) || terms.contains(Term.LATENT_TO_VOCAB)) {
                concepts = sd.identity(OUT_CONCEPT_LOGITS, ConceptHead.logits(p, config, tr));          // [N, k]
            }
            if (terms.contains(Term.MLSM)) {
                SDVariable target = sd.placeHolder(IN_CONCEPT_TARGETS, dataType, -1,
                        config.latentConcepts());                                                      // [N, k]
                lossTerms.put(Term.MLSM, ObjectiveLosses.klDivergenceOverNonEmpty(sd, concepts, target));
            }
            if (terms.contains(Term.LATENT_TO_VOCAB)) {
                SDVariable l2v = LatentToVocabHead.logits(p, concepts);                                // [N, V]
                lossTerms.put(Term.LATENT_TO_VOCAB, ObjectiveLosses.crossEntropy(sd, l2v, labels,
                        config.vocabSize()));
            }
        }
        if (terms.contains(Term.CLASSIFICATION)) {
            SDVariable logits = sd.identity(OUT_CLASS_LOGITS, ClassificationHead.logits(p, last, key.seqLen(),
                    config.hiddenSize(), key.training()));                                             // [B, C]
            SDVariable labels = sd.placeHolder(IN_CLASS_LABELS, DataType.INT32, -1);                   // [B]
            int classes = (int) params.get(CLASSIFIER_BIAS).length();
            lossTerms.put(Term.CLASSIFICATION, ObjectiveLosses.crossEntropy(sd, logits, labels, classes));
        }
        // term weights are scalar placeholders: graphs are cached per set of terms, not per weight
        SDVariable total = null;
        List<String> outputs = new ArrayList<>();
        for (Map.Entry<Term, SDVariable> e : lossTerms.entrySet()) {
            SDVariable named = sd.identity(loss(e.getKey().key()), e.getValue());
            outputs.add(named.name());
            SDVariable weighted = named.mul(sd.placeHolder(lossWeight(e.getKey().key()), dataType));
            total = total == null ? weighted : total.add(weighted);
        }
        sd.identity(LOSS_TOTAL, total);
        outputs.add(LOSS_TOTAL);
        sd.setLossVariables(LOSS_TOTAL);
        sd.createGradFunction();
        ClosingSessions.register(sd);
        ClosingSessions.register(sd.getFunction("grad"));
        List<String> trainable = new ArrayList<>(new LinkedHashSet<>(p.trainableBound()));
        return new CompiledGraph(sd, outputs, trainable);
    }

    // ------------------------------------------------------------------------------------------- shapes and init

    /**
     * Names and shapes of the backbone and MLM-head parameters for a configuration (word embeddings and
     * {@code cls.predictions.bias} have {@code V + k} rows).
     *
     * @return insertion-ordered map name → shape
     */
    public static Map<String, long[]> backboneAndMlmShapes(DebertaConfig c) {
        long h = c.hiddenSize();
        long out = c.outputVocabSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, new long[]{out, h});
        m.put(EMBEDDINGS_LN_WEIGHT, new long[]{h});
        m.put(EMBEDDINGS_LN_BIAS, new long[]{h});
        if (c.c2p() || c.p2c()) {
            m.put(REL_EMBEDDINGS, new long[]{2L * c.effectiveMaxRelativePositions(), h});
        }
        for (int l = 0; l < c.numLayers(); l++) {
            m.put(layer(l, IN_PROJ), new long[]{3 * h, h});
            m.put(layer(l, Q_BIAS), new long[]{h});
            m.put(layer(l, V_BIAS), new long[]{h});
            if (c.c2p()) {
                m.put(layer(l, POS_PROJ), new long[]{h, h});
            }
            if (c.p2c()) {
                m.put(layer(l, POS_Q_PROJ_WEIGHT), new long[]{h, h});
                m.put(layer(l, POS_Q_PROJ_BIAS), new long[]{h});
            }
            m.put(layer(l, ATTN_OUT_WEIGHT), new long[]{h, h});
            m.put(layer(l, ATTN_OUT_BIAS), new long[]{h});
            m.put(layer(l, ATTN_LN_WEIGHT), new long[]{h});
            m.put(layer(l, ATTN_LN_BIAS), new long[]{h});
            m.put(layer(l, INTERMEDIATE_WEIGHT), new long[]{c.intermediateSize(), h});
            m.put(layer(l, INTERMEDIATE_BIAS), new long[]{c.intermediateSize()});
            m.put(layer(l, OUTPUT_WEIGHT), new long[]{h, c.intermediateSize()});
            m.put(layer(l, OUTPUT_BIAS), new long[]{h});
            m.put(layer(l, OUTPUT_LN_WEIGHT), new long[]{h});
            m.put(layer(l, OUTPUT_LN_BIAS), new long[]{h});
        }
        m.put(MLM_DENSE_WEIGHT, new long[]{h, h});
        m.put(MLM_DENSE_BIAS, new long[]{h});
        m.put(MLM_LN_WEIGHT, new long[]{h});
        m.put(MLM_LN_BIAS, new long[]{h});
        m.put(MLM_BIAS, new long[]{out});
        return m;
    }

    private static long[] optionalHeadShape(DebertaConfig c, String name, Map<String, INDArray> named) {
        long h = c.hiddenSize();
        switch (name) {
            case LATENT_TO_VOCAB_WEIGHT:
                return new long[]{c.vocabSize(), c.latentConcepts()};
            case LATENT_TO_VOCAB_BIAS:
                return new long[]{c.vocabSize()};
            case POOLER_WEIGHT:
                return new long[]{h, h};
            case POOLER_BIAS:
                return new long[]{h};
            case CLASSIFIER_WEIGHT: {
                INDArray b = named.get(CLASSIFIER_BIAS);
                return b == null ? null : new long[]{b.length(), h};
            }
            case CLASSIFIER_BIAS: {
                INDArray b = named.get(CLASSIFIER_BIAS);
                return b.rank() == 1 && b.length() >= 2 ? new long[]{b.length()} : null;
            }
            default:
                return null;
        }
    }

    private static INDArray checkedCopy(String name, INDArray a, long[] expected, DataType dt) {
        if (!Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(expected));
        }
        return a.castTo(dt).dup('c');
    }

    private static INDArray initialValue(String name, long[] shape, DebertaConfig c, long seed, DataType dt) {
        boolean ones = name.endsWith("LayerNorm.weight");
        boolean zeros = name.endsWith(".bias") || name.endsWith("q_bias") || name.endsWith("v_bias");
        if (ones) {
            return Nd4j.ones(dt, shape);
        }
        if (zeros) {
            return Nd4j.zeros(dt, shape);
        }
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        long len = 1;
        for (long s : shape) {
            len *= s;
        }
        double[] v = new double[Math.toIntExact(len)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian() * c.initializerRange();
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape(shape);
    }

    private static void requireFloating(DataType dt) {
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameters must be FLOAT or DOUBLE, got " + dt);
        }
    }
}
