package io.mlsm.eval.finetune;

/**
 * The model side of fine-tuning: a sequence classifier (e.g. DeBERTa with a head on {@code [CLS]}) that takes one
 * optimizer step per batch (AdamW in the real implementation) and predicts classes. Batches are right-padded with
 * {@code <pad>} and attention mask 0.
 *
 * <pre>{@code
 * ClassifierFactory factory = (numLabels, seed) -> new DebertaClassifier(pretrained, numLabels, seed);
 * }</pre>
 */
public interface TrainableClassifier {

    /**
     * One optimizer step on a batch.
     *
     * @param ids           token ids {@code [B][T]}
     * @param attentionMask 1 for real tokens, 0 for padding {@code [B][T]}
     * @param labels        class per row {@code [B]}
     * @param learningRate  the learning rate of this step (the schedule is applied by the caller)
     * @return the mean training loss of the batch
     */
    double trainStep(int[][] ids, int[][] attentionMask, int[] labels, double learningRate);

    /** @return the predicted class per row {@code [B]} */
    int[] predict(int[][] ids, int[][] attentionMask);

    /** @return a copy of the trainable state, to come back to the best validation point */
    Object saveState();

    /** Restores a state returned by {@link #saveState()}. */
    void loadState(Object state);

    /** Creates a fresh classifier (pre-trained encoder + newly initialised head) for one seed. */
    @FunctionalInterface
    interface Factory {
        TrainableClassifier create(int numLabels, long seed);
    }
}
