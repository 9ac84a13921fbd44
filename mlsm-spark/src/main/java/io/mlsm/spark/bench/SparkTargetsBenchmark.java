package io.mlsm.spark.bench;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.examples.BundledData;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.spark.SparkJobs;
import io.mlsm.spark.SparkTargets;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test) of concept-target computation: the single-process {@link ConceptTargetCache} build against
 * {@link SparkTargets} on an in-process Spark with {@code slots} task slots, alternating for {@code rounds} rounds in
 * one JVM, on the same inputs: the bundled corpus (first {@code lines} lines, line pairs of 128 ids) under a
 * 2000-piece tokenizer trained on it, a randomly initialised teacher of a preset (speed does not depend on the
 * weights), a random dictionary of {@code k} atoms, λ 0.05, 100 FISTA iterations, top 32, batches of 32. Prints both
 * medians in tokens/s, the ratio, the per-slot rate (tokens over the tasks' summed wall time) and the load average.
 *
 * <pre>
 * scripts/bench io.mlsm.spark.bench.SparkTargetsBenchmark small 1200 1024 2 2   # preset lines k slots rounds
 * </pre>
 */
public final class SparkTargetsBenchmark {

    private SparkTargetsBenchmark() {
    }

    /** @param args preset (tiny|small|base), lines, k, slots, rounds */
    public static void main(String[] args) throws Exception {
        String preset = args.length > 0 ? args[0] : "small";
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 1200;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int slots = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        Path dir = Files.createTempDirectory("mlsm-spark-bench");
        try {
            run(dir, preset, lines, k, slots, rounds);
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
    }

    private static void run(Path dir, String preset, int lines, int k, int slots, int rounds) throws IOException {
        Corpus bundled = BundledData.corpus(dir.resolve("bundled"));
        List<String> text = new ArrayList<>();
        for (String line : bundled) {
            if (text.size() >= lines) {
                break;
            }
            text.add(line);
        }
        Path textFile = dir.resolve("text.train");
        Files.write(textFile, text, StandardCharsets.UTF_8);
        UnigramTokenizer tok = UnigramTokenizer.train(text, 2000);
        Path tokFile = dir.resolve("tokenizer.json");
        tok.save(tokFile);
        Path encoded = dir.resolve("corpus" + EncodedCorpus.EXTENSION);
        EncodedCorpus seqs = EncodedCorpus.build(Corpus.lines(textFile), tok, SequenceOptions.defaults(), encoded);
        DebertaConfig base = PretrainExample.Size.named(preset).config();
        DebertaModel teacher = DebertaModel.initialize(base.withVocabSize(tok.vocabSize())
                .withPadTokenId(tok.specials().pad()), 1);
        Path teacherDir = dir.resolve("teacher");
        HfDebertaDirectory.export(teacherDir, teacher, null);
        Files.copy(tokFile, teacherDir.resolve("tokenizer.json"));
        int h = teacher.config().hiddenSize();
        Dictionary dict = Dictionary.of(Dictionary.randomUnitAtoms(h, k, 2, DataType.FLOAT),
                DictionaryProvenance.of(0.05, k, h, "random unit atoms"));
        Path dictFile = dir.resolve("dictionary.bin");
        dict.save(dictFile);
        NonNegativeFista solver = NonNegativeFista.builder(dict).options(NonNegativeFista.Options.reference(0.05))
                .maxIterations(100).build();
        long tokens = seqs.tokenCount();
        int perTask = Math.max(32, (seqs.size() / (2 * slots) + 31) / 32 * 32);
        System.out.printf(Locale.ROOT, "inputs: %s teacher (%d layers x %d), k=%d, %d sequences, %d tokens, %d "
                        + "sequences per task; OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s%n", preset,
                teacher.config().numLayers(), h, k, seqs.size(), tokens, perTask,
                System.getenv("OPENBLAS_NUM_THREADS"), System.getenv("OMP_NUM_THREADS"));
        List<Double> single = new ArrayList<>();
        List<Double> spark = new ArrayList<>();
        List<Double> perSlot = new ArrayList<>();
        try (JavaSparkContext sc = SparkJobs.context("mlsm targets benchmark", "local[" + slots + "]")) {
            for (int r = 0; r < rounds; r++) {
                Path a = dir.resolve("single-" + r + ConceptTargetCache.EXTENSION);
                long t0 = System.nanoTime();
                ConceptTargetCache.builder(seqs, tok.specials()).teacher(teacher, -1).solver(solver).topN(32)
                        .batchSize(32).build(a);
                double s = (System.nanoTime() - t0) / 1e9;
                single.add(tokens / s);
                Path b = dir.resolve("spark-" + r + ConceptTargetCache.EXTENSION);
                SparkTargets.Result res = SparkTargets.builder().corpus(encoded).teacher(teacherDir)
                        .dictionary(dictFile).lambda(0.05).topN(32).batchSize(32).sequencesPerTask(perTask)
                        .output(b).build().run(sc);
                spark.add(res.tokensPerSecond());
                perSlot.add(tokens / res.taskSeconds());
                boolean same = Files.mismatch(a, b) == -1;
                System.out.printf(Locale.ROOT, "round %d: single-process %.0f tokens/s (%.1f s), local[%d] %.0f "
                                + "tokens/s (%.1f s, %d tasks, %.0f tokens/s per slot), identical files: %b%n", r + 1,
                        tokens / s, s, slots, res.tokensPerSecond(), res.seconds(), res.tasks(),
                        tokens / res.taskSeconds(), same);
                Files.delete(a);
                Files.delete(b);
            }
        }
        seqs.close();
        double ms = median(single);
        double mk = median(spark);
        System.out.printf(Locale.ROOT, "median: single-process %.0f tokens/s, local[%d] %.0f tokens/s, ratio %.2fx; "
                        + "per slot %.0f tokens/s; load average %s%n", ms, slots, mk, mk / ms, median(perSlot),
                Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
