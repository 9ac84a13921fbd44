package io.mlsm.core.pretrain;

import io.mlsm.core.data.MaskingStrategy;
import io.mlsm.core.train.TrainingOptions;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.loss.MlsmLoss;
import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.listen.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The presets hold the values of docs/presets.md, and applying one sets them on a builder. */
class PaperPresetTest {

    @Test
    void valuesAreTheDocumentedOnes() {
        // {atoms, teacher steps, student steps, corpus words, year} as in docs/presets.md (papers §3.2 / §3.1-3.3)
        Object[][] want = {
                {PaperPreset.BABYLM_2023_STRICT_SMALL, 2500, 20_000L, 80_000L, 10_000_000L, 2023, Objective.MLSM_PLUS_MLM},
                {PaperPreset.BABYLM_2023_STRICT, 2500, 20_000L, 80_000L, 100_000_000L, 2023, Objective.MLSM_PLUS_MLM},
                {PaperPreset.BABYLM_2024_STRICT_SMALL, 1500, 100_000L, 10_000L, 10_000_000L, 2024, Objective.MLSM},
                {PaperPreset.BABYLM_2024_STRICT, 1500, 100_000L, 100_000L, 100_000_000L, 2024, Objective.MLSM},
        };
        assertEquals(want.length, PaperPreset.values().length);
        for (Object[] w : want) {
            PaperPreset p = (PaperPreset) w[0];
            assertEquals(w[1], p.atoms(), p + " atoms");
            assertEquals(w[2], p.teacherSteps(), p + " teacher steps");
            assertEquals(w[3], p.studentSteps(), p + " student steps");
            assertEquals(w[4], p.corpusWords(), p + " corpus");
            assertEquals(w[5], p.year(), p + " year");
            assertSame(w[6], p.objective(), p + " objective");
            assertEquals(p.year() == 2024, p.hasHead());
        }
        assertEquals(1024, PaperPreset.EFFECTIVE_BATCH);
        assertEquals(1e-4, PaperPreset.LEARNING_RATE);
        assertEquals(0.01, PaperPreset.WARMUP_FRACTION);
        assertEquals(1.0, PaperPreset.CLIP_NORM);
        assertEquals(1e-8, PaperPreset.ADAM_EPSILON);
        assertEquals(0.01, PaperPreset.WEIGHT_DECAY);
        assertEquals(0.05, PaperPreset.LAMBDA);
        assertEquals(-1, PaperPreset.LAYER);
        assertEquals(1_000_000L, PaperPreset.DICTIONARY_TOKENS);
        assertEquals(10_000L, PaperPreset.HEAD_STEPS);
        assertEquals(128, PaperPreset.SEQUENCE_LENGTH);
        assertEquals(0.15, PaperPreset.MASK_RATE);
        assertEquals(25_000, PaperPreset.TOKENIZER_VOCAB);
    }

    @Test
    void applyingSetsTheBuilder() {
        for (PaperPreset p : PaperPreset.values()) {
            Pretraining.Builder b = Pretraining.threePhase().preset(p);
            assertSame(p, b.presetApplied());
            assertEquals(32, b.batchSize(), "the micro-batch stays the default");
            TrainingOptions s = b.studentOptions();
            assertEquals(32, s.accumulation(), "32 x 32 = 1024");
            assertEquals(p.studentSteps(), s.steps());
            assertEquals(1e-4, s.learningRate());
            assertEquals(0.01, s.warmupFraction());
            assertEquals(1.0, s.clipNorm());
            assertEquals(0.01, s.weightDecay());
            assertEquals(1e-8, s.adamEpsilon());
            assertTrue(s.decayAllParameters());
            TrainingOptions h = b.headOptions();
            assertEquals(10_000, h.steps());
            assertEquals(1e-4, h.learningRate());
            assertEquals(32, h.accumulation());
            assertTrue(h.decayAllParameters());
            assertEquals(1e-8, h.adamEpsilon());
            TrainingOptions t = b.teacherSpec().trainingOptions();
            assertEquals(p.teacherSteps(), t.steps());
            assertEquals(32, t.accumulation());
            assertEquals(1e-4, t.learningRate());
            assertEquals(0.01, t.warmupFraction());
            assertEquals(1e-8, t.adamEpsilon());
            assertTrue(t.decayAllParameters());
            assertEquals(DebertaConfig.base().hiddenSize(), b.teacherSpec().architecture().hiddenSize());
            DictionarySpec d = b.dictionarySpec();
            assertFalse(d.isLoaded());
            assertEquals(p.atoms(), d.atoms());
            assertEquals(0.05, d.lambda());
            assertEquals(-1, d.layer());
            assertEquals(1_000_000L, d.sampleTokens());
            assertSame(p.objective(), b.objectiveChoice());
            assertEquals(MaskingStrategy.MLM, b.objectiveChoice().masking().strategy());
            assertEquals(0.15, b.objectiveChoice().masking().rate());
            assertEquals(1.0, b.objectiveChoice().masking().maskFraction(), "all selected tokens become [MASK]");
            assertEquals(MlsmLoss.Reduction.ALL_ROWS, b.mlsmReductionChoice());
            assertTrue(b.unkTargetsChoice());
            assertEquals(128, b.sequenceOptions().maxLength());
            assertTrue(b.sequenceOptions().pairLines());
        }
    }

    @Test
    void microBatchSetsTheAccumulationAndLaterSettersWin() {
        Pretraining.Builder b = PaperPreset.BABYLM_2023_STRICT.apply(Pretraining.twoPhase(), 128);
        assertEquals(128, b.batchSize());
        assertEquals(8, b.studentOptions().accumulation(), "the paper's 128 x 8");
        assertEquals(8, b.teacherSpec().trainingOptions().accumulation());
        b.learningRate(5e-4).accumulation(2);
        assertEquals(5e-4, b.studentOptions().learningRate());
        assertEquals(2, b.studentOptions().accumulation());
        assertEquals(Pretraining.twoPhase().mlsmReductionChoice(), MlsmLoss.Reduction.NON_EMPTY_ROWS,
                "without a preset the default reduction stays");
        assertEquals(TrainingOptions.DEFAULT_ADAM_EPSILON, Pretraining.twoPhase().studentOptions().adamEpsilon());
        assertFalse(Pretraining.twoPhase().studentOptions().decayAllParameters());
        assertFalse(Pretraining.twoPhase().unkTargetsChoice());
        assertThrows(IllegalArgumentException.class, () -> PaperPreset.BABYLM_2024_STRICT.apply(Pretraining.twoPhase(), 48));
    }

    @Test
    void aPresetRunRecordsItsSwitchesAndRejectsCachedTargetsWithUnk(@TempDir Path dir) throws IOException {
        Path corpus = ToyCorpus.write(dir.resolve("corpus"), 200, 1);
        Pretraining.Builder b = Pretraining.twoPhase().batchSize(16).preset(PaperPreset.BABYLM_2024_STRICT_SMALL)
                // tiny overrides of what a CPU test cannot afford; the switches of the preset stay
                .corpus(Corpus.lines(corpus)).trainTokenizer(60)
                .sequences(new SequenceOptions(64, SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true))
                .teacher(TeacherSpec.pretrainMlm(PretrainingTest.micro()).steps(2))
                .dictionary(PaperPreset.BABYLM_2024_STRICT_SMALL.dictionary().atoms(8).sampleTokens(500)
                        .batchSize(100).iterations(3))
                .student(PretrainingTest.micro()).steps(2).accumulation(1)
                .listener(new TrainingListener() { })
                .outputDir(dir.resolve("run"));
        assertEquals(1, b.studentOptions().accumulation(), "overridden after the preset");
        b.fit();
        String student = Files.readString(dir.resolve("run").resolve(Recipes.DIRECTORY).resolve("student.json"));
        for (String s : new String[]{"ALL_ROWS", "unkTargets", "decayAllParameters", "1.0E-8"}) {
            assertTrue(student.contains(s), s + " in " + student);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.cacheTargets(32).outputDir(dir.resolve("run2")).fit());
        assertTrue(e.getMessage().contains("<unk>"), e.getMessage());
    }

    @Test
    void parsesNames() {
        assertSame(PaperPreset.BABYLM_2024_STRICT_SMALL, PaperPreset.parse("babylm-2024-strict-small"));
        assertSame(PaperPreset.BABYLM_2023_STRICT, PaperPreset.parse("BABYLM_2023_STRICT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PaperPreset.parse("gpt"));
        assertTrue(e.getMessage().contains("BABYLM_2023_STRICT_SMALL"), e.getMessage());
    }
}
