package io.mlsm.core.train;

import io.mlsm.models.optim.AdamW;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TrainingOptions' AdamW switches reach the optimiser the trainer builds. */
class OptimizerOptionsTest {

    private static final String BIAS = "deberta.encoder.layer.0.attention.self.q_bias";
    private static final String LN = "deberta.encoder.layer.0.output.LayerNorm.weight";

    @Test
    void defaultsAreDebertaEpsilonAndTheHuggingFaceRule() {
        AdamW opt = Trainer.optimizerFor(TrainingOptions.builder().build());
        assertEquals(1e-6, opt.options().epsilon());
        assertFalse(opt.decays(BIAS));
        assertFalse(opt.decays(LN));
        assertTrue(opt.decays("deberta.embeddings.word_embeddings.weight"));
    }

    @Test
    void torchSettingsDecayEverythingWithEpsilon1e8() {
        TrainingOptions o = TrainingOptions.builder().adamEpsilon(1e-8).decayAllParameters(true).weightDecay(0.02)
                .build();
        AdamW opt = Trainer.optimizerFor(o);
        assertEquals(1e-8, opt.options().epsilon());
        assertEquals(0.02, opt.options().weightDecay());
        assertTrue(opt.decays(BIAS));
        assertTrue(opt.decays(LN));
        assertEquals(o, o.toBuilder().build(), "toBuilder keeps the new fields");
        assertThrows(IllegalArgumentException.class, () -> TrainingOptions.builder().adamEpsilon(0).build());
    }
}
