package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.Sequences;
import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.core.train.CachedConceptTargets;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.core.train.ConceptTargets;
import io.mlsm.core.train.TargetSource;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.optim.AdamW;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark (not a test) of phase-2 step time with cached concept targets: mean time of one training step
 * (targets + forward + backward + AdamW) of
 * <ol>
 *   <li>{@code mlm}: an MLM step of a student without latent concepts (the baseline);</li>
 *   <li>{@code mlm-vk}: an MLM step of the MLSM student (output layer V + k), to separate the cost of the objective
 *   from the cost of the targets;</li>
 *   <li>{@code on-the-fly}: an MLSM+MLM step whose targets come from {@link ConceptTargets} (teacher forward on the
 *   unmasked batch + non-negative FISTA, the pipeline's reference settings: 100 iterations, λ = 0.05);</li>
 *   <li>{@code cached}: the same step with targets read from a {@link ConceptTargetCache}.</li>
 * </ol>
 * Teacher and students are randomly initialised (step time does not depend on the weights: FISTA runs a fixed number
 * of iterations), the dictionary is random unit atoms, the sequences random ids. The variants run interleaved in
 * {@code rounds} rounds (each: {@code warmup} unmeasured steps then {@code steps} measured ones), so a change in the
 * machine's load hits all of them alike.
 *
 * <pre>
 * env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java -cp ... io.mlsm.examples.bench.CachedTargetsBenchmark \
 *     small 16 128 1500 3 1 2 32    # preset batch seqLen k steps warmup rounds topN
 * </pre>
 */
public final class CachedTargetsBenchmark {

    private static final SpecialTokens SPECIALS = new SpecialTokens(0, 1, 2, 3, 4);
    private static final List<String> VARIANTS = List.of("mlm", "mlm-vk", "on-the-fly", "cached");

    private CachedTargetsBenchmark() {
    }

    /**
     * Settings of one run.
     *
     * @param preset tiny or small
     * @param batch  sequences per step
     * @param seqLen tokens per sequence (every sequence has this length)
     * @param k      dictionary atoms
     * @param steps  measured steps per variant and round
     * @param warmup unmeasured steps per variant and round
     * @param rounds interleaved rounds
     * @param topN   slots per token in the cache
     */
    public record Options(String preset, int batch, int seqLen, int k, int steps, int warmup, int rounds, int topN) {
        /** Validates. */
        public Options {
            if (batch < 1 || seqLen < 3 || k < 1 || steps < 1 || warmup < 0 || rounds < 1 || topN < 1) {
                throw new IllegalArgumentException("bad benchmark options " + batch + "/" + seqLen + "/" + k + "/"
                        + steps + "/" + warmup + "/" + rounds + "/" + topN);
            }
        }
    }

    /**
     * Result of a run.
     *
     * @param secondsPerStep mean seconds per measured step, by variant
     * @param perRound       mean seconds per step of each round, by variant
     * @param buildSeconds   time to build the cache
     * @param cacheBytes     size of the cache file
     * @param cachedTokens   tokens in the cache
     */
    public record Result(Map<String, Double> secondsPerStep, Map<String, List<Double>> perRound, double buildSeconds,
                         long cacheBytes, long cachedTokens) {
        /** @return cached step time / MLM step time */
        public double cachedOverMlm() {
            return secondsPerStep.get("cached") / secondsPerStep.get("mlm");
        }

        /** @return on-the-fly step time / MLM step time */
        public double onTheFlyOverMlm() {
            return secondsPerStep.get("on-the-fly") / secondsPerStep.get("mlm");
        }

        /** @return cached step time / MLM step time of the same (V + k) student */
        public double cachedOverMlmVk() {
            return secondsPerStep.get("cached") / secondsPerStep.get("mlm-vk");
        }
    }

    public static void main(String[] args) throws IOException {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        Options o = new Options(arg(args, 0, "small"), Integer.parseInt(arg(args, 1, "16")),
                Integer.parseInt(arg(args, 2, "128")), Integer.parseInt(arg(args, 3, "1500")),
                Integer.parseInt(arg(args, 4, "3")), Integer.parseInt(arg(args, 5, "1")),
                Integer.parseInt(arg(args, 6, "2")), Integer.parseInt(arg(args, 7, "32")));
        Result r = run(o);
        System.out.printf(Locale.ROOT, "%s B=%d T=%d k=%d top-%d: cache of %d tokens built in %.1f s (%.1f MiB)%n",
                o.preset(), o.batch(), o.seqLen(), o.k(), o.topN(), r.cachedTokens(), r.buildSeconds(),
                r.cacheBytes() / 1048576.0);
        for (String v : VARIANTS) {
            System.out.printf(Locale.ROOT, "%-10s %.3f s/step  rounds %s%n", v, r.secondsPerStep().get(v),
                    r.perRound().get(v).stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList());
        }
        System.out.printf(Locale.ROOT, "cached/mlm = %.3f, on-the-fly/mlm = %.3f, cached/mlm(V+k) = %.3f%n",
                r.cachedOverMlm(), r.onTheFlyOverMlm(), r.cachedOverMlmVk());
    }

    private static String arg(String[] args, int i, String def) {
        return args.length > i ? args[i] : def;
    }

    /**
     * @param o settings
     * @return step times
     * @throws IOException when the cache cannot be written
     */
    public static Result run(Options o) throws IOException {
        DebertaConfig cfg = switch (o.preset()) {
            case "tiny" -> DebertaConfig.tiny();
            case "small" -> DebertaConfig.small();
            default -> throw new IllegalArgumentException("preset must be tiny or small, got " + o.preset());
        };
        cfg = cfg.withPadTokenId(SPECIALS.pad());
        // one batch of distinct sequences, masked anew at every step (the cache build codes every token of them,
        // the dominant cost on a shared 2-core machine)
        Sequences sequences = randomSequences(o.batch(), o.seqLen(), cfg.vocabSize(), 17);
        DebertaModel teacher = DebertaModel.initialize(cfg, 1);
        DebertaModel mlmStudent = DebertaModel.initialize(cfg, 2);
        DebertaModel mlsmStudent = DebertaModel.initialize(cfg.withLatentConcepts(o.k()), 3);
        Dictionary dict = Dictionary.of(Dictionary.randomUnitAtoms(cfg.hiddenSize(), o.k(), 5, DataType.FLOAT),
                DictionaryProvenance.of(0.05, o.k(), cfg.hiddenSize(), "random unit atoms (benchmark)"));
        NonNegativeFista fista = NonNegativeFista.builder(dict).options(NonNegativeFista.Options.reference(0.05))
                .build();
        Path dir = Files.createTempDirectory("mlsm-cache-bench");
        Path file = dir.resolve("targets" + ConceptTargetCache.EXTENSION);
        try {
            long t0 = System.nanoTime();
            ConceptTargetCache cache = ConceptTargetCache.builder(sequences, SPECIALS).teacher(teacher, -1)
                    .solver(fista).topN(o.topN()).batchSize(o.batch()).build(file);
            double build = (System.nanoTime() - t0) / 1e9;
            BatchStream stream = BatchStream.builder(sequences, SPECIALS, cfg.vocabSize()).batchSize(o.batch())
                    .masking(Masking.mlm()).seed(23).build();
            Map<String, Variant> variants = new LinkedHashMap<>();
            variants.put("mlm", new Variant(mlmStudent, TrainingObjective.mlm(), TargetSource.none()));
            variants.put("mlm-vk", new Variant(mlsmStudent, TrainingObjective.mlm(), TargetSource.none()));
            variants.put("on-the-fly", new Variant(mlsmStudent, TrainingObjective.mlsmPlusMlm(1.0),
                    new ConceptTargets(teacher, -1, dict, fista)));
            variants.put("cached", new Variant(mlsmStudent, TrainingObjective.mlsmPlusMlm(1.0),
                    new CachedConceptTargets(cache)));
            Map<String, List<Double>> perRound = new LinkedHashMap<>();
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, AdamW> optimisers = new LinkedHashMap<>();
            for (String v : VARIANTS) {
                perRound.put(v, new ArrayList<>());
                optimisers.put(v, new AdamW(AdamW.Options.defaults()));
            }
            long index = 0;
            for (int round = 0; round < o.rounds(); round++) {
                for (String name : VARIANTS) {
                    Variant v = variants.get(name);
                    long measured = 0;
                    for (int s = 0; s < o.warmup() + o.steps(); s++) {
                        Batch b = stream.batch(index++);
                        long a = System.nanoTime();
                        TrainingBatch tb = v.targets.attach(b, TrainingBatch.of(b.inputIdsArray(DataType.INT32),
                                b.attentionMaskArray(v.model.dataType()), b.labelsArray(DataType.INT32)));
                        long t1 = System.nanoTime();
                        StepResult res = v.model.computeGradients(v.objective, tb, index);
                        long t2 = System.nanoTime();
                        optimisers.get(name).step(v.model.parameters(), res.gradients(), 1e-5);
                        long t3 = System.nanoTime();
                        System.out.printf(Locale.ROOT, "round %d %-10s step %d: targets %.3f s, fwd+bwd %.3f s, "
                                        + "AdamW %.3f s, total %.3f s%s%n", round, name, s, (t1 - a) / 1e9,
                                (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t3 - a) / 1e9, s < o.warmup() ? " (warm-up)" : "");
                        if (s >= o.warmup()) {
                            measured += t3 - a;
                        }
                    }
                    perRound.get(name).add(measured / 1e9 / o.steps());
                }
            }
            for (String v : VARIANTS) {
                mean.put(v, perRound.get(v).stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            }
            return new Result(mean, perRound, build, Files.size(file), cache.tokenCount());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private record Variant(DebertaModel model, TrainingObjective objective, TargetSource targets) {
    }

    /** Sequences {@code [CLS] random ids [SEP]} of length {@code length}. */
    static Sequences randomSequences(int count, int length, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] s = new int[length];
            s[0] = SPECIALS.cls();
            for (int t = 1; t < length - 1; t++) {
                s[t] = 5 + r.nextInt(vocab - 5);
            }
            s[length - 1] = SPECIALS.sep();
            out.add(s);
        }
        return Sequences.of(out);
    }
}
