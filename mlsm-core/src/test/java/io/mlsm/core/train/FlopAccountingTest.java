package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Masking;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.models.TrainingObjective;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training phase counts what it ran: the student's steps over the shapes of its batches, the teacher only up to the
 * layer the targets come from, and FISTA's products over the coded rows.
 */
class FlopAccountingTest {

    private static final int K = 12;

    @Test
    void mlsmPhaseCountsStudentStepsTruncatedTeacherAndSparseCoding() {
        DebertaConfig cfg = SyntheticTask.config();                          // 2 layers
        DebertaModel teacher = DebertaModel.initialize(cfg, 9);
        int h = cfg.hiddenSize();
        Dictionary dict = Dictionary.of(Dictionary.randomUnitAtoms(h, K, 13, DataType.FLOAT),
                DictionaryProvenance.of(0.2, K, h, "random unit atoms"));
        NonNegativeFista solver = NonNegativeFista.builder(dict).options(NonNegativeFista.Options.reference(0.2))
                .maxIterations(40).build();
        ConceptTargets targets = new ConceptTargets(teacher, 1, dict, solver);     // layer 1 of 2
        DebertaModel student = DebertaModel.initialize(cfg.withLatentConcepts(K), 4);
        int steps = 3;
        TrainingResult r = new Trainer("student", student, TrainingObjective.mlsmPlusMlm(1.0),
                SyntheticTask.stream(Masking.mlm(), 6), targets, TrainingOptions.builder().steps(steps)
                .accumulation(2).learningRate(1e-3).seed(5).build(), null).fit();

        double step = 0;
        double teacherForward = 0;
        double coding = 0;
        BatchStream same = SyntheticTask.stream(Masking.mlm(), 6);
        for (int i = 0; i < steps * 2; i++) {
            Batch b = same.batch(i);
            step += Flops.trainingStep(cfg.withLatentConcepts(K), TrainingObjective.Scope.ALL, b.batchSize(),
                    b.length(), b.targetCount());
            teacherForward += Flops.encoder(cfg, 1, b.batchSize(), b.length());
            coding += Flops.sparseCoding(h, K, b.targetCount(), 40);           // the reference runs every iteration
        }
        Map<String, Double> f = r.flops();
        assertEquals(step, f.get(FlopCount.STEP), 1e-9 * step);
        assertEquals(teacherForward, f.get(FlopCount.TEACHER_FORWARD), 1e-9 * teacherForward);
        assertEquals(coding, f.get(FlopCount.SPARSE_CODING), 1e-9 * coding);
        assertEquals(step + teacherForward + coding, r.totalFlops(), 1e-9 * r.totalFlops());
        assertTrue(teacherForward < step / 6, "half the teacher's layers forward vs the student's forward+backward");
        assertEquals(Map.of(), TargetSource.none().flops());
    }

    @Test
    void badCountsAreRejected() {
        FlopCount c = new FlopCount();
        c.add(FlopCount.STEP, 2);
        c.add(FlopCount.STEP, 3);
        assertEquals(Map.of(FlopCount.STEP, 5.0), c.snapshot());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.add("step", Double.NaN));
        assertEquals("FLOPs of step must be finite and >= 0, got NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.add("step", -1));
        assertThrows(IllegalArgumentException.class, () -> c.add("step", Double.POSITIVE_INFINITY));
    }
}
