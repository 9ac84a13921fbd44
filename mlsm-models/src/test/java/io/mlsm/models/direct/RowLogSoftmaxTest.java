package io.mlsm.models.direct;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowLogSoftmaxTest {

    @Test
    void matchesADoublePrecisionLogSoftmaxOverTheFirstColumns() {
        Random r = new Random(5);
        int rows = 37;
        int width = 611;
        float[][] x = new float[rows][width];
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < width; c++) {
                x[i][c] = (float) (r.nextGaussian() * 6);
            }
            targets[i] = r.nextInt(500);
        }
        INDArray logits = Nd4j.createFromArray(x);
        for (int columns : new int[] {500, width}) {
            float[] got = RowLogSoftmax.at(logits, columns, targets);
            for (int i = 0; i < rows; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < columns; c++) {
                    max = Math.max(max, x[i][c]);
                }
                double sum = 0;
                for (int c = 0; c < columns; c++) {
                    sum += Math.exp(x[i][c] - max);
                }
                double expected = x[i][targets[i]] - max - Math.log(sum);
                assertEquals(expected, got[i], 2e-6 * Math.max(1, Math.abs(expected)), "row " + i + ", " + columns);
            }
        }
    }

    @Test
    void extremeLogitsStayFinite() {
        INDArray logits = Nd4j.createFromArray(new float[][] {{1000f, 1000f}, {1000f, -1000f}});
        float[] got = RowLogSoftmax.at(logits, 2, new int[] {0, 1});
        assertEquals(Math.log(0.5), got[0], 1e-6);
        assertEquals(-2000.0, got[1], 1e-3);
    }

    @Test
    void badInputsAreRejected() {
        INDArray logits = Nd4j.createFromArray(new float[][] {{0f, 1f, 2f}});
        assertThrows(IllegalArgumentException.class, () -> RowLogSoftmax.at(logits, 2, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> RowLogSoftmax.at(logits, 4, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> RowLogSoftmax.at(logits, 3, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> RowLogSoftmax.at(logits.castTo(DataType.DOUBLE), 3, new int[] {0}));
        IllegalStateException nan = assertThrows(IllegalStateException.class,
                () -> RowLogSoftmax.at(Nd4j.createFromArray(new float[][] {{0f, Float.NaN}}), 2, new int[] {0}));
        assertTrue(nan.getMessage().contains("row 0"), nan.getMessage());
    }
}
