package io.mlsm.core.pretrain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DictionarySpecTest {

    @Test
    void defaultsAreTheReferenceValues() {
        DictionarySpec d = DictionarySpec.learn();
        assertEquals(0.0, d.forgetting(), "SPAMS trainDL and Mairal et al. 2009 use no forgetting factor");
        assertEquals(1, d.passes());
        assertEquals(4L << 30, d.sampleMemory());
        assertEquals(1_000_000, d.sampleTokens());
        assertEquals(400, d.batchSize());
        assertEquals(1000, d.iterations());
    }

    @Test
    void fluentSettersSetAndValidate() {
        DictionarySpec d = DictionarySpec.learn().forgetting(4).passes(3).sampleMemory(1L << 20);
        assertEquals(4.0, d.forgetting());
        assertEquals(3, d.passes());
        assertEquals(1L << 20, d.sampleMemory());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DictionarySpec.learn().forgetting(-1));
        assertTrue(e.getMessage().contains("forgetting"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DictionarySpec.learn().forgetting(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DictionarySpec.learn().passes(0));
        assertThrows(IllegalArgumentException.class, () -> DictionarySpec.learn().sampleMemory(0));
    }
}
