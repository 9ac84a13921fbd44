package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.train.FlopCount;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.ResultTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The teacher-layer sweep on a tiny teacher: the same student batches for every layer, so the teacher's share of the
 * operations is proportional to the layer, while the student's steps and the sparse coding cost the same.
 */
class LayerSweepExampleTest {

    @Test
    void teacherOperationsFollowTheLayerAndTheTableRecordsThem(@TempDir Path dir) throws Exception {
        Path corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        LayerSweepExample.Result r = LayerSweepExample.run(LayerSweepExample.Options.builder(dir.resolve("sweep"))
                .corpusDir(corpus).vocabSize(300).teacherSteps(8).layers(List.of(2, 1)).steps(4).batchSize(8)
                .maxLength(32).atoms(16).sampleTokens(1500).progress(new TrainingListener() { }).build());
        assertEquals(2, r.runs().size());
        LayerSweepExample.LayerRun two = r.runs().get(0);
        LayerSweepExample.LayerRun one = r.runs().get(1);
        assertEquals(2, two.layer());
        Map<String, Double> a = two.studentFlops();
        Map<String, Double> b = one.studentFlops();
        double tf = a.get(FlopCount.TEACHER_FORWARD);
        assertEquals(tf / 2, b.get(FlopCount.TEACHER_FORWARD), 1e-12 * tf, "layer 1 of 2: half the teacher passes");
        assertEquals(a.get(FlopCount.STEP), b.get(FlopCount.STEP), 1e-12 * a.get(FlopCount.STEP), "same batches");
        assertEquals(a.get(FlopCount.SPARSE_CODING), b.get(FlopCount.SPARSE_CODING),
                1e-12 * a.get(FlopCount.SPARSE_CODING), "same targets, same iterations");
        assertTrue(one.dictionaryFlops() < two.dictionaryFlops(), "the sample costs fewer teacher layers");
        assertTrue(one.totalFlops() < two.totalFlops());

        ResultTable t = CsvTable.read(dir.resolve("sweep/layer-sweep.csv"));
        assertEquals(List.of("2", "1"), t.rows());
        assertEquals(List.of("dictionary", "student step", "teacher forward", "sparse coding", "total", "BLiMP"),
                t.columns());
        assertEquals(one.totalFlops() / 1e12, t.get("1", "total").orElseThrow(), 1e-9 * one.totalFlops() / 1e12);
        double blimp = t.get("1", "BLiMP").orElseThrow();
        assertTrue(blimp >= 0 && blimp <= 1, "BLiMP on the bundled subset: " + blimp);
        assertTrue(Files.readString(dir.resolve("sweep/layer-sweep.md")).contains("| teacher layer"));
    }

    @Test
    void badSweepsAreRejectedBeforeAnyWork(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerSweepExample.Options.builder(dir).layers(List.of(1, 1)).build());
        assertEquals("teacher layers must be distinct, got [1, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LayerSweepExample.Options.builder(dir).layers(List.of()).build());
        assertEquals("at least one teacher layer is required", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LayerSweepExample.Options.builder(dir).teacher(dir, null).build());
        assertTrue(e.getMessage().contains("together"), e.getMessage());
    }
}
