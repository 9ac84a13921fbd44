package io.mlsm.models.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Rejects tensors holding NaN or infinity as they are loaded: one pass over the buffer, no copy for the float32
 * arrays the readers create (a copy to the heap otherwise). Integer tensors are always finite.
 *
 * <pre>{@code
 * INDArray w = reader.readFloat(name);
 * FiniteTensors.require(reader.file(), name, w);   // CheckpointFormatException: "...: tensor 'x' has 2 non-finite
 *                                                  //  values of 4096 (first at flat index 17: NaN)"
 * }</pre>
 */
final class FiniteTensors {

    private FiniteTensors() {
    }

    /**
     * @param file   the file it came from, for the message
     * @param tensor the tensor's name
     * @param a      the values
     * @throws CheckpointFormatException naming file and tensor, the number of non-finite values, the first index
     *                                   (flat, 'c' order) and its value
     */
    static void require(Object file, String tensor, INDArray a) throws CheckpointFormatException {
        DataType t = a.dataType();
        if (!t.isFPType() || a.isEmpty()) {
            return;
        }
        long n = a.length();
        long count = 0;
        long first = -1;
        double firstValue = 0;
        if ((t == DataType.FLOAT || t == DataType.DOUBLE) && SafetensorsReader.DIRECT && a.ordering() == 'c'
                && a.offset() == 0 && a.data().length() == n && !a.isView()) {
            if (t == DataType.FLOAT) {
                FloatBuffer b = a.data().asNio().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    float v = b.get(i);
                    if (!Float.isFinite(v)) {
                        if (count++ == 0) {
                            first = i;
                            firstValue = v;
                        }
                    }
                }
            } else {
                DoubleBuffer b = a.data().asNio().duplicate().order(ByteOrder.nativeOrder()).asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    double v = b.get(i);
                    if (!Double.isFinite(v)) {
                        if (count++ == 0) {
                            first = i;
                            firstValue = v;
                        }
                    }
                }
            }
        } else {
            double[] v = a.dup('c').data().asDouble();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    if (count++ == 0) {
                        first = i;
                        firstValue = v[i];
                    }
                }
            }
        }
        if (count > 0) {
            throw new CheckpointFormatException(file + ": tensor '" + tensor + "' has " + count
                    + " non-finite value" + (count == 1 ? "" : "s") + " of " + n + " (first at flat index " + first
                    + ": " + firstValue + "); the weights are corrupt or come from a diverged run");
        }
    }
}
