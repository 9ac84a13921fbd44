package io.mlsm.eval.sweep;

import io.mlsm.eval.EvalProgressListener;

import java.io.IOException;
import java.util.LinkedHashMap;

/**
 * Evaluates one model into named scores (table rows, in order).
 *
 * @param <M> the model type
 */
@FunctionalInterface
public interface Evaluation<M> {

    /** @return row name → score, in table order; rows a model cannot be scored on are left out */
    LinkedHashMap<String, Double> evaluate(M model, EvalProgressListener listener) throws IOException;
}
