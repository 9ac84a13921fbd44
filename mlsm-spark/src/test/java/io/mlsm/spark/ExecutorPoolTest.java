package io.mlsm.spark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor pool: one load per task slot, no sharing between concurrent borrowers, bounded idle instances. */
class ExecutorPoolTest {

    @AfterEach
    void reset() {
        ExecutorPool.clear();
        ExecutorPool.maxIdle(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void anInstanceIsLoadedOnceAndNeverLentTwiceAtATime() {
        AtomicInteger loads = new AtomicInteger();
        Object first;
        try (ExecutorPool.Lease<Object> a = ExecutorPool.borrow("m", () -> new Object[]{loads.incrementAndGet()});
             ExecutorPool.Lease<Object> b = ExecutorPool.borrow("m", () -> new Object[]{loads.incrementAndGet()})) {
            assertNotSame(a.value(), b.value(), "two concurrent borrowers must not share an instance");
            first = a.value();
        }
        assertEquals(2, loads.get());
        try (ExecutorPool.Lease<Object> c = ExecutorPool.borrow("m", () -> new Object[]{loads.incrementAndGet()})) {
            assertTrue(c.value() != null);
        }
        assertEquals(2, loads.get(), "an idle instance should be lent again, not loaded");
        try (ExecutorPool.Lease<Object> d = ExecutorPool.borrow("m", Object::new);
             ExecutorPool.Lease<Object> e = ExecutorPool.borrow("m", Object::new)) {
            assertTrue(d.value() == first || e.value() == first, "the first instance is still pooled");
        }
    }

    @Test
    void idleInstancesAreBoundedAndTheDroppedOnesClosed() {
        ExecutorPool.maxIdle(2);
        List<String> closed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String key = "checkpoint-" + i;
            try (ExecutorPool.Lease<AutoCloseable> l = ExecutorPool.borrow(key, () -> () -> closed.add(key))) {
                assertSame(key, l.key());
            }
        }
        assertEquals(2, ExecutorPool.idle().values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(List.of("checkpoint-0", "checkpoint-1", "checkpoint-2"), closed);
    }

    @Test
    void aFailedLoadNamesTheKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ExecutorPool.borrow("teacher:/nowhere", () -> {
                    throw new java.io.IOException("no such directory");
                }));
        assertTrue(e.getMessage().contains("teacher:/nowhere") && e.getMessage().contains("no such directory"));
    }
}
