package io.mlsm.core.pretrain;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.core.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Pretraining.Builder#cacheTargets(int)}: a two-phase MLSM+MLM run whose student reads its targets from the
 * cache trains (its loss falls), the cache lands under {@code outputDir/targets/}, a rerun of phase 2 reuses it (the
 * reloaded teacher and dictionary have the same fingerprints), a damaged cache is rebuilt, and the option is refused
 * for objectives without concept targets.
 */
class PretrainingCachedTargetsTest {

    @TempDir
    Path dir;

    private Pretraining.Builder pipeline(Path corpus, Path out) {
        return Pretraining.twoPhase()
                .corpus(Corpus.lines(corpus))
                .trainTokenizer(60)
                .teacher(TeacherSpec.pretrainMlm(PretrainingTest.micro()).steps(12).learningRate(3e-3)
                        .warmupFraction(0.05))
                .dictionary(DictionarySpec.learn().atoms(24).lambda(0.05).layer(-1).sampleTokens(2000).batchSize(200)
                        .iterations(10).fistaIterations(30))
                .objective(Objective.MLSM_PLUS_MLM)
                .student(PretrainingTest.micro()).warmStart(true).steps(20).learningRate(3e-3).warmupFraction(0.05)
                .batchSize(16)
                .cacheTargets(8)
                .listener(new TrainingListener() { })
                .outputDir(out)
                .seed(5);
    }

    @Test
    void twoPhaseRunWithCachedTargetsTrainsAndReusesTheCache() throws IOException {
        Path corpus = ToyCorpus.write(dir.resolve("corpus"), 200, 2);
        Path out = dir.resolve("run");
        PretrainingResult r = pipeline(corpus, out).fit();
        TrainingResult student = r.phase("student").orElseThrow();
        int n = student.curve().size();
        double first = student.meanLoss("total", 0, 5);
        double last = student.meanLoss("total", n - 5, n);
        assertTrue(last < first, "student loss must fall with cached targets: " + first + " -> " + last);
        assertTrue(student.meanLoss("mlsm", n - 5, n) < student.meanLoss("mlsm", 0, 5), "the MLSM term must fall");
        Path cache = out.resolve("targets").resolve("concepts-top8" + ConceptTargetCache.EXTENSION);
        assertTrue(Files.isRegularFile(cache), "cache file " + cache);
        byte[] built = Files.readAllBytes(cache);
        try (Stream<Path> s = Files.walk(out)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "temporary files left");
        }

        // phase 2 again: the cache is opened, not rebuilt
        FileTime stamp = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(cache, stamp);
        deleteStudent(out);
        pipeline(corpus, out).steps(1).fit();                  // the student's steps do not enter the cache
        assertEquals(stamp, Files.getLastModifiedTime(cache), "a valid cache must be reused");

        // a damaged cache is rebuilt to the same content
        Files.write(cache, new byte[]{1, 2, 3});
        deleteStudent(out);
        pipeline(corpus, out).steps(1).fit();
        assertArrayEquals(built, Files.readAllBytes(cache), "a rebuilt cache must equal the first build");
    }

    private static void deleteStudent(Path out) throws IOException {
        io.mlsm.runtime.AtomicFiles.deleteRecursively(out.resolve("student"));
        io.mlsm.runtime.AtomicFiles.deleteRecursively(out.resolve("student-run"));
        // the student's recorded settings go with it: the rerun trains it with other steps on purpose
        io.mlsm.runtime.AtomicFiles.deleteRecursively(out.resolve("recipes").resolve("student.json"));
    }

    @Test
    void cachingIsRefusedWithoutConceptTargets() throws IOException {
        Path corpus = ToyCorpus.write(dir.resolve("corpus"), 10, 2);
        String m = assertThrows(IllegalArgumentException.class, () -> Pretraining.twoPhase()
                .corpus(Corpus.lines(corpus)).trainTokenizer(60)
                .teacher(TeacherSpec.pretrainMlm(PretrainingTest.micro())).objective(Objective.KD_PLUS_MLM)
                .student(PretrainingTest.micro()).cacheTargets(16).outputDir(dir.resolve("x")).fit()).getMessage();
        assertTrue(m.contains("cacheTargets") && m.contains("KD_PLUS_MLM"), m);
        assertThrows(IllegalArgumentException.class, () -> Pretraining.twoPhase().cacheTargets(-1));
    }
}
