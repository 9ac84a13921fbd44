/**
 * SameDiff graph construction for the DeBERTa v1 encoder: variable names ({@link io.mlsm.models.graph.VariableNames}),
 * building blocks with exact numerics ({@link io.mlsm.models.graph.LayerBlocks}), the exact relative-shift
 * formulation of the c2p / p2c terms ({@link io.mlsm.models.graph.RelativePositionTerms}), the encoder in sub-steps
 * ({@link io.mlsm.models.graph.EncoderGraph}), parameter binding by reference
 * ({@link io.mlsm.models.graph.ParameterBinding}), built graphs and their cache
 * ({@link io.mlsm.models.graph.CompiledGraph}, {@link io.mlsm.models.graph.GraphCache}) and seeded dropout masks
 * ({@link io.mlsm.models.graph.DropoutMasks}).
 *
 * <pre>{@code
 * SameDiff sd = SameDiffWorkarounds.newGraph();
 * EncoderGraph enc = EncoderGraph.build(new ParameterBinding(sd, params, n -> true), config, 128, true, true);
 * }</pre>
 */
package io.mlsm.models.graph;
