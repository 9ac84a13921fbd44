package io.mlsm.models.graph;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A built graph and what running it needs: the outputs to fetch, the trainable parameters to differentiate, the
 * dropout-mask placeholders to fill and the batch targets to feed.
 *
 * @param sd                  the graph
 * @param outputs             output variable names, in fetch order
 * @param trainable           trainable parameters the graph uses (empty for inference)
 * @param dropoutPlaceholders placeholders named {@code dropout.*}
 * @param targetInputs        batch target name → data type it is fed as (placeholder {@code target.<name>})
 * @param rowTargets          the targets among them with one row per target position (padded with the rows)
 */
public record CompiledGraph(SameDiff sd, List<String> outputs, List<String> trainable,
                            List<String> dropoutPlaceholders, Map<String, DataType> targetInputs,
                            java.util.Set<String> rowTargets) {

    public CompiledGraph {
        outputs = List.copyOf(outputs);
        trainable = List.copyOf(trainable);
        dropoutPlaceholders = List.copyOf(dropoutPlaceholders);
        targetInputs = Map.copyOf(targetInputs);
        rowTargets = java.util.Set.copyOf(rowTargets);
    }

    /** @return a graph with its dropout placeholders found by name and no row targets */
    public static CompiledGraph of(SameDiff sd, List<String> outputs, List<String> trainable,
                                   Map<String, DataType> targetInputs) {
        return of(sd, outputs, trainable, targetInputs, java.util.Set.of());
    }

    /**
     * @return a graph with its dropout placeholders found by name
     */
    public static CompiledGraph of(SameDiff sd, List<String> outputs, List<String> trainable,
                                   Map<String, DataType> targetInputs, java.util.Set<String> rowTargets) {
        List<String> drops = new ArrayList<>();
        for (String in : sd.inputs()) {
            if (in.startsWith(VariableNames.DROPOUT_PREFIX)) {
                drops.add(in);
            }
        }
        drops.sort(null);       // masks are drawn in name order (the direct training path draws in the same order)
        return new CompiledGraph(sd, outputs, trainable, drops, targetInputs, rowTargets);
    }

    /** @return an inference graph: no trainable parameters, no targets */
    public static CompiledGraph inference(SameDiff sd, List<String> outputs) {
        return of(sd, outputs, List.of(), Map.of());
    }
}
