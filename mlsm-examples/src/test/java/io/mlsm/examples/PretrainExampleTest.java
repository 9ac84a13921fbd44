package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.models.DebertaConfig;
import io.mlsm.sparse.Dictionary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-training scenarios with tiny settings: an MLM teacher, then students on top of it. */
class PretrainExampleTest {

    @TempDir
    static Path dir;
    static Path corpus;
    static PretrainExample.Result teacher;

    static PretrainExample.Builder tiny(Path out) {
        return PretrainExample.Options.builder(out).corpusDir(corpus).maxLength(32).batchSize(8).teacherSteps(8)
                .atoms(16).sampleTokens(1500).progress(new TrainingListener() { });
    }

    @BeforeAll
    static void trainTeacher() throws Exception {
        corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        teacher = PretrainExample.run(tiny(dir.resolve("teacher")).vocabSize(300).objective(Objective.MLM)
                .steps(30).learningRate(3e-3).build());
    }

    @Test
    void mlmTeacherLearns() throws Exception {
        var p = teacher.pretraining();
        assertNull(p.teacher(), "an MLM run without a teacher trains no separate teacher");
        assertNull(p.dictionary());
        assertTrue(Files.isRegularFile(p.student().resolve("model.safetensors")));
        assertEquals(300, DebertaConfig.readHfConfig(p.student().resolve("config.json")).vocabSize());
        double[] q = teacher.lossFirstAndLastQuarter("student", "mlm");
        assertTrue(q[1] < q[0] - 0.3, "MLM loss " + q[0] + " -> " + q[1]);
    }

    @Test
    void mlsmPlusMlmStudentAndPhaseThreeHead() throws Exception {
        var r = PretrainExample.run(tiny(dir.resolve("mlsm")).tokenizer(teacher.tokenizer())
                .teacherDir(teacher.model()).objective(Objective.MLSM_PLUS_MLM).steps(40).learningRate(3e-3)
                .headSteps(20).build());
        var p = r.pretraining();
        assertEquals(16, Dictionary.load(p.dictionary()).size());
        assertEquals(64, Dictionary.load(p.dictionary()).dimension());
        assertEquals(16, DebertaConfig.readHfConfig(p.student().resolve("config.json"), -1).latentConcepts());
        assertEquals(p.head(), r.model());
        assertTrue(Files.isRegularFile(p.head().resolve("model.safetensors")));
        // The concept codes of a 30-step teacher are nearly alike for every token: the MLSM loss (a KL divergence)
        // starts close to its floor and stays level (1.60 -> 1.60 over 160 steps, measured), so falling is not
        // asserted here; TrainingBehaviourTest.tinyModelLearnsPlantedConceptTargets shows MLSM learning.
        double[] mlsm = r.lossFirstAndLastQuarter("student", "mlsm");
        assertTrue(mlsm[1] >= 0 && mlsm[1] < Math.log(16), "MLSM loss (KL, k = 16) " + mlsm[0] + " -> " + mlsm[1]);
        double[] head = r.lossFirstAndLastQuarter("head", "total");
        assertTrue(head[1] < head[0], "phase-3 loss " + head[0] + " -> " + head[1]);

        // LSM on the same teacher and the dictionary just learned, loaded from its file
        var lsm = PretrainExample.run(tiny(dir.resolve("lsm")).tokenizer(teacher.tokenizer())
                .teacherDir(teacher.model()).dictionaryFile(p.dictionary()).objective(Objective.LSM).steps(4).build());
        assertEquals(p.dictionary(), lsm.pretraining().dictionary());
        assertTrue(Double.isFinite(lsm.pretraining().phase("student").orElseThrow().finalLoss()));

        // and from a NumPy .npy export of it (the SPAMS layout released dictionaries come in), read by extension
        Path npy = dir.resolve("dictionary.npy");
        Dictionary.load(p.dictionary()).writeNpy(npy);
        var fromNpy = PretrainExample.run(tiny(dir.resolve("lsm-npy")).tokenizer(teacher.tokenizer())
                .teacherDir(teacher.model()).dictionaryFile(npy).objective(Objective.LSM).steps(4).build());
        assertEquals(npy, fromNpy.pretraining().dictionary());
        assertTrue(Double.isFinite(fromNpy.pretraining().phase("student").orElseThrow().finalLoss()));
    }

    @Test
    void kdStudentFromRandomInitialisation() {
        var r = PretrainExample.run(tiny(dir.resolve("kd")).tokenizer(teacher.tokenizer()).teacherDir(teacher.model())
                .objective(Objective.KD).warmStart(false).steps(12).learningRate(3e-3).build());
        double[] kd = r.lossFirstAndLastQuarter("student", "kd");
        assertTrue(kd[1] < kd[0], "KD loss " + kd[0] + " -> " + kd[1]);
        assertNull(r.pretraining().dictionary());
    }

    @Test
    void rejectsInconsistentOptions() {
        var e = assertThrows(IllegalArgumentException.class, () -> tiny(dir.resolve("bad"))
                .objective(Objective.KD).headSteps(5).build());
        assertTrue(e.getMessage().contains("latent concepts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tiny(dir.resolve("bad"))
                .teacherDir(dir.resolve("no-teacher")).build());
        assertTrue(e.getMessage().contains("no-teacher"), e.getMessage());
    }
}
