package io.mlsm.models;

import io.mlsm.models.TrainingObjective.Scope;
import io.mlsm.models.graph.CompiledGraph;
import io.mlsm.models.graph.EncoderGraph;
import io.mlsm.models.graph.ParameterBinding;
import io.mlsm.models.loss.LossGraph;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static io.mlsm.models.graph.VariableNames.*;

/**
 * Training graphs: the encoder, then every loss term of the objective built on a shared {@link LossGraph}, their
 * weighted sum {@code loss.total} (weights are scalar placeholders {@code loss_weight.<key>}, so one graph serves
 * every weighting) and its gradient function. Parameters outside the objective's scope are constants. On the direct
 * training path the graph holds the loss terms only, on the encoder output computed outside it.
 */
final class TrainingGraphs {

    /**
     * Cache key of a training graph: the terms (in order), the scope, T, dropout on or off, and whether the graph
     * holds the encoder or only the loss terms on its output (the direct training path).
     */
    record Key(List<LossTerm> terms, Scope scope, int seqLen, boolean dropout, boolean onEncoderOutput) {
        Key {
            terms = List.copyOf(terms);
        }
    }

    private TrainingGraphs() {
    }

    static CompiledGraph build(Key key, Map<String, INDArray> params, DebertaConfig config) {
        SameDiff sd = SameDiffWorkarounds.newGraph();
        ParameterBinding p = new ParameterBinding(sd, params, key.scope()::trains);
        LossGraph g;
        if (key.onEncoderOutput()) {
            g = LossGraph.onEncoderOutput(p, config, params.get(WORD_EMBEDDINGS).dataType(), key.seqLen(),
                    key.dropout());
        } else {
            EncoderGraph enc = EncoderGraph.build(p, config, key.seqLen(), key.dropout(), true);
            g = new LossGraph(p, config, enc.hiddenStates().get(config.numLayers()), key.seqLen(), key.dropout());
        }
        DataType dt = g.dataType();
        SDVariable total = null;
        List<String> outputs = new ArrayList<>();
        for (LossTerm term : key.terms()) {
            SDVariable named = sd.identity(loss(term.key()), term.build(g));                       // []
            outputs.add(named.name());
            SDVariable weighted = named.mul(sd.placeHolder(lossWeight(term.key()), dt));
            total = total == null ? weighted : total.add(weighted);
        }
        sd.identity(LOSS_TOTAL, total);
        outputs.add(LOSS_TOTAL);
        sd.setLossVariables(LOSS_TOTAL);
        sd.createGradFunction();
        SameDiffWorkarounds.closeSessionArrays(sd);
        SameDiffWorkarounds.closeSessionArrays(sd.getFunction("grad"));
        List<String> trainable = new ArrayList<>(new LinkedHashSet<>(p.trainableBound()));
        return CompiledGraph.of(sd, outputs, trainable, g.targetInputs(), g.rowTargets());
    }
}
