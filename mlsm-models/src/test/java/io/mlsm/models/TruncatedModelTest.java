package io.mlsm.models;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DebertaModel#truncatedTo}: the hidden states of a teacher cut after layer l are the full teacher's first
 * l + 1, bit for bit (padding included), the view shares the parameter arrays, and out-of-range cuts are refused.
 */
class TruncatedModelTest {

    @Test
    void truncatedHiddenStatesAreTheFullModelsBitForBit() {
        DebertaConfig cfg = DebertaConfig.tiny().toBuilder().numLayers(4).build().withVocabSize(60).withPadTokenId(0);
        DebertaModel full = DebertaModel.initialize(cfg, 11);
        INDArray ids = Nd4j.createFromArray(new int[][]{{2, 17, 9, 33, 41, 3, 0}, {2, 5, 8, 13, 21, 34, 3}});
        INDArray mask = Nd4j.createFromArray(new float[][]{{1, 1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 1, 1, 1}});
        List<INDArray> all = full.hiddenStates(ids, mask);
        assertEquals(5, all.size());
        for (int l = 1; l < 4; l++) {
            DebertaModel cut = full.truncatedTo(l);
            assertEquals(l, cut.config().numLayers());
            List<INDArray> part = cut.hiddenStates(ids, mask);
            assertEquals(l + 1, part.size());
            for (int i = 0; i <= l; i++) {
                assertEquals(all.get(i), part.get(i), "hidden state " + i + " of the model cut after layer " + l);
            }
            assertSame(full.parameters().get("deberta.embeddings.word_embeddings.weight"),
                    cut.parameters().get("deberta.embeddings.word_embeddings.weight"), "parameters are shared");
            String dropped = "deberta.encoder.layer." + l + ".";
            assertTrue(cut.parameters().keySet().stream().noneMatch(n -> n.startsWith(dropped)),
                    "layer " + l + " is not in the cut model");
        }
        assertSame(full, full.truncatedTo(4));
        assertThrows(IllegalArgumentException.class, () -> full.truncatedTo(0));
        assertThrows(IllegalArgumentException.class, () -> full.truncatedTo(5));
        assertEquals(DataType.FLOAT, full.truncatedTo(2).dataType());
    }
}
