package io.mlsm.spark;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.DictionarySpec;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.pretrain.Pretraining;
import io.mlsm.core.pretrain.TeacherSpec;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.models.DebertaConfig;
import io.mlsm.runtime.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cache a {@code Pretraining} run writes under {@code <out>/targets/} equals the one {@link SparkTargets}
 * computes from that run's encoded corpus, teacher and dictionary; and a run whose cache came from Spark uses it as
 * it is (the student phase does not rebuild it).
 */
class SparkTargetsPretrainingTest {

    @TempDir
    Path dir;

    private Pretraining.Builder pipeline(Path text, Path out, int studentSteps) {
        DebertaConfig micro = DebertaConfig.tiny();
        return Pretraining.twoPhase().corpus(Corpus.directory(text)).trainTokenizer(300)
                .teacher(TeacherSpec.pretrainMlm(micro).steps(6).learningRate(3e-3))
                .dictionary(DictionarySpec.learn().atoms(24).lambda(0.05).layer(-1).sampleTokens(2000).batchSize(200)
                        .iterations(10).fistaIterations(30))
                .objective(Objective.MLSM_PLUS_MLM).student(micro).steps(studentSteps).learningRate(3e-3)
                .batchSize(8).cacheTargets(8).listener(new TrainingListener() { }).outputDir(out).seed(3);
    }

    @Test
    void thePipelinesCacheEqualsTheSparkJobsAndARunReadsTheSparkCache() throws IOException {
        Path text = SparkFixture.get().textDir;
        Path out = dir.resolve("run");
        pipeline(text, out, 2).fit();
        Path cache = out.resolve("targets").resolve("concepts-top8" + ConceptTargetCache.EXTENSION);
        List<Path> encoded = SparkFixture.filesEnding(out.resolve("corpus-cache"), EncodedCorpus.EXTENSION);
        assertEquals(1, encoded.size(), "one encoded corpus in " + out.resolve("corpus-cache"));
        Path fromSpark = dir.resolve("spark" + ConceptTargetCache.EXTENSION);
        SparkTargets.builder().corpus(encoded.get(0)).teacher(out.resolve("teacher"))
                .tokenizer(out.resolve("tokenizer").resolve("tokenizer.json"))
                .dictionary(out.resolve("dictionary").resolve("dictionary.mlsmdict")).lambda(0.05).fistaIterations(30)
                .topN(8).batchSize(8).sequencesPerTask(20).output(fromSpark).build().run(SparkFixture.spark());
        assertEquals(-1, Files.mismatch(cache, fromSpark), "Spark's cache differs from the pipeline's");

        // the student phase again, with the Spark cache in place: opened, not rebuilt
        Files.copy(fromSpark, cache, StandardCopyOption.REPLACE_EXISTING);
        FileTime stamp = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(cache, stamp);
        AtomicFiles.deleteRecursively(out.resolve("student"));
        AtomicFiles.deleteRecursively(out.resolve("student-run"));
        AtomicFiles.deleteRecursively(out.resolve("recipes").resolve("student.json"));
        pipeline(text, out, 1).fit();
        assertEquals(stamp, Files.getLastModifiedTime(cache), "the run must use the Spark cache as it is");
    }
}
