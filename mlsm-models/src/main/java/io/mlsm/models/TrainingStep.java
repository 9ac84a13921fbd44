package io.mlsm.models;

import io.mlsm.models.graph.CompiledGraph;
import io.mlsm.models.graph.DropoutMasks;
import io.mlsm.models.loss.LossGraph;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
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

    StepResult run(TrainingObjective objective, TrainingBatch batch, Long dropoutSeed, boolean gradients) {
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
        CompiledGraph g = model.trainingGraph(objective, t, training);
        if (objective.usesTargetPositions() && n == 0) {
            return emptyStep(objective, g, gradients);
        }
        Map<String, INDArray> ph = new HashMap<>();
        g.sd().getVariable(IN_TOKEN_EMBEDDINGS).setArray(model.tokenEmbeddings(ids));              // [B*T, H]
        ph.put(IN_ATTENTION_MASK, batch.attentionMask().castTo(dt));                                 // [B, T]
        int rows = objective.usesTargetPositions() && objective.acceptsPaddedRows() ? paddedRows(n) : n;
        if (objective.usesTargetPositions()) {
            INDArray select = Nd4j.zeros(dt, rows, (long) bs * t);                                    // [N', B*T]
            int[] labelIds = new int[rows];                                                          // padding: 0
            int[] labels = batch.labels().castTo(DataType.INT32).reshape(-1).toIntVector();
            for (int i = 0; i < n; i++) {
                select.putScalar(i, targets[i], 1.0);
                labelIds[i] = labels[targets[i]];
            }
            if (g.sd().hasVariable(IN_TARGET_SELECT)) {
                ph.put(IN_TARGET_SELECT, select);
            }
            if (g.sd().hasVariable(IN_TARGET_LABELS)) {
                ph.put(IN_TARGET_LABELS, Nd4j.createFromArray(labelIds));                             // [N']
            }
            if (g.sd().hasVariable(IN_TARGET_WEIGHTS)) {
                INDArray w = Nd4j.zeros(dt, rows);                                                    // [N']
                w.get(NDArrayIndex.interval(0, n)).assign(1.0);
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
