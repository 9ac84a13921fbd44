package io.mlsm.models.loss;

import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.heads.ClassificationHead;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static io.mlsm.models.graph.VariableNames.CLASSIFIER_BIAS;
import static io.mlsm.models.graph.VariableNames.CLASSIFIER_WEIGHT;
import static io.mlsm.models.graph.VariableNames.OUT_CLASS_LOGITS;

/**
 * Sequence classification as {@code DebertaForSequenceClassification}: cross-entropy of the class logits of the
 * {@code [CLS]} row, mean over the batch. Key {@code classification}; reads {@link Targets#CLASS_LABELS}
 * {@code [B]}. Needs the head ({@link DebertaModel#addClassificationHead(int, long)}).
 */
public record ClassificationLoss() implements LossTerm {

    @Override
    public String key() {
        return "classification";
    }

    @Override
    public boolean usesTargetPositions() {
        return false;
    }

    @Override
    public void validate(DebertaModel model, TrainingBatch batch, int targetCount) {
        Targets.requireParameter(model, CLASSIFIER_WEIGHT,
                "call addClassificationHead(numLabels, seed) or load a model that has a classification head");
        INDArray labels = batch.target(Targets.CLASS_LABELS);
        if (labels == null) {
            throw new IllegalArgumentException("classification needs class labels [B] (target '"
                    + Targets.CLASS_LABELS + "')");
        }
        if (labels.length() != batch.batchSize()) {
            throw new IllegalArgumentException("class labels must have B = " + batch.batchSize() + " entries, got "
                    + labels.length());
        }
        int c = (int) model.parameter(CLASSIFIER_BIAS).length();
        for (int y : labels.castTo(DataType.INT32).reshape(-1).toIntVector()) {
            if (y < 0 || y >= c) {
                throw new IllegalArgumentException("class label " + y + " outside [0, " + c + ")");
            }
        }
    }

    @Override
    public SDVariable build(LossGraph g) {
        SDVariable logits = g.sd().identity(OUT_CLASS_LOGITS, ClassificationHead.logits(g.parameters(),
                g.lastHidden(), g.seqLen(), g.config().hiddenSize(), g.training()));             // [B, C]
        SDVariable labels = g.target(Targets.CLASS_LABELS, DataType.INT32, -1);                   // [B]
        int classes = (int) g.parameters().array(CLASSIFIER_BIAS).length();
        return ObjectiveLosses.crossEntropy(g.sd(), logits, labels, classes);
    }
}
