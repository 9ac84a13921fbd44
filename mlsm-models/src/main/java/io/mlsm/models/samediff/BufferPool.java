package io.mlsm.models.samediff;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Native buffers of one graph's executions kept for reuse, by data type and length. Allocating a fresh off-heap
 * buffer for every intermediate array cost a third of a training step (the allocator hands out fresh pages that are
 * faulted in and zeroed); a step of a graph allocates the same sizes every time, so reusing the buffers its
 * previous step released removes that cost.
 *
 * <p>Bounded two ways: a buffer that was not taken again during {@link #IDLE_EXECUTIONS} whole executions of its
 * graph is freed (so a graph holds about what one execution released), and the free buffers never exceed
 * its byte limit (beyond it the oldest are freed), nor those of all pools of the process together (beyond that a
 * released buffer is freed at once). Buffers are handed out under a lease number; a release carrying
 * a stale lease (the buffer was freed and taken again since) is ignored, so no buffer is ever pooled twice or while
 * in use.
 *
 * <p>Reused buffers are not cleared: every op writes all of its outputs (checked by running the same step twice and
 * comparing bit for bit, {@code BufferPoolTest}).
 */
final class BufferPool {

    /**
     * Free bytes kept unless {@code -Dmlsm.samediff.poolBytes} says otherwise, per graph and over all graphs of the
     * process together: 2 GiB.
     */
    static final long DEFAULT_MAX_BYTES = 2L << 30;

    /** Free bytes in all pools of the process. */
    private static final java.util.concurrent.atomic.AtomicLong ALL_POOLS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Executions a free buffer may go untaken before it is freed: a few, so that shapes which alternate from batch to
     * batch (two buckets of padded target rows) keep their buffers.
     */
    static final int IDLE_EXECUTIONS = 4;

    private record Key(DataType type, long length) {
    }

    private static final class Free {
        final DataBuffer buffer;
        final Key key;
        final long generation;

        Free(DataBuffer buffer, Key key, long generation) {
            this.buffer = buffer;
            this.key = key;
            this.generation = generation;
        }
    }

    private final long maxBytes;
    private final long maxAllBytes;
    private final Map<Key, ArrayDeque<Free>> free = new HashMap<>();
    private final LinkedHashSet<Free> byAge = new LinkedHashSet<>();
    private final Set<DataBuffer> freeBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<DataBuffer, Long> leases = new IdentityHashMap<>();
    private long nextLease = 1;
    private long generation;
    private long pooledBytes;
    private long taken;
    private long missed;
    private boolean closed;

    /** @param maxBytes free bytes this pool keeps at most (no limit on all pools together) */
    BufferPool(long maxBytes) {
        this(maxBytes, Long.MAX_VALUE);
    }

    /**
     * @param maxBytes    free bytes this pool keeps at most
     * @param maxAllBytes free bytes all pools together may hold before this one frees instead of keeping
     */
    BufferPool(long maxBytes, long maxAllBytes) {
        if (maxBytes < 0 || maxAllBytes < 0) {
            throw new IllegalArgumentException("byte limits must be >= 0, got " + maxBytes + " and " + maxAllBytes);
        }
        this.maxBytes = maxBytes;
        this.maxAllBytes = maxAllBytes;
    }

    /**
     * @return a pool bounded, alone and with all pools together, by {@code -Dmlsm.samediff.poolBytes} (bytes), default
     *         {@link #DEFAULT_MAX_BYTES}
     */
    static BufferPool withConfiguredLimit() {
        String p = System.getProperty("mlsm.samediff.poolBytes");
        long max = DEFAULT_MAX_BYTES;
        if (p != null) {
            try {
                max = Long.parseLong(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property mlsm.samediff.poolBytes must be a byte count, got '"
                        + p + "'", e);
            }
        }
        return new BufferPool(max, max);
    }

    /**
     * @return a free buffer of this type and length, now leased (see {@link #leaseOf}), or null if none
     */
    synchronized DataBuffer take(DataType type, long length) {
        ArrayDeque<Free> q = free.get(new Key(type, length));
        Free f = q == null ? null : q.pollLast();
        if (f == null) {
            missed++;
            return null;
        }
        byAge.remove(f);
        freeBuffers.remove(f.buffer);
        pooledBytes -= bytes(f.key);
        ALL_POOLS.addAndGet(-bytes(f.key));
        leases.put(f.buffer, nextLease++);
        taken++;
        return f.buffer;
    }

    /** Leases a buffer allocated outside the pool, so that it can be given back. */
    synchronized void lease(DataBuffer b) {
        leases.put(b, nextLease++);
    }

    /** @return the buffer's current lease, or 0 if the pool has not handed it out */
    synchronized long leaseOf(DataBuffer b) {
        Long l = leases.get(b);
        return l == null ? 0 : l;
    }

    /** The buffer leaves the pool's custody (a result handed to the caller), if {@code lease} is still current. */
    synchronized void dropLease(DataBuffer b, long lease) {
        Long cur = leases.get(b);
        if (cur != null && cur == lease) {
            leases.remove(b);
        }
    }

    /**
     * Takes a buffer back for reuse.
     *
     * @param b     a root buffer whose arrays are no longer used
     * @param lease the lease it was handed out under, or 0 for a buffer the pool never handed out
     * @return whether it was taken (false: stale lease, already free, closed, or not closeable)
     */
    synchronized boolean give(DataBuffer b, long lease) {
        if (b == null || freeBuffers.contains(b) || b.wasClosed() || !b.closeable()) {
            return false;
        }
        Long cur = leases.get(b);
        if (cur != null) {
            if (cur != lease) {
                return false;
            }
            leases.remove(b);
        } else if (lease != 0) {
            return false;
        }
        Key key = new Key(b.dataType(), b.length());
        if (closed || bytes(key) > maxBytes || key.length() == 0
                || ALL_POOLS.get() + bytes(key) > maxAllBytes) {
            b.close();
            return true;
        }
        Free f = new Free(b, key, generation);
        free.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(f);
        byAge.add(f);
        freeBuffers.add(b);
        pooledBytes += bytes(key);
        ALL_POOLS.addAndGet(bytes(key));
        Iterator<Free> oldest = byAge.iterator();
        while (pooledBytes > maxBytes && oldest.hasNext()) {
            Free o = oldest.next();
            oldest.remove();
            evict(o);
        }
        return true;
    }

    /** Ends one execution: frees what has been free through the last {@link #IDLE_EXECUTIONS} of them. */
    synchronized void endExecution() {
        Iterator<Free> it = byAge.iterator();
        while (it.hasNext()) {
            Free f = it.next();
            if (f.generation > generation - IDLE_EXECUTIONS) {
                break;
            }
            it.remove();
            evict(f);
        }
        generation++;
    }

    /** Frees every free buffer; later gives free their buffer at once. */
    synchronized void close() {
        for (Free f : byAge) {
            free.get(f.key).remove(f);
            freeBuffers.remove(f.buffer);
            pooledBytes -= bytes(f.key);
        ALL_POOLS.addAndGet(-bytes(f.key));
            f.buffer.close();
        }
        byAge.clear();
        free.clear();
        closed = true;
    }

    private void evict(Free f) {
        ArrayDeque<Free> q = free.get(f.key);
        q.remove(f);
        if (q.isEmpty()) {
            free.remove(f.key);
        }
        freeBuffers.remove(f.buffer);
        pooledBytes -= bytes(f.key);
        ALL_POOLS.addAndGet(-bytes(f.key));
        f.buffer.close();
    }

    /** @return the buffer that owns the memory of {@code b} (itself unless it is a view of another) */
    static DataBuffer root(DataBuffer b) {
        DataBuffer r = b;
        while (r.underlyingDataBuffer() != null && r.underlyingDataBuffer() != r) {
            r = r.underlyingDataBuffer();
        }
        return r;
    }

    private static long bytes(Key k) {
        return k.length() * k.type().width();
    }

    /** @return free bytes in all pools of the process */
    static long allPoolsBytes() {
        return ALL_POOLS.get();
    }

    /** @return bytes in free buffers now */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** @return allocations served from the pool, and those that were not */
    synchronized String counts() {
        return taken + " reused, " + missed + " new, " + (pooledBytes >> 20) + " MiB free";
    }

    /** @return leases outstanding (buffers handed out and neither given back nor dropped) */
    synchronized int outstanding() {
        return leases.size();
    }
}
