package io.mlsm.spark;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.data.EwokItem;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.EwokEvaluator;
import io.mlsm.eval.pll.EwokResult;
import io.mlsm.eval.pll.EwokRule;
import io.mlsm.eval.pll.EwokScore;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.PairScore;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.sweep.Checkpoint;
import io.mlsm.eval.sweep.CheckpointSweep;
import io.mlsm.eval.sweep.SweepResult;
import io.mlsm.eval.sweep.ZeroShotSuite;
import io.mlsm.models.io.HfDebertaDirectory;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A zero-shot checkpoint sweep (BLiMP, BLiMP supplement, EWoK) scored on a Spark cluster: the work items are
 * (checkpoint × a run of {@value BlimpEvaluator#CHUNK_PAIRS} consecutive pairs) and (checkpoint × a run of
 * {@value EwokEvaluator#CHUNK_ITEMS} EWoK items), cut where the single-process evaluators cut their scoring batches,
 * so every sentence is scored in the same batch as on one machine and gets the same score to the last bit. Each task
 * scores its pairs with the checkpoint's model, loaded once per task slot, and sends back the pseudo-log-likelihoods;
 * the driver puts them back in the suite's order and writes the same table, CSV, PNG and provenance as the
 * single-process {@link Evaluations#zeroShotSweep}. Checkpoint directories and the tokenizer must be readable by every executor;
 * the pairs travel with the tasks.
 *
 * <pre>{@code
 * try (JavaSparkContext sc = SparkJobs.context("eval", null)) {
 *     SweepResult r = SparkEvaluation.builder()
 *             .run("mlsm", Evaluations.checkpointDirectories(runDir.resolve("student-run")))
 *             .tokenizer(runDir.resolve("tokenizer/tokenizer.json")).data(Path.of("../shared/data"))
 *             .output(Path.of("reports"), "zero-shot").build().run(sc);
 * }
 * }</pre>
 */
public final class SparkEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(SparkEvaluation.class);

    private final LinkedHashMap<String, List<Path>> runs;
    private final Path tokenizer;
    private final Path data;
    private final EvalLimit limit;
    private final Evaluations.Settings settings;
    private final Path outDir;
    private final String prefix;
    private final TaskFaults faults;

    private SparkEvaluation(Builder b) {
        if (b.runs.isEmpty() || b.tokenizer == null || b.data == null || b.outDir == null) {
            throw new IllegalArgumentException("SparkEvaluation needs run(...), tokenizer(...), data(...) and "
                    + "output(...)");
        }
        this.runs = new LinkedHashMap<>(b.runs);
        this.tokenizer = b.tokenizer.toAbsolutePath().normalize();
        this.data = b.data;
        this.limit = b.limit;
        this.settings = b.settings;
        this.outDir = b.outDir;
        this.prefix = b.prefix;
        this.faults = b.faults;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent configuration. Defaults: every pair ({@link EvalLimit#all()}), {@link Evaluations.Settings#defaults()}. */
    public static final class Builder {
        private final LinkedHashMap<String, List<Path>> runs = new LinkedHashMap<>();
        private Path tokenizer;
        private Path data;
        private EvalLimit limit = EvalLimit.all();
        private Evaluations.Settings settings = Evaluations.Settings.defaults();
        private Path outDir;
        private String prefix = "zero-shot";
        private TaskFaults faults = TaskFaults.NONE;

        private Builder() {
        }

        /**
         * Adds a series of checkpoints (directories named {@code checkpoint-<step>}, or one model directory).
         *
         * @param series the series name (a table column, or {@code series@step} columns)
         * @param dirs   its checkpoint directories, in order
         * @return this
         */
        public Builder run(String series, List<Path> dirs) {
            if (dirs.isEmpty()) {
                throw new IllegalArgumentException("run '" + series + "' has no checkpoint directories");
            }
            if (runs.put(Objects.requireNonNull(series, "series"), List.copyOf(dirs)) != null) {
                throw new IllegalArgumentException("run '" + series + "' is given twice");
            }
            return this;
        }

        /** @param file the tokenizer.json of the checkpoints @return this */
        public Builder tokenizer(Path file) {
            this.tokenizer = Objects.requireNonNull(file, "tokenizer");
            return this;
        }

        /** @param dir the data folder (blimp_filtered, blimp_supplement, ewok_filtered) @return this */
        public Builder data(Path dir) {
            this.data = Objects.requireNonNull(dir, "data");
            return this;
        }

        /** @param l items per paradigm / domain @return this */
        public Builder limit(EvalLimit l) {
            this.limit = Objects.requireNonNull(l, "limit");
            return this;
        }

        /** @param s scoring settings (head, normaliser, PLL batching, EWoK rule and zip) @return this */
        public Builder settings(Evaluations.Settings s) {
            this.settings = Objects.requireNonNull(s, "settings");
            return this;
        }

        /** @param dir where the reports go @param filePrefix report file name prefix @return this */
        public Builder output(Path dir, String filePrefix) {
            this.outDir = Objects.requireNonNull(dir, "output dir");
            this.prefix = Objects.requireNonNull(filePrefix, "prefix");
            return this;
        }

        Builder faults(TaskFaults f) {
            this.faults = Objects.requireNonNull(f, "faults");
            return this;
        }

        /** @return the job */
        public SparkEvaluation build() {
            return new SparkEvaluation(this);
        }
    }

    /** One task: a chunk of pairs (or EWoK items) of one checkpoint. */
    record Task(int index, String checkpoint, String tokenizer, PllOptions pll, ScoringHead head, EwokRule rule,
                ArrayList<MinimalPair> pairs, ArrayList<EwokItem> items, TaskFaults faults)
            implements Serializable {
    }

    /** A task's scores: two per pair (good, bad), four per EWoK item, and how they were made. */
    record Scores(int index, double[] values, LinkedHashMap<String, String> provenance) implements Serializable {
    }

    /**
     * Scores every checkpoint on the cluster and writes {@code <prefix>.md/.csv/.png/.provenance.json}.
     *
     * @return the sweep table
     * @throws IOException when the data cannot be read or a report cannot be written
     */
    public SweepResult run(JavaSparkContext sc) throws IOException {
        long t0 = System.nanoTime();
        Tokenizer tok = UnigramTokenizer.load(tokenizer);
        ZeroShotSuite suite = ZeroShotSuite.fromSharedData(data, tok, limit, settings.pll(), settings.ewokRule(),
                settings.ewokZip());
        List<Checkpoint<Void>> checkpoints = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        runs.forEach((series, list) -> list.forEach(dir -> {
            checkpoints.add(new Checkpoint<>(series, Evaluations.stepOf(dir), () -> null));
            dirs.add(dir.toAbsolutePath().normalize());
        }));
        CheckpointSweep.check(checkpoints);
        List<int[]> pairGroups = chunks(suite.pairs().size(), BlimpEvaluator.CHUNK_PAIRS);
        List<int[]> ewokGroups = chunks(suite.ewokItems().size(), EwokEvaluator.CHUNK_ITEMS);
        List<Task> tasks = new ArrayList<>();
        for (Path dir : dirs) {
            for (int[] g : pairGroups) {
                ArrayList<MinimalPair> pairs = new ArrayList<>(g.length);
                for (int i : g) {
                    pairs.add(suite.pairs().get(i));
                }
                tasks.add(new Task(tasks.size(), dir.toString(), tokenizer.toString(), settings.pll(),
                        settings.head(), settings.ewokRule(), pairs, null, faults));
            }
            for (int[] g : ewokGroups) {
                ArrayList<EwokItem> items = new ArrayList<>(g.length);
                for (int i : g) {
                    items.add(suite.ewokItems().get(i));
                }
                tasks.add(new Task(tasks.size(), dir.toString(), tokenizer.toString(), settings.pll(),
                        settings.head(), settings.ewokRule(), null, items, faults));
            }
        }
        LOG.info("spark-eval: {} checkpoints x ({} BLiMP chunks + {} EWoK chunks) = {} tasks", dirs.size(),
                pairGroups.size(), ewokGroups.size(), tasks.size());
        List<Scores> scores = SparkJobs.eachOnce(sc, tasks, SparkEvaluation::runTask,
                "mlsm eval: " + dirs.size() + " checkpoints");
        List<LinkedHashMap<String, Double>> columns = new ArrayList<>();
        int next = 0;
        for (int c = 0; c < dirs.size(); c++) {
            double[] good = new double[suite.pairs().size()];
            double[] bad = new double[suite.pairs().size()];
            Map<String, String> prov = null;
            for (int[] g : pairGroups) {
                Scores s = scores.get(next++);
                prov = prov == null ? s.provenance() : prov;
                for (int j = 0; j < g.length; j++) {
                    good[g[j]] = s.values()[2 * j];
                    bad[g[j]] = s.values()[2 * j + 1];
                }
            }
            double[][] ew = new double[suite.ewokItems().size()][];
            Map<String, String> ewProv = null;
            for (int[] g : ewokGroups) {
                Scores s = scores.get(next++);
                ewProv = ewProv == null ? s.provenance() : ewProv;
                for (int j = 0; j < g.length; j++) {
                    ew[g[j]] = java.util.Arrays.copyOfRange(s.values(), 4 * j, 4 * j + 4);
                }
            }
            BlimpResult blimp = null;
            if (!suite.pairs().isEmpty()) {
                List<PairScore> ps = new ArrayList<>(good.length);
                for (int i = 0; i < good.length; i++) {
                    ps.add(new PairScore(suite.pairs().get(i), good[i], bad[i]));
                }
                blimp = new BlimpResult(ps, prov);
            }
            EwokResult ewok = null;
            if (!suite.ewokItems().isEmpty()) {
                List<EwokScore> es = new ArrayList<>(ew.length);
                for (int i = 0; i < ew.length; i++) {
                    es.add(new EwokScore(suite.ewokItems().get(i), settings.ewokRule(), ew[i][0], ew[i][1], ew[i][2],
                            ew[i][3]));
                }
                ewok = new EwokResult(es, ewProv);
            }
            columns.add(suite.tabulate(blimp, ewok));
        }
        SweepResult r = CheckpointSweep.table(checkpoints, columns);
        Evaluations.writeZeroShotSweep(r, suite, settings, runs, outDir, prefix);
        LOG.info("spark-eval: {} checkpoints scored in {} s; reports in {}", dirs.size(),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9), outDir);
        return r;
    }

    /** Indices {@code 0..n-1} in runs of {@code size}. */
    private static List<int[]> chunks(int n, int size) {
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            out.add(java.util.stream.IntStream.range(from, Math.min(n, from + size)).toArray());
        }
        return out;
    }

    /** Executor side: scores one group with the executor's scorer for the checkpoint. */
    static Scores runTask(Task t) {
        t.faults().check(t.index());
        try (ExecutorPool.Lease<Tokenizer> tok = ExecutorPool.borrow("tokenizer:" + t.tokenizer(),
                () -> UnigramTokenizer.load(Path.of(t.tokenizer())));
             ExecutorPool.Lease<MaskedLmScorer> scorer = ExecutorPool.borrow("scorer:" + t.head() + ":"
                     + t.checkpoint() + ":tokenizer " + t.tokenizer(), () -> Evaluations.scorer(
                     HfDebertaDirectory.loadModelFor(Path.of(t.checkpoint()), tok.value().vocabSize(), -1),
                     tok.value(), t.head()))) {
            if (t.pairs() != null) {
                BlimpResult r = new BlimpEvaluator(tok.value(), scorer.value(), t.pll())
                        .evaluate(t.pairs(), EvalProgressListener.NONE);
                double[] v = new double[2 * r.scores().size()];
                for (int i = 0; i < r.scores().size(); i++) {
                    v[2 * i] = r.scores().get(i).goodPll();
                    v[2 * i + 1] = r.scores().get(i).badPll();
                }
                return new Scores(t.index(), v, new LinkedHashMap<>(r.provenance()));
            }
            EwokResult r = new EwokEvaluator(tok.value(), scorer.value(), t.pll(), t.rule())
                    .evaluate(t.items(), EvalProgressListener.NONE);
            double[] v = new double[4 * r.scores().size()];
            for (int i = 0; i < r.scores().size(); i++) {
                EwokScore s = r.scores().get(i);
                v[4 * i] = s.s11();
                v[4 * i + 1] = s.s21();
                v[4 * i + 2] = s.s12();
                v[4 * i + 3] = s.s22();
            }
            return new Scores(t.index(), v, new LinkedHashMap<>(r.provenance()));
        }
    }
}
