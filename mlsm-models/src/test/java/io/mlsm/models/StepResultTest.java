package io.mlsm.models;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A step result keeps its maps in the caller's order (metrics columns and logs depend on it) and rejects nulls. */
class StepResultTest {

    @Test
    void lossesAndGradientsKeepTheCallersOrder() {
        Map<String, Double> losses = new LinkedHashMap<>();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String key = "term_" + ((i * 7) % 24);   // neither sorted nor hash order
            order.add(key);
            losses.put(key, (double) i);
            grads.put(key, Nd4j.scalar((float) i));
        }
        losses.put(StepResult.TOTAL, 1.0);
        StepResult r = new StepResult(losses, grads, 3);
        List<String> lossOrder = new ArrayList<>(order);
        lossOrder.add(StepResult.TOTAL);
        assertEquals(lossOrder, List.copyOf(r.losses().keySet()));
        assertEquals(order, List.copyOf(r.gradients().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> r.losses().put("x", 1.0));
        losses.put("late", 2.0);
        assertEquals(lossOrder.size(), r.losses().size(), "a copy, not a view");
    }

    @Test
    void nullsAreRejected() {
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("mlm", null);
        assertThrows(NullPointerException.class, () -> new StepResult(losses, Map.of(), 0));
    }
}
