package io.mlsm.models.loss;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.graph.ParameterBinding;
import io.mlsm.models.heads.ConceptHead;
import io.mlsm.models.heads.MlmHead;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * What a {@link LossTerm} builds its loss from: the training graph under construction, the parameters bound into it,
 * the encoder output, and shared head outputs at the target positions, each built on first request and reused by
 * every later term (MLM and KD share the vocabulary logits; MLSM and the latent-to-vocabulary head share the concept
 * logits). Made by the model for each training graph.
 *
 * <pre>{@code
 * SDVariable logits = g.vocabLogits();                                   // [N, V] at the target positions
 * SDVariable teacher = g.rowTarget(Targets.TEACHER_PROBS, g.config().vocabSize());      // [N, V]
 * return ObjectiveLosses.klDivergenceMean(g.sd(), logits, teacher, g.targetWeights());
 * }</pre>
 */
public final class LossGraph {

    private final ParameterBinding params;
    private final DebertaConfig config;
    private final DataType dataType;
    private SDVariable lastHidden;
    private final int seqLen;
    private final boolean training;
    private final boolean onEncoderOutput;
    private final Map<String, DataType> targetInputs = new LinkedHashMap<>();
    private final java.util.Set<String> rowTargets = new java.util.LinkedHashSet<>();
    private SDVariable targetWeights;
    private SDVariable targetRows;
    private SDVariable targetLabels;
    private SDVariable transformed;
    private SDVariable vocabLogits;
    private SDVariable conceptLogits;

    /**
     * @param params     parameter binding of the graph
     * @param config     architecture
     * @param lastHidden encoder output {@code [B*T, H]}
     * @param seqLen     T of this graph
     * @param training   whether dropout placeholders are built in
     */
    public LossGraph(ParameterBinding params, DebertaConfig config, SDVariable lastHidden, int seqLen,
                     boolean training) {
        this(params, config, lastHidden, lastHidden.dataType(), seqLen, training);
    }

    private LossGraph(ParameterBinding params, DebertaConfig config, SDVariable lastHidden, DataType dataType,
                      int seqLen, boolean training) {
        this.params = params;
        this.config = config;
        this.dataType = dataType;
        this.lastHidden = lastHidden;
        this.seqLen = seqLen;
        this.training = training;
        this.onEncoderOutput = lastHidden == null;
    }

    /**
     * A loss graph whose encoder ran outside it (the direct training path): the encoder output
     * ({@link io.mlsm.models.graph.VariableNames#IN_LAST_HIDDEN}) and the target rows ({@link io.mlsm.models.graph.VariableNames#IN_TARGET_ROWS}) are variables
     * set per call, each created only if a term asks for it, and the step requests their gradients.
     *
     * @param dataType the model's data type
     */
    public static LossGraph onEncoderOutput(ParameterBinding params, DebertaConfig config, DataType dataType,
                                            int seqLen, boolean training) {
        return new LossGraph(params, config, null, dataType, seqLen, training);
    }

    /** @return the graph */
    public SameDiff sd() {
        return params.sd();
    }

    /** @return parameters by Hugging Face name, bound on first use (trainable or frozen by the objective's scope) */
    public ParameterBinding parameters() {
        return params;
    }

    /** @return the architecture */
    public DebertaConfig config() {
        return config;
    }

    /** @return FLOAT or DOUBLE, the model's */
    public DataType dataType() {
        return dataType;
    }

    /** @return sequence length T of this graph */
    public int seqLen() {
        return seqLen;
    }

    /** @return whether this graph applies dropout (masks are placeholders named {@code dropout.*}) */
    public boolean training() {
        return training;
    }

    /** @return encoder output at every position {@code [B*T, H]} */
    public SDVariable lastHidden() {
        if (lastHidden == null) {
            lastHidden = sd().var(IN_LAST_HIDDEN, Nd4j.zeros(dataType, seqLen, config.hiddenSize()));
        }
        return lastHidden;
    }

    /** @return encoder output at the target positions {@code [N, H]} (a one-hot row selector times the output) */
    public SDVariable targetRows() {
        if (targetRows == null && onEncoderOutput) {
            targetRows = sd().var(IN_TARGET_ROWS, Nd4j.zeros(dataType, 1, config.hiddenSize()));     // [N, H]
        }
        if (targetRows == null) {
            SDVariable select = sd().placeHolder(IN_TARGET_SELECT, dataType, -1, -1);             // [N, B*T]
            targetRows = sd().mmul(select, lastHidden);                                           // [N, H]
        }
        return targetRows;
    }

    /**
     * @return target-row weights {@code [N]}: 1 for a target position, 0 for a padding row (all 1 when the step does
     *         not pad); reduce over target rows with these (see {@link LossTerm#acceptsPaddedRows})
     */
    public SDVariable targetWeights() {
        if (targetWeights == null) {
            targetWeights = sd().placeHolder(IN_TARGET_WEIGHTS, dataType, -1);                   // [N]
        }
        return targetWeights;
    }

    /** @return the label ids at the target positions {@code [N]} (int32) */
    public SDVariable targetLabels() {
        if (targetLabels == null) {
            targetLabels = sd().placeHolder(IN_TARGET_LABELS, DataType.INT32, -1);               // [N]
        }
        return targetLabels;
    }

    /** @return the MLM head's transform (dense, GELU, LayerNorm) of the target rows {@code [N, H]} */
    public SDVariable headTransform() {
        if (transformed == null) {
            transformed = MlmHead.transform(params, config, targetRows());                       // [N, H]
        }
        return transformed;
    }

    /** @return MLM vocabulary logits at the target positions {@code [N, V]} (output {@code out.logits}) */
    public SDVariable vocabLogits() {
        if (vocabLogits == null) {
            vocabLogits = sd().identity(OUT_LOGITS, MlmHead.vocabLogits(params, config, headTransform()));
        }
        return vocabLogits;
    }

    /** @return latent-concept logits at the target positions {@code [N, k]} (output {@code out.concept_logits}) */
    public SDVariable conceptLogits() {
        if (conceptLogits == null) {
            conceptLogits = sd().identity(OUT_CONCEPT_LOGITS, ConceptHead.logits(params, config, headTransform()));
        }
        return conceptLogits;
    }

    /**
     * A target of the batch as a placeholder in the model's data type, fed from {@code batch.target(name)}.
     *
     * @param name  target name ({@link Targets})
     * @param shape shape, {@code -1} for the row count
     * @return the placeholder (the same one for every term that asks)
     */
    public SDVariable target(String name, long... shape) {
        return target(name, dataType, shape);
    }

    /**
     * @param name  target name ({@link Targets})
     * @param type  data type the batch's array is cast to (e.g. INT32 for class ids)
     * @param shape shape, {@code -1} for the row count; rank 1 targets are flattened when fed
     * @return the placeholder {@code target.<name>}
     */
    public SDVariable target(String name, DataType type, long... shape) {
        String var = targetInput(name);
        if (sd().hasVariable(var)) {
            if (targetInputs.get(name) != type) {
                throw new IllegalArgumentException("target '" + name + "' is requested as " + type + " and as "
                        + targetInputs.get(name));
            }
            return sd().getVariable(var);
        }
        targetInputs.put(name, type);
        return sd().placeHolder(var, type, shape);
    }

    /**
     * A batch target with one row per target position, {@code [N, width]} in the model's data type: when the step
     * pads the target rows it appends all-zero rows to it.
     *
     * @param name  target name ({@link Targets})
     * @param width columns
     * @return the placeholder {@code target.<name>}
     */
    public SDVariable rowTarget(String name, long width) {
        rowTargets.add(name);
        return target(name, dataType, -1, width);
    }

    /** @return names of the targets declared with {@link #rowTarget} */
    public java.util.Set<String> rowTargets() {
        return Collections.unmodifiableSet(rowTargets);
    }

    /** @return targets the graph reads, with the data type each is fed as */
    public Map<String, DataType> targetInputs() {
        return Collections.unmodifiableMap(targetInputs);
    }

    /** @return the placeholder name of a batch target */
    public static String targetInput(String name) {
        return io.mlsm.models.graph.VariableNames.TARGET_PREFIX + name;
    }
}
