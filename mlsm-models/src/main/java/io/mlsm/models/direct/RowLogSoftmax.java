package io.mlsm.models.direct;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * {@code log softmax(logits[r, 0..columns))[targets[r]]} per row of a dense float32 matrix, without allocating: the
 * row maximum, then the exponentials by {@link FloatKernels#exp} (vectorised, within 2e-7 relative) summed in
 * double. Rows run in parallel. What pseudo-log-likelihood scoring needs from a {@code [B, V]} or {@code [B, V + k]}
 * block of logits: before this, the ND4J ops allocated three {@code [B, V]} temporaries per batch (one in double),
 * and a scoring run spent a fifth of its time in fresh native allocations.
 */
public final class RowLogSoftmax {

    private RowLogSoftmax() {
    }

    /**
     * @param logits  dense row-major float32 {@code [B, C]}
     * @param columns normalise over the first {@code columns ≤ C} columns of each row
     * @param targets one column per row, each in {@code [0, columns)}
     * @return the log-probability of each row's target
     * @throws IllegalArgumentException on a non-dense or non-float32 array, a size mismatch or a target out of range
     * @throws IllegalStateException when a row holds NaN logits
     */
    public static float[] at(INDArray logits, int columns, int[] targets) {
        if (logits.dataType() != DataType.FLOAT || logits.rank() != 2 || logits.isView() || logits.ordering() != 'c') {
            throw new IllegalArgumentException("logits must be a dense row-major float32 matrix, got "
                    + logits.dataType() + " " + logits.shapeInfoToString());
        }
        int rows = (int) logits.rows();
        int width = (int) logits.columns();
        if (targets.length != rows || columns < 1 || columns > width) {
            throw new IllegalArgumentException("logits [" + rows + ", " + width + "]: expected " + rows
                    + " targets and 1 ≤ columns ≤ " + width + ", got " + targets.length + " targets and columns "
                    + columns);
        }
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0 || targets[r] >= columns) {
                throw new IllegalArgumentException("target " + targets[r] + " of row " + r + " is outside [0, "
                        + columns + ")");
            }
        }
        FloatBuffer buf = logits.data().asNioFloat();
        float[] out = new float[rows];
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = new float[columns];
            float[] tmp = new float[columns];
            buf.get(r * width, row);
            float max = Float.NEGATIVE_INFINITY;
            boolean nan = false;
            for (float v : row) {
                nan |= v != v;
                max = v > max ? v : max;
            }
            if (nan) {
                throw new IllegalStateException("NaN log-probability in row " + r + " (NaN logits from the model)");
            }
            float target = row[targets[r]] - max;
            for (int c = 0; c < columns; c++) {
                row[c] -= max;
            }
            FloatKernels.exp(row, row, tmp, columns);
            double sum = 0;
            for (float v : row) {
                sum += v;
            }
            out[r] = (float) (target - Math.log(sum));
        });
        return out;
    }
}
