package io.mlsm.models.samediff;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * SameDiff session memory manager that hands an intermediate array's off-heap buffer back to its graph's
 * {@link BufferPool} as soon as the session releases it, and allocates from that pool. SameDiff's default
 * ({@code ArrayCacheMemoryMgr}) keeps released arrays in a cache and leaves the rest to garbage collection, which let
 * a training step's off-heap memory grow far beyond its live set; the pool is bounded and frees what it does not
 * reuse. Counts allocations and releases so the effect can be measured.
 *
 * <pre>{@code
 * InferenceSession s = new InferenceSession(sd);
 * s.setMmgr(new ClosingMemoryManager(pool));
 * }</pre>
 */
final class ClosingMemoryManager extends AbstractMemoryMgr {

    private final BufferPool pool;
    /** Arrays this manager allocated, with the lease of their buffer. */
    private final Map<INDArray, Long> live = new IdentityHashMap<>();
    private long allocated;
    private long released;
    private long newNanos;
    private long newBytes;

    /** @param pool the graph's buffer pool */
    ClosingMemoryManager(BufferPool pool) {
        this.pool = pool;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        allocated++;
        long length = 1;
        for (long s : shape) {
            length *= s;
        }
        if (length == 0) {
            return Nd4j.createUninitializedDetached(dataType, shape);   // empty: no buffer to pool
        }
        DataBuffer b = pool.take(dataType, length);
        INDArray a;
        if (b != null) {
            a = Nd4j.create(b, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', dataType);
        } else {
            long t0 = System.nanoTime();
            a = Nd4j.createUninitializedDetached(dataType, shape);
            newNanos += System.nanoTime() - t0;
            newBytes += length * dataType.width();
            pool.lease(BufferPool.root(a.data()));
        }
        live.put(a, pool.leaseOf(BufferPool.root(a.data())));
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public void release(INDArray array) {
        released++;
        if (array == null || array.isEmpty() || array.wasClosed() || !array.closeable() || array.isView()) {
            return;
        }
        Long lease = live.get(array);
        pool.give(BufferPool.root(array.data()), lease == null ? 0 : lease);
    }

    @Override
    public void close() {
        // the pool outlives the session
    }

    /**
     * Gives back every buffer this manager allocated except those shared with {@code keep} (the results handed to
     * the caller), which leave the pool's custody, and ends the pool's execution. Call after the execution, when the
     * session is no longer used.
     *
     * @param keep arrays that must stay valid
     */
    void closeAllExcept(Collection<INDArray> keep) {
        Set<DataBuffer> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (INDArray k : keep) {
            if (k != null) {
                kept.add(BufferPool.root(k.data()));
            }
        }
        for (Map.Entry<INDArray, Long> e : live.entrySet()) {
            DataBuffer b = BufferPool.root(e.getKey().data());
            if (kept.contains(b)) {
                pool.dropLease(b, e.getValue());
            } else {
                pool.give(b, e.getValue());
            }
        }
        live.clear();
        pool.endExecution();
    }

    /** @return "allocated / released" counts since creation and the pool's */
    String counts() {
        return allocated + " allocated, " + released + " released; pool " + pool.counts() + "; new buffers "
                + (newBytes >> 20) + " MiB in " + newNanos / 1_000_000 + " ms";
    }
}
