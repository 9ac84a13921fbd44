package io.mlsm.spark;

import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark targets job against the single-process cache build on the same inputs: the same bytes, also when a task
 * fails once and is retried; a job that dies half-way leaves no cache and its rerun completes it from the shards it
 * left; mismatched inputs fail on the driver, naming both sizes, before any shard is written.
 */
class SparkTargetsTest {

    static SparkFixture fx;
    static Path reference;
    static int sequences;

    @TempDir
    Path tmp;

    @BeforeAll
    static void singleProcess() throws IOException {
        fx = SparkFixture.get();
        reference = fx.dir.resolve("reference" + ConceptTargetCache.EXTENSION);
        if (!Files.exists(reference)) {
            try (EncodedCorpus seqs = EncodedCorpus.open(fx.encoded)) {
                sequences = seqs.size();
                ConceptTargetCache.builder(seqs, fx.tokenizer.specials()).teacher(fx.teacher, -1)
                        .solver(SparkTargets.solver(fx.dictionary, SparkFixture.LAMBDA, 100)).topN(8)
                        .batchSize(SparkFixture.BATCH).build(reference);
            }
        }
    }

    SparkTargets.Builder job(Path out) {
        return SparkTargets.builder().corpus(fx.encoded).teacher(fx.teacherDir).dictionary(fx.dictionaryFile)
                .topN(8).batchSize(SparkFixture.BATCH).sequencesPerTask(10).output(out);
    }

    @Test
    void equalsTheSingleProcessCacheByteForByte() throws IOException {
        Path out = tmp.resolve("targets/concepts-top8" + ConceptTargetCache.EXTENSION);
        SparkTargets.Result r = job(out).build().run(SparkFixture.spark());
        assertTrue(sequences > 36, "the corpus should need several shards, has " + sequences + " sequences");
        assertEquals((sequences + 11) / 12, r.tasks(), "shards of 10 sequences rounded up to whole batches of 4");
        assertEquals(-1, Files.mismatch(reference, out), "Spark cache differs from the single-process one");
        assertFalse(Files.exists(out.resolveSibling(out.getFileName() + ".shards")), "staging folder left behind");
        SparkTargets.Result again = job(out).build().run(SparkFixture.spark());
        assertTrue(again.upToDate(), "a second run over the same inputs should find the cache up to date");
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheCacheIsStillIdentical() throws IOException {
        Path out = tmp.resolve("retried" + ConceptTargetCache.EXTENSION);
        job(out).faults(new TaskFaults(Set.of(0, 2), Set.of())).build().run(SparkFixture.spark());
        assertEquals(-1, Files.mismatch(reference, out));
    }

    @Test
    void aJobKilledHalfWayLeavesNoCacheAndItsRerunCompletesIt() throws IOException {
        Path out = tmp.resolve("killed" + ConceptTargetCache.EXTENSION);
        Path staging = out.resolveSibling(out.getFileName() + ".shards");
        SparkTargets doomed = job(out).faults(new TaskFaults(Set.of(), Set.of(2))).build();
        assertThrows(SparkException.class, () -> doomed.run(SparkFixture.spark()));
        assertFalse(Files.exists(out), "a failed job must not leave a cache");
        int left = SparkFixture.filesEnding(staging, ConceptTargetCache.SHARD_EXTENSION).size();
        assertTrue(left >= 1, "the other tasks' shards should be kept for the rerun");
        SparkTargets.Result r = job(out).build().run(SparkFixture.spark());
        // a task still running when the job failed may finish its shard after the count: at least `left` are reused
        assertTrue(r.reused() >= left && r.reused() < r.tasks(), "the rerun should reuse the " + left + " shards the "
                + "failed job wrote and compute the failed one, reused " + r.reused() + " of " + r.tasks());
        assertEquals(-1, Files.mismatch(reference, out));
    }

    @Test
    void aDictionaryOfAnotherDimensionFailsOnTheDriverNamingBothSizes() throws IOException {
        int h = fx.teacher.config().hiddenSize();
        Path wrong = tmp.resolve("wrong.bin");
        Dictionary.of(Dictionary.randomUnitAtoms(h + 4, 8, 1, DataType.FLOAT),
                DictionaryProvenance.of(0.1, 8, h + 4, "wrong size")).save(wrong);
        Path out = tmp.resolve("mismatch" + ConceptTargetCache.EXTENSION);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job(out).dictionary(wrong).build().run(SparkFixture.spark()));
        assertTrue(e.getMessage().contains("dimension " + (h + 4)) && e.getMessage().contains("hidden size " + h),
                e.getMessage());
        assertFalse(Files.exists(out.resolveSibling(out.getFileName() + ".shards")), "a task ran");
    }

    @Test
    void aTeacherWithASmallerVocabularyFailsOnTheDriverNamingBothSizes() throws IOException {
        int v = fx.tokenizer.vocabSize();
        Path small = tmp.resolve("small-teacher");
        HfDebertaDirectory.export(small, DebertaModel.initialize(DebertaConfig.tiny().withVocabSize(v - 100)
                .withPadTokenId(fx.tokenizer.specials().pad()), 3), null);
        Path out = tmp.resolve("vocab" + ConceptTargetCache.EXTENSION);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job(out).teacher(small).tokenizer(fx.tokenizerFile).build().run(SparkFixture.spark()));
        assertTrue(e.getMessage().contains(Integer.toString(v)) && e.getMessage().contains(Integer.toString(v - 100)),
                e.getMessage());
        assertFalse(Files.exists(out.resolveSibling(out.getFileName() + ".shards")), "a task ran");
    }

    @Test
    void oneDriverPerOutputAndAUserStagingFolderKeepsItsOtherFiles() throws IOException {
        Path out = tmp.resolve("locked" + ConceptTargetCache.EXTENSION);
        Path staging = tmp.resolve("my-staging");
        Files.createDirectories(staging);
        Files.writeString(staging.resolve("notes.txt"), "mine");
        try (io.mlsm.runtime.RunDirectoryLock held = io.mlsm.runtime.RunDirectoryLock.acquire(staging, "another job")) {
            assertThrows(io.mlsm.runtime.RunDirectoryLock.RunDirectoryInUseException.class,
                    () -> job(out).stagingDir(staging).build().run(SparkFixture.spark()));
        }
        job(out).stagingDir(staging).build().run(SparkFixture.spark());
        assertEquals(-1, Files.mismatch(reference, out));
        try (var left = Files.list(staging)) {
            assertEquals(java.util.List.of(staging.resolve("notes.txt")), left.toList(), "only the user's file stays");
        }
    }
}
