package io.mlsm.models;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Result of {@link DebertaModel#computeGradients}: unweighted loss terms by key ({@code mlm}, {@code kd},
 * {@code mlsm}, {@code latent_to_vocab}, {@code classification}) plus {@code total} (the weighted sum the gradients
 * belong to), and the gradients of {@code total} by parameter name for the trained parameters only.
 *
 * <pre>{@code
 * StepResult r = model.computeGradients(TrainingObjective.mlm(), batch, seed);
 * double loss = r.total();
 * INDArray g = r.gradients().get(VariableNames.WORD_EMBEDDINGS);
 * }</pre>
 *
 * @param losses      loss terms and {@code total}
 * @param gradients   gradient per trained parameter (same shape as the parameter, fresh arrays owned by the caller)
 * @param targetCount number of target positions in the batch
 */
public record StepResult(Map<String, Double> losses, Map<String, INDArray> gradients, int targetCount) {

    /** Key of the weighted total in {@link #losses()}. */
    public static final String TOTAL = "total";

    public StepResult {
        losses = ordered(losses);
        gradients = ordered(gradients);
    }

    /**
     * An unmodifiable copy in the caller's order ({@code Map.copyOf} iterates in an order that changes from one JVM to
     * the next, which reordered the loss columns of a resumed run's metrics CSV); nulls are rejected as before.
     */
    private static <V> Map<String, V> ordered(Map<String, V> m) {
        Map<String, V> copy = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(java.util.Objects.requireNonNull(k, "key"),
                java.util.Objects.requireNonNull(v, k)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** @return the weighted total loss */
    public double total() {
        return losses.get(TOTAL);
    }
}
