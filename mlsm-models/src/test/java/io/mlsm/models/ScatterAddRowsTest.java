package io.mlsm.models;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The word-embedding gradient is accumulated with scatter-add over repeated token ids: it must count every
 * occurrence (no lost updates from parallel writes to one row) and be the same on every run.
 */
class ScatterAddRowsTest {

    @Test
    void repeatedIdsAccumulateExactlyAndDeterministically() {
        int vocab = 7;
        int h = 96;
        int n = 20_000;
        SplittableRandom r = new SplittableRandom(1);
        int[] ids = new int[n];
        long[] counts = new long[vocab];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
            counts[ids[i]]++;
        }
        INDArray ones = Nd4j.ones(DataType.FLOAT, n, h);
        INDArray grad = Nd4j.zeros(DataType.FLOAT, vocab, h);
        TrainingStep.scatterAddRows(grad, ids, ones);
        for (int v = 0; v < vocab; v++) {
            for (int j = 0; j < h; j++) {
                assertEquals(counts[v], grad.getFloat(v, j), 0f, "row " + v + " column " + j);
            }
        }
        INDArray noisy = Nd4j.rand(DataType.FLOAT, n, h);
        INDArray first = Nd4j.zeros(DataType.FLOAT, vocab, h);
        TrainingStep.scatterAddRows(first, ids, noisy);
        for (int rep = 0; rep < 5; rep++) {
            INDArray again = Nd4j.zeros(DataType.FLOAT, vocab, h);
            TrainingStep.scatterAddRows(again, ids, noisy);
            assertEquals(first, again, "scatter-add must be deterministic");
        }
    }
}
