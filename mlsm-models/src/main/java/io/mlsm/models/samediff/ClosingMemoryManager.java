package io.mlsm.models.samediff;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff session memory manager that frees an intermediate array's off-heap memory as soon as the session
 * releases it. SameDiff's default ({@code ArrayCacheMemoryMgr}) keeps released arrays in a cache for reuse and leaves
 * the rest to garbage collection, which lets a training step's off-heap memory grow far beyond its live set.
 * Counts allocations and releases so the effect can be measured.
 *
 * <pre>{@code
 * InferenceSession s = new InferenceSession(sd);
 * s.setMmgr(new ClosingMemoryManager());
 * }</pre>
 */
final class ClosingMemoryManager extends AbstractMemoryMgr {

    private final java.util.List<INDArray> live = new java.util.ArrayList<>();
    private long allocated;
    private long released;
    private long closed;

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        allocated++;
        INDArray a = Nd4j.createUninitializedDetached(dataType, shape);
        live.add(a);
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public void release(INDArray array) {
        released++;
        if (array != null && !array.wasClosed() && array.closeable() && !array.isView()) {
            array.close();
            closed++;
        }
    }

    @Override
    public void close() {
        // nothing cached
    }

    /**
     * Closes every array this manager allocated except those sharing a data buffer with {@code keep} (the results
     * handed to the caller). Call after the execution, when the session is no longer used.
     *
     * @param keep arrays that must stay valid
     */
    void closeAllExcept(java.util.Collection<INDArray> keep) {
        java.util.Set<org.nd4j.linalg.api.buffer.DataBuffer> kept =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray k : keep) {
            if (k != null) {
                kept.add(root(k.data()));
            }
        }
        for (INDArray a : live) {
            org.nd4j.linalg.api.buffer.DataBuffer b = root(a.data());
            if (!kept.contains(b) && !b.wasClosed() && b.closeable()) {
                b.close();
                closed++;
            }
        }
        live.clear();
    }

    private static org.nd4j.linalg.api.buffer.DataBuffer root(org.nd4j.linalg.api.buffer.DataBuffer b) {
        org.nd4j.linalg.api.buffer.DataBuffer r = b;
        while (r.underlyingDataBuffer() != null && r.underlyingDataBuffer() != r) {
            r = r.underlyingDataBuffer();
        }
        return r;
    }

    /** @return "allocated / released / closed" counts since creation */
    String counts() {
        return allocated + " allocated, " + released + " released, " + closed + " closed";
    }
}
