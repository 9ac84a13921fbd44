package io.mlsm.models.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Binds model parameters (by Hugging Face name) into one SameDiff graph on first use: trainable ones as variables,
 * frozen ones as constants (so no gradient is computed through them). In a graph made by
 * {@link io.mlsm.models.samediff.SameDiffWorkarounds#newGraph()} the graph shares the model's arrays, so updating a parameter in place is seen
 * by every graph.
 *
 * <pre>{@code
 * ParameterBinding p = new ParameterBinding(SameDiffWorkarounds.newGraph(), params, n -> n.startsWith("cls."));
 * SDVariable w = p.get(VariableNames.MLM_DENSE_WEIGHT);
 * }</pre>
 */
public final class ParameterBinding {

    private final SameDiff sd;
    private final Map<String, INDArray> params;
    private final Predicate<String> trainable;
    private final Set<String> boundTrainable = new LinkedHashSet<>();

    /**
     * @param sd        graph
     * @param params    parameter arrays by name (shared, not copied)
     * @param trainable which parameters get gradients
     */
    public ParameterBinding(SameDiff sd, Map<String, INDArray> params, Predicate<String> trainable) {
        this.sd = sd;
        this.params = params;
        this.trainable = trainable;
    }

    /** @return the graph */
    public SameDiff sd() {
        return sd;
    }

    /**
     * @param name parameter name
     * @return its graph variable, created on first use
     * @throws IllegalArgumentException if the model has no such parameter
     */
    public SDVariable get(String name) {
        if (sd.hasVariable(name)) {
            return sd.getVariable(name);
        }
        INDArray arr = params.get(name);
        if (arr == null) {
            throw new IllegalArgumentException("model has no parameter '" + name + "'");
        }
        SDVariable v;
        if (trainable.test(name)) {
            boundTrainable.add(name);
            v = sd.var(name, arr);
        } else {
            v = sd.constant(name, arr);
        }
        v.setArray(arr);   // by reference when the graph uses a SharedArrayHolder
        return v;
    }

    /**
     * @param name parameter name
     * @return the model's array (not bound into the graph), e.g. to read a head's size
     * @throws IllegalArgumentException if the model has no such parameter
     */
    public INDArray array(String name) {
        INDArray arr = params.get(name);
        if (arr == null) {
            throw new IllegalArgumentException("model has no parameter '" + name + "'");
        }
        return arr;
    }

    /** @return the trainable parameters that the graph uses, in binding order */
    public Set<String> trainableBound() {
        return Collections.unmodifiableSet(boundTrainable);
    }
}
