package io.mlsm.models;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The closed forms of {@link Flops} against an enumeration, product by product and head by head, of the matrix
 * products Hugging Face's {@code DebertaForMaskedLM} runs; truncated encoders cost their share of layers.
 */
class FlopsTest {

    /** 2·m·n·k for an [m, k] × [k, n] product. */
    private static double mm(double m, double k, double n) {
        return 2 * m * k * n;
    }

    /** Every product of one layer over a batch of {@code b} sequences of length {@code t}, as HF computes them. */
    private static double enumeratedLayer(DebertaConfig c, int b, int t, boolean c2p, boolean p2c) {
        int h = c.hiddenSize();
        int heads = c.numHeads();
        int d = c.headSize();
        int s = Math.min(t, c.effectiveMaxRelativePositions());
        double f = 0;
        f += mm(2 * s, h, h) * ((c2p ? 1 : 0) + (p2c ? 1 : 0));   // pos_key_proj / pos_q_proj of the 2s relative rows
        for (int seq = 0; seq < b; seq++) {
            f += 3 * mm(t, h, h);                                 // in_proj: query, key, value
            for (int head = 0; head < heads; head++) {
                f += mm(t, d, t);                                 // q · kᵀ
                f += c2p ? mm(t, d, 2 * s) : 0;                   // q · (k^r)ᵀ
                f += p2c ? mm(t, d, 2 * s) : 0;                   // k · (q^r)ᵀ
                f += mm(t, t, d);                                 // probs · v
            }
            f += mm(t, h, h);                                     // attention output dense
            f += mm(t, h, c.intermediateSize()) + mm(t, c.intermediateSize(), h);   // feed-forward
        }
        return f;
    }

    @Test
    void encoderEqualsTheEnumeratedProductsOfEveryLayer() {
        DebertaConfig tiny = DebertaConfig.tiny();
        for (int t : new int[]{7, 64, 200}) {                     // 200 > max positions 128: the span is clamped
            double want = tiny.numLayers() * enumeratedLayer(tiny, 3, t, true, true);
            assertEquals(want, Flops.encoder(tiny, tiny.numLayers(), 3, t), 1e-9 * want, "T = " + t);
        }
        DebertaConfig c2pOnly = tiny.toBuilder().positionAttention(EnumSet.of(DebertaConfig.PositionAttention.C2P))
                .build();
        double want = 2 * enumeratedLayer(c2pOnly, 5, 32, true, false);
        assertEquals(want, Flops.encoder(c2pOnly, 2, 5, 32), 1e-9 * want);
        DebertaConfig base = DebertaConfig.base();
        want = 6 * enumeratedLayer(base, 2, 128, true, true);
        assertEquals(want, Flops.encoder(base, 6, 2, 128), 1e-9 * want, "base truncated after layer 6");
        assertEquals(0.5 * Flops.encoder(base, 12, 2, 128), Flops.encoder(base, 6, 2, 128), 1e-3);
        assertEquals(0.0, Flops.encoder(base, 12, 0, 128));
    }

    @Test
    void headsAndTrainingStepsFollowTheirScope() {
        DebertaConfig c = DebertaConfig.small().withVocabSize(6000).withLatentConcepts(1024);
        double head = 600 * (mm(1, 256, 256) + mm(1, 256, 7024));           // transform + V + k decoder rows
        assertEquals(head, Flops.mlmHead(c, 600), 1e-9 * head);
        assertEquals(600 * mm(1, 1024, 6000), Flops.latentToVocabHead(c, 600), 1e-3);
        double body = Flops.encoder(c, 4, 32, 128);
        assertEquals(3 * (body + head), Flops.trainingStep(c, TrainingObjective.Scope.ALL, 32, 128, 600), 1);
        assertEquals(body + 3 * head, Flops.trainingStep(c, TrainingObjective.Scope.HEADS_ONLY, 32, 128, 600), 1);
        assertEquals(body + head + 3 * 600 * mm(1, 1024, 6000),
                Flops.trainingStep(c, TrainingObjective.Scope.LATENT_TO_VOCAB_ONLY, 32, 128, 600), 1);
    }

    @Test
    void sparseCodingAndDictionaryLearningCountTheirProducts() {
        // H·D for 400 rows, 100 products [400, k] × [k, k] with the iteration matrix, the residual α·Dᵀ
        assertEquals(mm(400, 768, 1024) + 100 * mm(400, 1024, 1024) + mm(400, 1024, 768),
                Flops.sparseCoding(768, 1024, 400, 100), 1);
        // 3 batches of 400 rows: Dᵀx, A += ααᵀ, B += xαᵀ per row; one sweep D·A per batch
        double want = 3 * (mm(400, 768, 1024) + mm(1024, 400, 1024) + mm(768, 400, 1024)) + 3 * mm(768, 1024, 1024);
        assertEquals(want, Flops.dictionaryLearning(768, 1024, 1200, 3), 1e-9 * want);
    }

    @Test
    void impossibleShapesAreRejected() {
        DebertaConfig tiny = DebertaConfig.tiny();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flops.encoder(tiny, 3, 1, 8));
        assertEquals("layers must be in 0..2, got 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Flops.encoder(tiny, 1, -1, 8));
    }
}
