package io.mlsm.models;

import io.mlsm.models.graph.CompiledGraph;
import io.mlsm.models.graph.EncoderGraph;
import io.mlsm.models.graph.ParameterBinding;
import io.mlsm.models.heads.ClassificationHead;
import io.mlsm.models.heads.ConceptHead;
import io.mlsm.models.heads.LatentToVocabHead;
import io.mlsm.models.heads.MlmHead;
import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Inference graphs (no dropout, every parameter a constant): the encoder's hidden states, optionally with the full
 * MLM (and concept) logits, or one head's output: vocabulary logits (or all {@code V + k} output logits) at selected
 * rows, or class logits.
 */
final class InferenceGraphs {

    /** What an inference graph outputs. */
    enum Kind {
        /** All hidden states. */
        HIDDEN_STATES,
        /** All hidden states plus vocabulary (and concept) logits at every position. */
        LOGITS,
        /** MLM vocabulary logits at selected rows. */
        MLM_AT,
        /** Every output row of the MLM decoder (vocabulary then concepts, {@code V + k}) at selected rows. */
        OUTPUTS_AT,
        /** Latent-to-vocabulary logits at selected rows. */
        LATENT_TO_VOCAB_AT,
        /** Class logits. */
        CLASSES
    }

    /** Cache key of an inference graph. */
    record Key(Kind kind, int seqLen) {
    }

    private InferenceGraphs() {
    }

    static CompiledGraph build(Key key, Map<String, INDArray> params, DebertaConfig config, DataType dataType) {
        SameDiff sd = SameDiffWorkarounds.newInferenceGraph();
        ParameterBinding p = new ParameterBinding(sd, params, name -> false);
        boolean atRows = switch (key.kind()) {
            case MLM_AT, OUTPUTS_AT, LATENT_TO_VOCAB_AT -> true;
            default -> false;
        };
        // heads at selected rows: the last layer is finished at those rows only (its output is [N, H])
        SDVariable select = atRows ? sd.placeHolder(IN_TARGET_SELECT, dataType, -1, -1) : null;       // [N, B*T]
        EncoderGraph enc = atRows
                ? EncoderGraph.buildAtRows(p, config, key.seqLen(), select)
                : EncoderGraph.build(p, config, key.seqLen(), false, false);
        SDVariable last = enc.hiddenStates().get(config.numLayers());                        // [B*T, H] or [N, H]
        List<String> outputs = new ArrayList<>();
        switch (key.kind()) {
            case HIDDEN_STATES, LOGITS -> {
                for (int i = 0; i <= config.numLayers(); i++) {
                    outputs.add(hiddenState(i));
                }
                if (key.kind() == Kind.LOGITS) {
                    SDVariable tr = MlmHead.transform(p, config, last);                               // [B*T, H]
                    sd.identity(OUT_LOGITS, MlmHead.vocabLogits(p, config, tr));                      // [B*T, V]
                    outputs.add(OUT_LOGITS);
                    if (config.latentConcepts() > 0) {
                        sd.identity(OUT_CONCEPT_LOGITS, ConceptHead.logits(p, config, tr));           // [B*T, k]
                        outputs.add(OUT_CONCEPT_LOGITS);
                    }
                }
            }
            case CLASSES -> {
                sd.identity(OUT_CLASS_LOGITS, ClassificationHead.logits(p, last, key.seqLen(),
                        config.hiddenSize(), false));                                                 // [B, C]
                outputs.add(OUT_CLASS_LOGITS);
            }
            case MLM_AT, OUTPUTS_AT, LATENT_TO_VOCAB_AT -> {
                SDVariable tr = MlmHead.transform(p, config, last);                                   // [N, H]
                SDVariable vocab = switch (key.kind()) {
                    case LATENT_TO_VOCAB_AT ->
                            LatentToVocabHead.logits(p, ConceptHead.logits(p, config, tr));           // [N, V]
                    case OUTPUTS_AT -> MlmHead.outputLogits(p, config, tr);                           // [N, V+k]
                    default -> MlmHead.vocabLogits(p, config, tr);                                    // [N, V]
                };
                sd.identity(OUT_LOGITS, vocab);
                outputs.add(OUT_LOGITS);
            }
            default -> throw new IllegalStateException("unknown graph kind " + key.kind());
        }
        SameDiffWorkarounds.closeSessionArrays(sd);
        return CompiledGraph.inference(sd, outputs);
    }
}
