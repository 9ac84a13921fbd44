package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.eval.report.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickStartTest {

    @Test
    void fastRunEndsWithTheThreeColumnBlimpTable(@TempDir Path dir) throws Exception {
        var o = QuickStart.Options.fast(dir).withProgress(new TrainingListener() { });
        var r = QuickStart.run(o);
        var p = r.pretraining();
        for (Path f : new Path[]{p.tokenizer(), p.dictionary(), p.teacher().resolve("model.safetensors"),
                p.student().resolve("model.safetensors"), p.head().resolve("model.safetensors"), r.markdownFile(),
                r.csvFile()}) {
            assertTrue(Files.isRegularFile(f), "missing " + f);
        }
        assertEquals(List.of(QuickStart.TEACHER, QuickStart.STUDENT, QuickStart.HEAD), r.table().columns());
        for (String row : EvalBlimpExampleTest.PHENOMENA) {
            for (String col : r.table().columns()) {
                double v = r.table().get(row, col).orElseThrow(() -> new AssertionError("no " + row));
                assertTrue(v >= 0 && v <= 1, row + " " + col + " = " + v);
            }
        }
        assertTrue(r.table().rows().contains("Average"));
        for (String col : r.table().columns()) {
            assertEquals(67L * o.blimpPairs(), r.blimp().get(col).scores().size(), col);
        }
        assertEquals(r.table(), CsvTable.read(r.csvFile()));
        assertEquals(java.util.Set.of("teacher", "student", "head"), p.phases().keySet());

        // a second run reuses every phase (nothing retrained) and reproduces the table
        var again = QuickStart.run(o);
        assertTrue(again.pretraining().phases().isEmpty(), "retrained " + again.pretraining().phases().keySet());
        assertEquals(r.table(), again.table());
    }

    @Test
    void rejectsBadOptions(@TempDir Path dir) {
        var f = QuickStart.Options.fast(dir);
        var e = assertThrows(IllegalArgumentException.class, () -> new QuickStart.Options(dir, f.vocabSize(),
                f.hiddenSize(), f.layers(), f.maxLength(), f.batchSize(), f.teacherSteps(), f.atoms(),
                f.sampleTokens(), f.dictIterations(), f.studentSteps(), f.headSteps(), 21, f.seed(), null, null));
        assertTrue(e.getMessage().contains("blimpPairs"), e.getMessage());
    }
}
