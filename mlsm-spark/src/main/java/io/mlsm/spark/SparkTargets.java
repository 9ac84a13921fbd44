package io.mlsm.spark;

import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.core.train.ConceptTargets;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.runtime.RunDirectoryLock;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.NonNegativeFista;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The concept-target cache of a whole corpus computed on a Spark cluster: every task codes a contiguous range of
 * sequences (a whole number of teacher batches) with the teacher and dictionary its executor loaded once, and writes
 * a shard next to the output; the driver joins the shards into the same {@link ConceptTargetCache} file that
 * {@code Pretraining} and {@code CachedConceptTargets} read. Because each shard's batches are exactly the
 * single-process build's batches, the file is byte-for-byte the one {@link ConceptTargetCache.Builder#build} writes.
 *
 * <p>Faults: a failed task is retried by Spark and rewrites its shard atomically; the cache appears only when every
 * shard is there and checked (one atomic rename), so a job killed half-way leaves no cache, and running it again
 * reuses the shards already written and computes the rest. Inputs are checked on the driver before any task runs:
 * teacher hidden size vs dictionary dimension, tokenizer/corpus vocabulary vs teacher vocabulary, layer range.
 *
 * <p>Every executor must be able to read the corpus, teacher, dictionary and tokenizer paths, and the shard folder
 * must be one folder that the executors and the driver all see (a shared or network file system; on one machine,
 * any folder).
 *
 * <pre>{@code
 * try (JavaSparkContext sc = SparkJobs.context("targets", "local[2]")) {
 *     SparkTargets.Result r = SparkTargets.builder()
 *             .corpus(run.resolve("corpus-cache/corpus-….mlsmseq"))
 *             .teacher(run.resolve("teacher")).dictionary(run.resolve("dictionary/dictionary.mlsmdict"))
 *             .topN(32).batchSize(32)
 *             .output(run.resolve("targets/concepts-top32.mlsmtgt"))
 *             .build().run(sc);
 * }
 * }</pre>
 */
public final class SparkTargets {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTargets.class);

    private final Path corpus;
    private final Path tokenizer;
    private final Path teacher;
    private final Path dictionary;
    private final Double lambda;
    private final int fistaIterations;
    private final int layer;
    private final int topN;
    private final int batchSize;
    private final int sequencesPerTask;
    private final Path output;
    private final Path staging;
    private final TaskFaults faults;

    private SparkTargets(Builder b) {
        this.corpus = require(b.corpus, "corpus");
        this.teacher = require(b.teacher, "teacher");
        this.dictionary = require(b.dictionary, "dictionary");
        this.output = require(b.output, "output");
        this.tokenizer = b.tokenizer != null ? b.tokenizer : teacher.resolve("tokenizer.json");
        this.lambda = b.lambda;
        this.fistaIterations = b.fistaIterations;
        this.layer = b.layer;
        this.topN = b.topN;
        this.batchSize = b.batchSize;
        this.sequencesPerTask = Math.max(b.batchSize, (b.sequencesPerTask + b.batchSize - 1) / b.batchSize
                * b.batchSize);
        this.staging = b.staging != null ? b.staging
                : output.resolveSibling(output.getFileName() + ".shards");
        this.faults = b.faults;
    }

    private static Path require(Path p, String what) {
        if (p == null) {
            throw new IllegalArgumentException("SparkTargets needs " + what + "(...)");
        }
        return p.toAbsolutePath().normalize();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a run did.
     *
     * @param cache        the cache file
     * @param sequences    sequences coded
     * @param tokens       token records
     * @param tasks        tasks the job had (shards of the cache)
     * @param reused       shards found from an earlier, interrupted run and not computed again
     * @param seconds      wall time of the whole run, driver checks and join included
     * @param taskSeconds  summed wall time of the tasks that ran (per-executor rate = tokens computed / this)
     * @param upToDate     true when the cache already existed for these inputs and nothing ran
     */
    public record Result(Path cache, int sequences, long tokens, int tasks, int reused, double seconds,
                         double taskSeconds, boolean upToDate) {
        /** @return token records per second of wall time */
        public double tokensPerSecond() {
            return seconds > 0 ? tokens / seconds : 0;
        }
    }

    /** Fluent configuration. Defaults: layer −1, λ from the dictionary, 100 FISTA iterations, top 32, batch 32. */
    public static final class Builder {
        private Path corpus;
        private Path tokenizer;
        private Path teacher;
        private Path dictionary;
        private Double lambda;
        private int fistaIterations = 100;
        private int layer = -1;
        private int topN = 32;
        private int batchSize = 32;
        private int sequencesPerTask = 2048;
        private Path output;
        private Path staging;
        private TaskFaults faults = TaskFaults.NONE;

        private Builder() {
        }

        /** @param file an encoded corpus ({@code .mlsmseq}, e.g. from {@link SparkEncoding}) @return this */
        public Builder corpus(Path file) {
            this.corpus = Objects.requireNonNull(file, "corpus");
            return this;
        }

        /** @param file the tokenizer.json (default: the teacher directory's) @return this */
        public Builder tokenizer(Path file) {
            this.tokenizer = Objects.requireNonNull(file, "tokenizer");
            return this;
        }

        /** @param dir the teacher's model directory @return this */
        public Builder teacher(Path dir) {
            this.teacher = Objects.requireNonNull(dir, "teacher");
            return this;
        }

        /** @param file the dictionary ({@code .bin} of this library or a numpy {@code .npy}) @return this */
        public Builder dictionary(Path file) {
            this.dictionary = Objects.requireNonNull(file, "dictionary");
            return this;
        }

        /** @param l the teacher layer as in {@link ConceptTargets} (−1 = last) @return this */
        public Builder layer(int l) {
            this.layer = l;
            return this;
        }

        /** @param l the ℓ1 weight λ of the codes (default: the dictionary's own) @return this */
        public Builder lambda(double l) {
            if (!(l >= 0) || Double.isInfinite(l)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + l);
            }
            this.lambda = l;
            return this;
        }

        /** @param n FISTA iterations per code, {@code >= 1} @return this */
        public Builder fistaIterations(int n) {
            this.fistaIterations = positive(n, "fistaIterations");
            return this;
        }

        /** @param n concepts kept per token, {@code >= 1} @return this */
        public Builder topN(int n) {
            this.topN = positive(n, "topN");
            return this;
        }

        /** @param n sequences per teacher forward pass, {@code >= 1} (as the single-process build's) @return this */
        public Builder batchSize(int n) {
            this.batchSize = positive(n, "batchSize");
            return this;
        }

        /** @param n sequences per task (rounded up to whole batches) @return this */
        public Builder sequencesPerTask(int n) {
            this.sequencesPerTask = positive(n, "sequencesPerTask");
            return this;
        }

        /** @param file the cache file to write @return this */
        public Builder output(Path file) {
            this.output = Objects.requireNonNull(file, "output");
            return this;
        }

        /** @param dir where shards wait until the join (default: {@code <output>.shards}) @return this */
        public Builder stagingDir(Path dir) {
            this.staging = Objects.requireNonNull(dir, "stagingDir");
            return this;
        }

        Builder faults(TaskFaults f) {
            this.faults = Objects.requireNonNull(f, "faults");
            return this;
        }

        /** @return the job */
        public SparkTargets build() {
            return new SparkTargets(this);
        }

        private static int positive(int n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + n);
            }
            return n;
        }
    }

    /** One task: the shard of sequences {@code [from, to)}. */
    record Task(int index, String corpus, String tokenizer, String teacher, String dictionary, double lambda,
                int fistaIterations, int layer, int topN, int batchSize, int from, int to, String shard,
                String fpTeacher, String fpCoder, String fpCorpus, int fullLayers, TaskFaults faults)
            implements Serializable {
    }

    /** What a task reports back. */
    record Done(int index, long tokens, double seconds) implements Serializable {
    }

    /**
     * Checks the inputs on the driver, runs the missing shards on the cluster and joins them into the cache.
     *
     * @param sc the Spark context
     * @return what was done
     * @throws IOException              when an input cannot be read or the cache cannot be written
     * @throws IllegalArgumentException naming both sizes when the teacher, dictionary and corpus do not fit together
     */
    public Result run(JavaSparkContext sc) throws IOException {
        long t0 = System.nanoTime();
        Tokenizer tok = UnigramTokenizer.load(tokenizer);
        DebertaModel model = HfDebertaDirectory.loadModelFor(teacher, tok.vocabSize(), -1);
        Dictionary dict = Dictionary.load(dictionary);
        double l = lambda != null ? lambda : dict.provenance().lambda();
        try (EncodedCorpus seqs = EncodedCorpus.open(corpus)) {
            checkFit(model.config(), dict, seqs, tok);
            NonNegativeFista solver = solver(dict, l, fistaIterations);
            new ConceptTargets(model, layer, dict, solver); // the layer range, on the driver
            ConceptTargetCache.Fingerprints fp = ConceptTargetCache.Fingerprints.of(model, layer, solver, seqs);
            if (Files.isRegularFile(output)) {
                try {
                    ConceptTargetCache.open(output, seqs, fp);
                    LOG.info("spark-targets: {} is up to date for these inputs; nothing to do", output);
                    return new Result(output, seqs.size(), seqs.tokenCount(), 0, 0, seconds(t0), 0, true);
                } catch (IllegalArgumentException e) {
                    LOG.info("spark-targets: replacing {}: {}", output, e.getMessage());
                }
            }
            Files.createDirectories(staging);
            List<Path> shards = new ArrayList<>();
            double taskSeconds;
            int reused = 0;
            int n = seqs.size();
            try (RunDirectoryLock lock = RunDirectoryLock.acquire(staging, "spark-targets " + output)) {
                AtomicFiles.removeStaleTemporaries(staging);
                List<Task> pending = new ArrayList<>();
                for (int i = 0, from = 0; from < n; i++, from += sequencesPerTask) {
                    int to = Math.min(n, from + sequencesPerTask);
                    Path shard = staging.resolve(String.format(Locale.ROOT, "part-%05d", i)
                            + ConceptTargetCache.SHARD_EXTENSION);
                    shards.add(shard);
                    if (reusable(shard, from, to, fp, dict.size())) {
                        reused++;
                        continue;
                    }
                    pending.add(new Task(i, corpus.toString(), tokenizer.toString(), teacher.toString(),
                            dictionary.toString(), l, fistaIterations, layer, topN, batchSize, from, to,
                            shard.toString(), fp.teacher(), fp.coder(), fp.corpus(), model.config().numLayers(),
                            faults));
                }
                LOG.info("spark-targets: {} sequences ({} tokens) in {} shards of up to {} sequences; {} to compute, "
                        + "{} kept from an earlier run", n, seqs.tokenCount(), shards.size(), sequencesPerTask,
                        pending.size(), reused);
                List<Done> done = SparkJobs.eachOnce(sc, pending, SparkTargets::runTask,
                        "mlsm targets: " + pending.size() + " shards of " + corpus.getFileName());
                taskSeconds = done.stream().mapToDouble(Done::seconds).sum();
                ConceptTargetCache.assemble(output, seqs, fp, shards);
            }
            SparkJobs.removeStaging(staging, shards);
            Result r = new Result(output, n, seqs.tokenCount(), shards.size(), reused, seconds(t0), taskSeconds,
                    false);
            LOG.info("spark-targets: {} written: {} tokens in {} s ({} tokens/s)", output, r.tokens(),
                    String.format(Locale.ROOT, "%.1f", r.seconds()),
                    String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()));
            return r;
        }
    }

    private boolean reusable(Path shard, int from, int to, ConceptTargetCache.Fingerprints fp, int k) {
        if (!Files.isRegularFile(shard)) {
            return false;
        }
        try {
            ConceptTargetCache.Shard s = ConceptTargetCache.readShard(shard);
            boolean ok = s.from() == from && s.to() == to && s.fingerprints().equals(fp) && s.k() == k
                    && s.topN() == topN;
            if (!ok) {
                LOG.info("spark-targets: recomputing {}: it belongs to other inputs or another split", shard);
            }
            return ok;
        } catch (IOException | IllegalArgumentException e) {
            LOG.info("spark-targets: recomputing {}: {}", shard, e.getMessage());
            return false;
        }
    }

    /**
     * Checks that teacher, dictionary and corpus fit together.
     *
     * @throws IllegalArgumentException naming both sizes of the first mismatch
     */
    static void checkFit(DebertaConfig teacher, Dictionary dict, EncodedCorpus seqs, Tokenizer tok) {
        if (dict.dimension() != teacher.hiddenSize()) {
            throw new IllegalArgumentException("dictionary dimension " + dict.dimension() + " does not match the "
                    + "teacher's hidden size " + teacher.hiddenSize() + ": the dictionary was learned on another "
                    + "model");
        }
        int corpusVocab = seqs.header().vocabSize();
        if (corpusVocab > teacher.vocabSize()) {
            throw new IllegalArgumentException("the corpus " + seqs.file().getFileName() + " was encoded with a "
                    + corpusVocab + "-piece vocabulary but the teacher has " + teacher.vocabSize() + " rows: "
                    + "another tokenizer");
        }
        if (tok.vocabSize() != corpusVocab) {
            throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " pieces but the corpus "
                    + seqs.file().getFileName() + " was encoded with " + corpusVocab);
        }
        String fp = EncodedCorpus.tokenizerFingerprint(tok);
        if (!fp.equals(seqs.header().tokenizerFingerprint())) {
            throw new IllegalArgumentException("the corpus " + seqs.file().getFileName() + " was encoded with "
                    + "another tokenizer (fingerprint " + seqs.header().tokenizerFingerprint().substring(0, 12)
                    + "…, this one " + fp.substring(0, 12) + "…)");
        }
    }

    static NonNegativeFista solver(Dictionary dict, double lambda, int iterations) {
        return NonNegativeFista.builder(dict).options(NonNegativeFista.Options.reference(lambda))
                .maxIterations(iterations).build();
    }

    /** The teacher truncated after the layer its targets come from (kept so in the pool: no graph per task). */
    private static DebertaModel upTo(DebertaModel full, int layer) {
        return ConceptTargets.upTo(full, ConceptTargets.hiddenStateIndex(layer, full.config().numLayers()));
    }

    /** Executor side: codes one shard with the executor's teacher, solver, tokenizer and corpus. */
    static Done runTask(Task t) throws IOException {
        long t0 = System.nanoTime();
        Path corpusPath = Path.of(t.corpus());
        try (ExecutorPool.Lease<EncodedCorpus> seqs = ExecutorPool.borrow("corpus:" + t.corpus(),
                () -> EncodedCorpus.open(corpusPath));
             ExecutorPool.Lease<Tokenizer> tok = ExecutorPool.borrow("tokenizer:" + t.tokenizer(),
                     () -> UnigramTokenizer.load(Path.of(t.tokenizer())));
             ExecutorPool.Lease<DebertaModel> model = ExecutorPool.borrow("teacher:" + t.teacher() + ":layer "
                     + t.layer() + ":tokenizer " + t.tokenizer(), () -> upTo(
                     HfDebertaDirectory.loadModelFor(Path.of(t.teacher()), tok.value().vocabSize(), -1), t.layer()));
             ExecutorPool.Lease<NonNegativeFista> solver = ExecutorPool.borrow("solver:" + t.dictionary() + ":"
                     + t.lambda() + ":" + t.fistaIterations(),
                     () -> solver(Dictionary.load(Path.of(t.dictionary())), t.lambda(), t.fistaIterations()))) {
            ConceptTargetCache.Fingerprints fp = new ConceptTargetCache.Fingerprints(t.fpTeacher(), t.fpCoder(),
                    t.fpCorpus());
            ConceptTargetCache.Shard s = ConceptTargetCache.builder(seqs.value(), tok.value().specials())
                    .teacher(model.value(), ConceptTargets.hiddenStateIndex(t.layer(), t.fullLayers()))
                    .solver(solver.value()).topN(t.topN()).batchSize(t.batchSize())
                    .listener((done, total, tokens) -> t.faults().check(t.index())) // dies after its first batch
                    .buildShard(t.from(), t.to(), fp, Path.of(t.shard()));
            return new Done(t.index(), s.tokens(), seconds(t0));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
