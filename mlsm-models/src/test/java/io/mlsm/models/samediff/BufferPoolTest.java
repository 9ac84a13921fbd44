package io.mlsm.models.samediff;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph buffer pool: reuse by type and length, stale releases ignored, bounded by age and bytes. */
class BufferPoolTest {

    private static DataBuffer fresh(BufferPool pool, DataType t, long n) {
        DataBuffer b = Nd4j.createUninitializedDetached(t, n).data();
        pool.lease(b);
        return b;
    }

    @Test
    void givenBufferIsTakenAgainOnlyForItsTypeAndLength() {
        BufferPool pool = new BufferPool(1 << 20);
        DataBuffer b = fresh(pool, DataType.FLOAT, 100);
        assertTrue(pool.give(b, pool.leaseOf(b)));
        assertEquals(400, pool.pooledBytes());
        assertNull(pool.take(DataType.FLOAT, 99), "another length");
        assertNull(pool.take(DataType.INT32, 100), "another type of the same width");
        assertSame(b, pool.take(DataType.FLOAT, 100));
        assertEquals(0, pool.pooledBytes());
        assertNull(pool.take(DataType.FLOAT, 100), "handed out once");
    }

    @Test
    void staleOrRepeatedReleasesAreIgnored() {
        BufferPool pool = new BufferPool(1 << 20);
        DataBuffer b = fresh(pool, DataType.FLOAT, 10);
        long first = pool.leaseOf(b);
        assertTrue(pool.give(b, first));
        assertFalse(pool.give(b, first), "already free");
        assertSame(b, pool.take(DataType.FLOAT, 10));
        assertFalse(pool.give(b, first), "the first user's release after the buffer was taken again");
        assertEquals(0, pool.pooledBytes());
        assertTrue(pool.give(b, pool.leaseOf(b)), "the current user's release");
        DataBuffer kept = fresh(pool, DataType.FLOAT, 10);
        long lease = pool.leaseOf(kept);
        pool.dropLease(kept, lease);
        assertFalse(pool.give(kept, lease), "a result handed to the caller is not the pool's any more");
        assertEquals(0, pool.outstanding());
    }

    @Test
    void buffersUnusedForAWholeExecutionAreFreed() {
        BufferPool pool = new BufferPool(1 << 20);
        DataBuffer a = fresh(pool, DataType.FLOAT, 10);
        DataBuffer b = fresh(pool, DataType.FLOAT, 20);
        pool.give(a, pool.leaseOf(a));
        pool.give(b, pool.leaseOf(b));
        pool.endExecution();                                 // given during execution 0: kept
        assertEquals(120, pool.pooledBytes());
        for (int e = 1; e <= BufferPool.IDLE_EXECUTIONS; e++) {
            assertEquals(120, pool.pooledBytes(), "b idle for " + (e - 1) + " executions is kept");
            DataBuffer again = pool.take(DataType.FLOAT, 10);    // every execution reuses a, not b
            pool.give(again, pool.leaseOf(again));
            pool.endExecution();
        }
        assertEquals(40, pool.pooledBytes(), "b was free through " + BufferPool.IDLE_EXECUTIONS + " executions");
        assertTrue(b.wasClosed());
        assertFalse(a.wasClosed());
    }

    @Test
    void freeBytesStayUnderTheLimitOldestFreedFirst() {
        BufferPool pool = new BufferPool(100);
        DataBuffer a = fresh(pool, DataType.FLOAT, 10);
        DataBuffer b = fresh(pool, DataType.FLOAT, 15);
        DataBuffer big = fresh(pool, DataType.FLOAT, 26);
        pool.give(a, pool.leaseOf(a));
        pool.give(b, pool.leaseOf(b));
        assertEquals(100, pool.pooledBytes());
        assertTrue(pool.give(big, pool.leaseOf(big)), "taken back, but larger than the limit: freed");
        assertTrue(big.wasClosed());
        DataBuffer c = fresh(pool, DataType.FLOAT, 5);
        pool.give(c, pool.leaseOf(c));
        assertTrue(a.wasClosed(), "the oldest made room");
        assertEquals(80, pool.pooledBytes());
        pool.close();
        assertEquals(0, pool.pooledBytes());
        assertTrue(b.wasClosed() && c.wasClosed());
    }

    @Test
    void allPoolsTogetherStayUnderTheProcessLimit() {
        BufferPool pool = new BufferPool(1 << 20, BufferPool.allPoolsBytes() + 50);
        DataBuffer a = fresh(pool, DataType.FLOAT, 10);
        DataBuffer b = fresh(pool, DataType.FLOAT, 10);
        pool.give(a, pool.leaseOf(a));
        assertEquals(40, pool.pooledBytes());
        assertTrue(pool.give(b, pool.leaseOf(b)));
        assertTrue(b.wasClosed(), "40 more bytes would pass the limit of all pools");
        assertEquals(40, pool.pooledBytes());
        pool.close();
    }

    @Test
    void badLimitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(-1));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(10, -1));
        System.setProperty("mlsm.samediff.poolBytes", "lots");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    BufferPool::withConfiguredLimit);
            assertTrue(e.getMessage().contains("mlsm.samediff.poolBytes") && e.getMessage().contains("lots"));
        } finally {
            System.clearProperty("mlsm.samediff.poolBytes");
        }
    }
}
