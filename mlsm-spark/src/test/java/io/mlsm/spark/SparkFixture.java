package io.mlsm.spark;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small inputs for the Spark tests, made once per JVM: the Austen test tokenizer, three short text files (and one of
 * blank lines only), their encoded corpus, a tiny random teacher with two checkpoints, and a random dictionary; and
 * one in-process Spark ({@code local[2,3]}: two slots, up to three attempts per task).
 */
final class SparkFixture {

    static final int K = 16;
    static final double LAMBDA = 0.1;
    static final int BATCH = 4;
    static final String MASTER = "local[2,3]";

    private static SparkFixture instance;
    private static JavaSparkContext context;

    final Path dir;
    final Path tokenizerFile;
    final Tokenizer tokenizer;
    final Path textDir;
    final Corpus corpus;
    final SequenceOptions options = new SequenceOptions(48, SequenceOptions.defaults().minContentTokens(), true,
            false);
    final Path encoded;
    final Path teacherDir;
    final DebertaModel teacher;
    final Path dictionaryFile;
    final Dictionary dictionary;
    final Path runDir;

    private SparkFixture() throws IOException {
        dir = Files.createTempDirectory("mlsm-spark-test");
        tokenizerFile = dir.resolve("tokenizer.json");
        try (InputStream in = SparkFixture.class.getResourceAsStream("/io/mlsm/core/tokenizer/austen_unigram_1000.json")) {
            if (in == null) {
                throw new IllegalStateException("the core test-jar's Austen tokenizer is not on the class path");
            }
            Files.copy(in, tokenizerFile);
        }
        tokenizer = UnigramTokenizer.load(tokenizerFile);
        textDir = Files.createDirectories(dir.resolve("text"));
        String[] sources = {"austen-pride.train", "carroll-alice.train", "bryant-stories.train"};
        for (int f = 0; f < sources.length; f++) {
            List<String> lines = new ArrayList<>();
            try (InputStream in = SparkFixture.class.getResourceAsStream("/corpus/" + sources[f])) {
                String[] all = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R");
                for (int i = 0; i < all.length && lines.size() < 45 + 10 * f; i++) {
                    lines.add(all[i]);
                }
            }
            Files.write(textDir.resolve("part" + f + ".train"), lines, StandardCharsets.UTF_8);
        }
        Files.writeString(textDir.resolve("part3.train"), "I\n\n");  // too short: yields no sequence
        corpus = Corpus.directory(textDir);
        encoded = dir.resolve("corpus" + EncodedCorpus.EXTENSION);
        EncodedCorpus.build(corpus, tokenizer, options, encoded).close();
        DebertaConfig cfg = DebertaConfig.tiny().withVocabSize(tokenizer.vocabSize())
                .withPadTokenId(tokenizer.specials().pad());
        teacher = DebertaModel.initialize(cfg, 21);
        teacherDir = dir.resolve("teacher");
        HfDebertaDirectory.export(teacherDir, teacher, null);
        Files.copy(tokenizerFile, teacherDir.resolve("tokenizer.json"));
        runDir = dir.resolve("run");
        HfDebertaDirectory.export(runDir.resolve("checkpoint-10"), DebertaModel.initialize(cfg, 22), null);
        HfDebertaDirectory.export(runDir.resolve("checkpoint-20"), DebertaModel.initialize(cfg, 23), null);
        int h = cfg.hiddenSize();
        dictionary = Dictionary.of(Dictionary.randomUnitAtoms(h, K, 5, DataType.FLOAT),
                DictionaryProvenance.of(LAMBDA, K, h, "random unit atoms"));
        dictionaryFile = dir.resolve("dictionary.bin");
        dictionary.save(dictionaryFile);
    }

    static synchronized SparkFixture get() throws IOException {
        if (instance == null) {
            instance = new SparkFixture();
        }
        return instance;
    }

    /** @return the shared in-process Spark, started again if a test stopped it */
    static synchronized JavaSparkContext spark() {
        if (context == null || context.sc().isStopped()) {
            context = new JavaSparkContext(new SparkConf().setMaster(MASTER).setAppName("mlsm-spark-test")
                    .set("spark.driver.host", "localhost").set("spark.ui.enabled", "false"));
        }
        return context;
    }

    /** Stops the shared Spark (a test that starts its own, like the command line's, needs the JVM to itself). */
    static synchronized void stopSpark() {
        if (context != null) {
            context.stop();
            context = null;
        }
    }

    /** @return the files under {@code dir} whose names end with {@code suffix} */
    static List<Path> filesEnding(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
