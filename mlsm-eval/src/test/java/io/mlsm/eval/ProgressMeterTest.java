package io.mlsm.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressMeterTest {

    @Test
    void reportsRateAndEtaFromTheClock() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        List<EvalProgress> seen = new ArrayList<>();
        ProgressMeter m = new ProgressMeter("blimp", 40, seen::add, now::get);
        now.addAndGet(2_000_000_000L);
        m.advance(10);
        EvalProgress p = seen.get(0);
        assertEquals(10, p.done());
        assertEquals(5.0, p.itemsPerSecond(), 1e-12);
        assertEquals(6.0, p.etaSeconds(), 1e-12);
        assertEquals(0.25, p.fraction());
        assertEquals("blimp 10/40 (25.0%) 5.0 items/s ETA 0:00:06", LoggingProgressListener.format(p));
        now.addAndGet(6_000_000_000L);
        m.advance(30);
        assertEquals(0.0, seen.get(1).etaSeconds());
        assertEquals(5.0, seen.get(1).itemsPerSecond(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.advance(1));
        assertTrue(e.getMessage().contains("40 of 40 done"), e.getMessage());
    }

    @Test
    void limitKeepsTheFirstItemsAndFormatsHandleUnknowns() {
        assertEquals(List.of(1, 2), EvalLimit.firstN(2).apply(List.of(1, 2, 3)));
        assertEquals(List.of(1, 2, 3), EvalLimit.all().apply(List.of(1, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> EvalLimit.firstN(0));
        assertEquals(EvalLimit.all(), EvalLimit.parse("ALL"));
        assertEquals(EvalLimit.firstN(50), EvalLimit.parse(" 50 "));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> EvalLimit.parse("fifty"));
        assertTrue(bad.getMessage().contains("'fifty'"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EvalLimit.parse("0"));
        assertEquals("?", LoggingProgressListener.formatSeconds(Double.NaN));
        assertEquals("1:01:01", LoggingProgressListener.formatSeconds(3661));
        assertThrows(IllegalArgumentException.class, () -> new EvalProgress("x", 5, 4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Accuracy(3, 2));
        assertEquals(0.5, Accuracy.macroMean(List.of(new Accuracy(1, 1), new Accuracy(0, 3))));
        assertEquals(new Accuracy(1, 4), Accuracy.pooled(List.of(new Accuracy(1, 1), new Accuracy(0, 3))));
    }
}
