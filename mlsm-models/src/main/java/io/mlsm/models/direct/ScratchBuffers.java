package io.mlsm.models.direct;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * Named float32 scratch buffers kept between passes and grown to the largest request: a fresh native array costs
 * its page faults on first touch (9.6 ms for 16 MB on the 2-core build box), so the direct paths reuse theirs.
 */
final class ScratchBuffers implements AutoCloseable {

    private final Map<String, INDArray> buffers = new HashMap<>();

    /** @return the buffer {@code name} with at least {@code elements} floats (contents undefined) */
    INDArray get(String name, long elements) {
        INDArray x = buffers.get(name);
        if (x == null || x.length() < elements) {
            if (x != null) {
                x.close();
            }
            x = Nd4j.createUninitialized(DataType.FLOAT, Math.max(elements, 1));
            buffers.put(name, x);
        }
        return x;
    }

    /** @return bytes held */
    long bytes() {
        return buffers.values().stream().mapToLong(x -> x.length() * 4L).sum();
    }

    /** Frees every buffer; the instance stays usable. */
    @Override
    public void close() {
        for (INDArray x : buffers.values()) {
            x.close();
        }
        buffers.clear();
    }
}
