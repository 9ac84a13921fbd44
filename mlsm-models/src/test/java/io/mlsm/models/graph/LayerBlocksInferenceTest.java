package io.mlsm.models.graph;

import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In a graph marked as never differentiated, the row and column broadcasts of {@link LayerBlocks} are single
 * broadcasting ops; the values equal the outer-product form of a training graph bit for bit.
 */
class LayerBlocksInferenceTest {

    /** A dense layer followed by LayerNorm, the shape of every DeBERTa sub-layer, on random weights. */
    private static SameDiff build(SameDiff sd, Map<String, INDArray> w) {
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 16);
        SDVariable y = LayerBlocks.linear(sd, x, sd.constant("w", w.get("w")), sd.constant("b", w.get("b")));
        LayerBlocks.layerNorm(sd, y, sd.constant("g", w.get("g")), sd.constant("beta", w.get("beta")), 1e-7)
                .rename("out");
        return sd;
    }

    @Test
    void inferenceGraphUsesFewerOpsAndGivesIdenticalValues() {
        Nd4j.getRandom().setSeed(11);
        Map<String, INDArray> w = Map.of("w", Nd4j.randn(DataType.FLOAT, 24, 16), "b", Nd4j.randn(DataType.FLOAT, 24),
                "g", Nd4j.rand(DataType.FLOAT, 24).addi(0.5), "beta", Nd4j.randn(DataType.FLOAT, 24));
        SameDiff training = build(SameDiffWorkarounds.newGraph(), w);
        SameDiff inference = build(SameDiffWorkarounds.newInferenceGraph(), w);
        assertFalse(SameDiffWorkarounds.isInferenceGraph(training));
        assertTrue(SameDiffWorkarounds.isInferenceGraph(inference));
        // four broadcasts: the dense bias, LayerNorm gain and bias (seven ops each as outer products) and the LayerNorm
        // scale (two ops); one op each as broadcasts, 19 fewer in all
        int trainingOps = training.getOps().size();
        int inferenceOps = inference.getOps().size();
        assertEquals(trainingOps - 19, inferenceOps, "inference graph has " + inferenceOps + " ops, the training "
                + "form " + trainingOps);
        for (int rows : new int[] {1, 7, 33}) {
            INDArray x = Nd4j.randn(DataType.FLOAT, rows, 16);
            INDArray a = training.output(Map.of("x", x), "out").get("out");
            INDArray b = inference.output(Map.of("x", x), "out").get("out");
            assertArrayEquals(new long[] {rows, 24}, b.shape());
            assertArrayEquals(a.reshape(-1).toFloatVector(), b.reshape(-1).toFloatVector(), 0f, "rows " + rows);
        }
    }
}
