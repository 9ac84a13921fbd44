package io.mlsm.models;

import io.mlsm.models.direct.DirectTraining;
import io.mlsm.models.graph.CompiledGraph;
import io.mlsm.models.graph.DropoutMasks;
import io.mlsm.models.loss.LossGraph;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.loss.MlmLoss;
import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * One training (or loss-evaluation) step of a {@link DebertaModel}: finds the target positions, lets every loss term
 * validate the batch, feeds the graph (token embeddings, mask, target selector and labels, the batch targets the
 * terms declared, term weights, dropout masks) and returns losses and gradients. The word-embedding gradient is
 * scatter-added from the gradient of the looked-up rows.
 */
final class TrainingStep {

    private final DebertaModel model;

    TrainingStep(DebertaModel model) {
        this.model = model;
    }

    /**
     * @param sums  null: the result's gradients are arrays the caller owns; otherwise {@code scale ×} the gradients
     *              are added into these arrays by parameter name (missing names are created) and the result's
     *              gradients are these arrays
     * @param scale factor of the accumulated gradients (1 / accumulation steps)
     */
    StepResult run(TrainingObjective objective, TrainingBatch batch, Long dropoutSeed, boolean gradients,
                   Map<String, INDArray> sums, double scale) {
        StepResult r = compute(objective, batch, dropoutSeed, gradients);
        DirectTraining owner = model.directTrainingIfBuilt();
        if (sums == null) {
            if (owner == null) {
                return r;
            }
            Map<String, INDArray> own = new LinkedHashMap<>();
            r.gradients().forEach((name, g) -> own.put(name, owner.owns(g) ? g.dup() : g));
            return new StepResult(r.losses(), own, r.targetCount());
        }
        r.gradients().forEach((name, g) -> {
            INDArray sum = sums.get(name);
            if (sum == null) {
                sums.put(name, scale == 1.0 ? g.dup() : g.mul(scale));
            } else if (scale == 1.0) {
                sum.addi(g);
            } else {
                Nd4j.getBlasWrapper().level1().axpy(g.length(), scale, g, sum);
            }
        });
        Map<String, INDArray> result = new LinkedHashMap<>();
        r.gradients().keySet().forEach(name -> result.put(name, sums.get(name)));
        return new StepResult(r.losses(), result, r.targetCount());
    }

    private StepResult compute(TrainingObjective objective, TrainingBatch batch, Long dropoutSeed, boolean gradients) {
        SameDiffWorkarounds.afterWork();
        DebertaConfig config = model.config();
        DataType dt = model.dataType();
        int bs = batch.batchSize();
        int t = batch.seqLen();
        int[] ids = model.checkedIds(batch.inputIds());
        int[] targets = objective.usesTargetPositions() ? targetPositions(batch, config.vocabSize()) : new int[0];
        int n = targets.length;
        for (LossTerm term : objective.weights().keySet()) {
            term.validate(model, batch, n);
        }
        boolean training = dropoutSeed != null;
        if (DirectTraining.serves(dt, config, t)) {
            return runDirect(objective, batch, ids, targets, dropoutSeed, gradients);
        }
        CompiledGraph g = model.trainingGraph(objective, t, training, false);
        if (objective.usesTargetPositions() && n == 0) {
            return emptyStep(objective, g, gradients);
        }
        Map<String, INDArray> ph = new HashMap<>();
        g.sd().getVariable(IN_TOKEN_EMBEDDINGS).setArray(model.tokenEmbeddings(ids));              // [B*T, H]
        ph.put(IN_ATTENTION_MASK, batch.attentionMask().castTo(dt));                                 // [B, T]
        int rows = objective.usesTargetPositions() && objective.acceptsPaddedRows() ? paddedRows(n) : n;
        if (objective.usesTargetPositions() && g.sd().hasVariable(IN_TARGET_SELECT)) {
            INDArray select = Nd4j.zeros(dt, rows, (long) bs * t);                                    // [N', B*T]
            for (int i = 0; i < n; i++) {
                select.putScalar(i, targets[i], 1.0);
            }
            ph.put(IN_TARGET_SELECT, select);
        }
        feedTargets(objective, batch, g, ph, targets, rows, dt);
        if (training) {
            DropoutMasks.fill(g, ph, config, dt, bs, t, dropoutSeed);
        }

        Map<String, INDArray> outputs;
        Map<String, INDArray> grads = new LinkedHashMap<>();
        if (gradients) {
            List<String> wrt = new ArrayList<>(g.trainable());
            boolean embTrained = objective.scope().trains(WORD_EMBEDDINGS);
            if (embTrained) {
                wrt.add(IN_TOKEN_EMBEDDINGS);
            }
            OutAndGrad og = SameDiffWorkarounds.outputsAndGradients(g.sd(), ph, g.outputs(), wrt);
            outputs = og.getOutputs();
            for (String name : g.trainable()) {
                grads.put(name, og.getGradients().get(name));
            }
            if (embTrained) {
                INDArray ge = grads.get(WORD_EMBEDDINGS);
                if (ge == null) {
                    ge = Nd4j.zeros(dt, model.parameter(WORD_EMBEDDINGS).shape());
                    grads.put(WORD_EMBEDDINGS, ge);
                }
                scatterAddRows(ge, ids, og.getGradients().get(IN_TOKEN_EMBEDDINGS));
            }
        } else {
            outputs = SameDiffWorkarounds.output(g.sd(), ph, g.outputs());
        }
        return result(objective, outputs, grads, n);
    }

    /**
     * The direct path: the encoder forward and backward by {@link DirectTraining}, the loss terms as a graph on its
     * output (the encoder output and the target rows are variables whose gradients flow back). Dropout masks come
     * from one generator seeded by {@code dropoutSeed}, the encoder's first in the training graph's order, so both
     * paths draw the same masks.
     */
    private StepResult runDirect(TrainingObjective objective, TrainingBatch batch, int[] ids, int[] targets,
                                 Long dropoutSeed, boolean gradients) {
        DebertaConfig config = model.config();
        DataType dt = model.dataType();
        int bs = batch.batchSize();
        int t = batch.seqLen();
        int n = targets.length;
        boolean training = dropoutSeed != null;
        DirectTraining encoder = model.directTraining();
        boolean encoderTrained = gradients && objective.scope().trains(WORD_EMBEDDINGS);
        if (isMlmAlone(objective) && n > 0) {
            return runDirectMlm(objective, batch, ids, targets, dropoutSeed, gradients, encoder);
        }
        CompiledGraph g = model.trainingGraph(objective, t, training, true);
        if (objective.usesTargetPositions() && n == 0) {
            StepResult empty = emptyStep(objective, g, gradients);
            if (encoderTrained) {
                for (String name : encoder.parameterNames()) {
                    empty.gradients().putIfAbsent(name, Nd4j.zeros(dt, model.parameter(name).shape()));
                }
            }
            return empty;
        }
        List<String> sites = new ArrayList<>(encoder.dropoutSites());
        sites.addAll(g.dropoutPlaceholders());
        Map<String, INDArray> masks = training ? drawMasks(sites, dropoutSeed, bs, t) : Map.of();
        INDArray last = encoder.forward(ids, DebertaModel.maskVector(batch.attentionMask()), bs, t,
                training ? site -> maskOf(masks, site) : null);
        INDArray lastRows = last.reshape(-1).get(NDArrayIndex.interval(0, (long) bs * t * config.hiddenSize()))
                .reshape((long) bs * t, config.hiddenSize());                                     // [B*T, H] view
        SameDiff sd = g.sd();
        Map<String, INDArray> ph = new HashMap<>();
        if (sd.hasVariable(IN_ATTENTION_MASK)) {
            ph.put(IN_ATTENTION_MASK, batch.attentionMask().castTo(dt));                             // [B, T]
        }
        if (sd.hasVariable(IN_LAST_HIDDEN)) {
            sd.getVariable(IN_LAST_HIDDEN).setArray(lastRows.dup());
        }
        int rows = objective.usesTargetPositions() && objective.acceptsPaddedRows() ? paddedRows(n) : n;
        if (sd.hasVariable(IN_TARGET_ROWS)) {
            INDArray picked = Nd4j.zeros(dt, rows, config.hiddenSize());                             // [N', H]
            if (n > 0) {
                picked.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(Nd4j.pullRows(lastRows, 1, targets));
            }
            sd.getVariable(IN_TARGET_ROWS).setArray(picked);
        }
        feedTargets(objective, batch, g, ph, targets, rows, dt);
        for (String site : g.dropoutPlaceholders()) {
            ph.put(site, maskOf(masks, site));
        }
        Map<String, INDArray> outputs;
        Map<String, INDArray> grads = new LinkedHashMap<>();
        if (gradients) {
            List<String> wrt = new ArrayList<>(g.trainable());
            for (String in : List.of(IN_LAST_HIDDEN, IN_TARGET_ROWS)) {
                if (encoderTrained && sd.hasVariable(in)) {
                    wrt.add(in);
                }
            }
            OutAndGrad og = SameDiffWorkarounds.outputsAndGradients(sd, ph, g.outputs(), wrt);
            outputs = og.getOutputs();
            for (String name : g.trainable()) {
                grads.put(name, og.getGradients().get(name));
            }
            if (encoderTrained) {
                INDArray dLast = sd.hasVariable(IN_LAST_HIDDEN) ? og.getGradients().get(IN_LAST_HIDDEN).dup()
                        : Nd4j.zeros(dt, (long) bs * t, config.hiddenSize());                       // [B*T, H]
                if (sd.hasVariable(IN_TARGET_ROWS) && n > 0) {
                    INDArray dRows = og.getGradients().get(IN_TARGET_ROWS)
                            .get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup();            // [N, H]
                    scatterAddRows(dLast, targets, dRows);
                }
                Map<String, INDArray> enc = encoder.backward(dLast);
                INDArray tokenRows = enc.remove(DirectTraining.TOKEN_EMBEDDING_ROWS);
                enc.forEach((name, grad) -> {
                    if (objective.scope().trains(name)) {
                        grads.merge(name, grad, INDArray::addi);
                    }
                });
                INDArray ge = grads.computeIfAbsent(WORD_EMBEDDINGS,
                        k -> Nd4j.zeros(dt, model.parameter(WORD_EMBEDDINGS).shape()));
                scatterAddRows(ge, ids, tokenRows);
            }
        } else {
            outputs = SameDiffWorkarounds.output(sd, ph, g.outputs());
        }
        return result(objective, outputs, grads, n);
    }

    /**
     * Feeds the labels and weights of the {@code rows} target rows ({@code n} real, the rest padding: label 0,
     * weight 0), every batch target the terms declared (row targets padded with zero rows) and the term weights.
     */
    private static void feedTargets(TrainingObjective objective, TrainingBatch batch, CompiledGraph g,
                                    Map<String, INDArray> ph, int[] targets, int rows, DataType dt) {
        int n = targets.length;
        if (objective.usesTargetPositions()) {
            if (g.sd().hasVariable(IN_TARGET_LABELS)) {
                int[] labelIds = new int[rows];                                                      // padding: 0
                int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
                for (int i = 0; i < n; i++) {
                    labelIds[i] = labels[targets[i]];
                }
                ph.put(IN_TARGET_LABELS, Nd4j.createFromArray(labelIds));                             // [N']
            }
            if (g.sd().hasVariable(IN_TARGET_WEIGHTS)) {
                INDArray w = Nd4j.zeros(dt, rows);                                                    // [N']
                if (n > 0) {
                    w.get(NDArrayIndex.interval(0, n)).assign(1.0);
                }
                ph.put(IN_TARGET_WEIGHTS, w);
            }
        }
        g.targetInputs().forEach((name, type) -> {
            INDArray value = batch.target(name).castTo(type);
            if (rows > n && g.rowTargets().contains(name)) {
                INDArray padded = Nd4j.zeros(type, rows, value.size(1));                              // [N', C]
                padded.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(value);
                value = padded;
            }
            ph.put(LossGraph.targetInput(name), type == DataType.INT32 ? value.reshape(-1) : value);
        });
        objective.weights().forEach((term, w) -> ph.put(lossWeight(term.key()), Nd4j.scalar(dt, w)));
    }

    /** @return whether the objective is MLM alone over all parameters (the loss the direct path computes itself) */
    private static boolean isMlmAlone(TrainingObjective objective) {
        return objective.weights().size() == 1 && objective.weights().keySet().iterator().next() instanceof MlmLoss
                && objective.scope() == TrainingObjective.Scope.ALL;
    }

    /** MLM alone: encoder, head and loss all by {@link DirectTraining}, no graph at all. */
    private StepResult runDirectMlm(TrainingObjective objective, TrainingBatch batch, int[] ids, int[] targets,
                                    Long dropoutSeed, boolean gradients, DirectTraining encoder) {
        DebertaConfig config = model.config();
        int bs = batch.batchSize();
        int t = batch.seqLen();
        LossTerm term = objective.weights().keySet().iterator().next();
        double weight = objective.weights().get(term);
        Map<String, INDArray> masks = dropoutSeed == null ? Map.of()
                : drawMasks(encoder.dropoutSites(), dropoutSeed, bs, t);
        encoder.forward(ids, DebertaModel.maskVector(batch.attentionMask()), bs, t,
                dropoutSeed == null ? null : site -> maskOf(masks, site));
        int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
        int[] labelIds = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            labelIds[i] = labels[targets[i]];
        }
        Map<String, INDArray> grads = new LinkedHashMap<>();
        INDArray dLast = gradients ? reusable("dLast", (long) bs * t, config.hiddenSize()).assign(0) : null;
        double loss = encoder.mlmLoss(targets, labelIds, (float) weight, gradients ? grads : null, dLast);
        if (gradients) {
            Map<String, INDArray> enc = encoder.backward(dLast);
            INDArray tokenRows = enc.remove(DirectTraining.TOKEN_EMBEDDING_ROWS);
            grads.putAll(enc);
            scatterAddRows(grads.get(WORD_EMBEDDINGS), ids, tokenRows);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put(term.key(), loss);
        losses.put(StepResult.TOTAL, weight * loss);
        return new StepResult(losses, grads, targets.length);
    }

    /**
     * Every dropout mask of a direct step, drawn in the training graph's order (its placeholders sorted by name: the
     * encoder's sites and the head graph's together), so that both paths see the same masks for a seed.
     */
    private Map<String, INDArray> drawMasks(java.util.Collection<String> names, long seed, int bs, int t) {
        java.util.TreeSet<String> sites = new java.util.TreeSet<>(names);
        Random rng = DropoutMasks.generator(seed);
        Map<String, INDArray> masks = new HashMap<>();
        for (String site : sites) {
            INDArray into = reusable("mask:" + site, DropoutMasks.shape(site, model.config(), bs, t));
            masks.put(site, DropoutMasks.drawInto(site, model.config(), bs, t, rng, into));
        }
        return masks;
    }

    /**
     * @return the array {@code key} of this exact shape in the model's data type, kept from step to step (contents
     *         undefined): dropout masks and the encoder-output gradient of the direct path, which fresh would cost
     *         their page faults every step
     */
    private INDArray reusable(String key, long... shape) {
        INDArray x = reusable.get(key);
        if (x == null || !java.util.Arrays.equals(x.shape(), shape)) {
            if (x != null) {
                x.close();
            }
            x = Nd4j.createUninitialized(model.dataType(), shape);
            reusable.put(key, x);
        }
        return x;
    }

    /** Frees the arrays kept between steps. */
    void release() {
        reusable.values().forEach(INDArray::close);
        reusable.clear();
    }

    private final Map<String, INDArray> reusable = new HashMap<>();

    private static INDArray maskOf(Map<String, INDArray> masks, String site) {
        INDArray m = masks.get(site);
        if (m == null) {
            throw new IllegalStateException("no dropout mask drawn for site '" + site + "'");
        }
        return m;
    }

    private static StepResult result(TrainingObjective objective, Map<String, INDArray> outputs,
                                     Map<String, INDArray> grads, int n) {
        Map<String, Double> losses = new LinkedHashMap<>();
        for (LossTerm term : objective.weights().keySet()) {
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
            for (String name : g.trainable()) {
                grads.put(name, Nd4j.zeros(model.dataType(), model.parameter(name).shape()));
            }
            if (objective.scope().trains(WORD_EMBEDDINGS)) {
                grads.putIfAbsent(WORD_EMBEDDINGS, Nd4j.zeros(model.dataType(),
                        model.parameter(WORD_EMBEDDINGS).shape()));
            }
        }
        return new StepResult(losses, grads, 0);
    }

    /**
     * Target rows fed for {@code n} target positions when every term accepts padding: {@code n} rounded up to a
     * multiple of {@link #ROW_BUCKET}, so that batches with slightly different target counts run on arrays of the same
     * shapes and the graph's buffers are reused (every [N, V] array of a batch with a new N was freshly allocated:
     * 0.6–0.8 s of a 4.5 s small-preset step).
     */
    static int paddedRows(int n) {
        return (n + ROW_BUCKET - 1) / ROW_BUCKET * ROW_BUCKET;
    }

    /** Granularity of the padded target-row count. */
    static final int ROW_BUCKET = 64;

    /** grad[ids[i]] += rows[i], in place (native scatter_add, repeated ids accumulate). */
    static void scatterAddRows(INDArray grad, int[] ids, INDArray rows) {
        INDArray idx = Nd4j.createFromArray(ids);
        Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(grad, idx, rows).addOutputs(grad).build());
    }

    /** @return flat positions {@code b * T + t} whose label is not −100, after checking every label */
    static int[] targetPositions(TrainingBatch batch, int vocabSize) {
        if (batch.labels() == null) {
            throw new IllegalArgumentException("the objective needs labels (−100 = no target)");
        }
        int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != TrainingBatch.IGNORE) {
                if (labels[i] < 0 || labels[i] >= vocabSize) {
                    throw new IllegalArgumentException("label " + labels[i] + " at flat position " + i
                            + " is neither −100 nor in [0, " + vocabSize + ")");
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
}
