package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.FlopCount;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.models.DebertaModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The teacher-layer recipe of paper 001 as one call: for each teacher layer, learn a dictionary from that layer's
 * hidden states and train an MLSM+MLM student for the same number of steps (the teacher runs only up to the layer),
 * then score every student on BLiMP and fine-tune it on one GLUE task, and tabulate the scores next to the operations
 * each choice spent ({@code metrics/flops.json} of each run). Without a teacher directory, an MLM teacher is trained
 * first and shared by all layers.
 *
 * <pre>{@code
 * var r = LayerSweepExample.run(LayerSweepExample.Options.builder(Path.of("runs/sweep")).layers(List.of(1, 2))
 *         .steps(200).dataDir(Path.of("../shared/data")).build());
 * System.out.println(r.markdown());
 * }</pre>
 * Command line: {@code mlsm layer-sweep --layers 1,2 --steps 200 --data ../shared/data -o runs/sweep}.
 */
public final class LayerSweepExample {

    private static final Logger LOG = LoggerFactory.getLogger(LayerSweepExample.class);
    private static final double TERA = 1e12;

    private LayerSweepExample() {
    }

    /**
     * @param outputDir    where the teacher ({@code teacher/}), one run per layer ({@code layer-<l>/}) and the tables
     *                     ({@code layer-sweep.md}, {@code layer-sweep.csv}) go
     * @param corpusDir    corpus directory ({@code null} = the bundled corpus)
     * @param teacherDir   a trained MLM teacher ({@code null} = train one here for {@code teacherSteps})
     * @param tokenizer    the teacher's {@code tokenizer.json} (required with {@code teacherDir})
     * @param layers       teacher layers to sweep ({@code 1..L}, negative from the top), distinct, at least one
     * @param steps        student steps per layer
     * @param teacherSteps steps of a teacher trained here
     * @param size         architecture of a teacher trained here and of the students
     * @param atoms        dictionary atoms k
     * @param sampleTokens teacher hidden states each dictionary is learned from
     * @param batchSize    sequences per batch
     * @param maxLength    ids per sequence
     * @param warmStart    start each student from the teacher's weights
     * @param seed         seed of every run (the same for each layer, so only the layer differs)
     * @param dataDir      the shared data folder with {@code blimp_filtered/} and {@code glue_filtered/} ({@code null} =
     *                     the bundled BLiMP subset, one pair per paradigm, and no GLUE task)
     * @param blimpPairs   BLiMP pairs per paradigm file ({@code 0} = all)
     * @param glueTask     the fine-tuning task ({@code null} = none)
     * @param glueExamples examples per GLUE split ({@code 0} = all)
     * @param glueEpochs   fine-tuning epochs
     * @param vocabSize    pieces of the tokenizer trained with a teacher trained here
     * @param progress     training progress listener ({@code null} = progress bar + SLF4J)
     */
    public record Options(Path outputDir, Path corpusDir, Path teacherDir, Path tokenizer, List<Integer> layers,
                          long steps, long teacherSteps, PretrainExample.Size size, int atoms, long sampleTokens,
                          int batchSize, int maxLength, boolean warmStart, long seed, Path dataDir, int blimpPairs,
                          GlueTask glueTask, int glueExamples, int glueEpochs, int vocabSize,
                          TrainingListener progress) {
        public Options {
            if (outputDir == null || size == null) {
                throw new IllegalArgumentException("outputDir and size are required");
            }
            if (layers == null || layers.isEmpty()) {
                throw new IllegalArgumentException("at least one teacher layer is required");
            }
            if (new LinkedHashSet<>(layers).size() != layers.size()) {
                throw new IllegalArgumentException("teacher layers must be distinct, got " + layers);
            }
            layers = List.copyOf(layers);
            if ((teacherDir == null) != (tokenizer == null)) {
                throw new IllegalArgumentException("give a teacher directory and its tokenizer together (or neither, "
                        + "to train both here)");
            }
            if (teacherDir != null && !Files.isRegularFile(teacherDir.resolve("config.json"))) {
                throw new IllegalArgumentException("teacher directory " + teacherDir + " has no config.json");
            }
            if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizer);
            }
            if (dataDir != null && !Files.isDirectory(dataDir.resolve("blimp_filtered"))) {
                throw new IllegalArgumentException("data directory " + dataDir + " has no blimp_filtered/");
            }
            if (steps < 1 || teacherSteps < 1 || glueEpochs < 1 || blimpPairs < 0 || glueExamples < 0) {
                throw new IllegalArgumentException("steps, teacherSteps and glueEpochs must be >= 1, blimpPairs and "
                        + "glueExamples >= 0");
            }
        }

        /** @return a builder with CPU-sized defaults (tiny model, layers 1 and 2, 200 steps, RTE) */
        public static Builder builder(Path outputDir) {
            return new Builder(outputDir);
        }
    }

    /** Builder of {@link Options}; {@link #build()} validates. */
    public static final class Builder {
        private final Path outputDir;
        private Path corpusDir;
        private Path teacherDir;
        private Path tokenizer;
        private List<Integer> layers = List.of(1, 2);
        private long steps = 200;
        private long teacherSteps = 400;
        private PretrainExample.Size size = PretrainExample.Size.TINY;
        private int atoms = 128;
        private long sampleTokens = 20_000;
        private int batchSize = 32;
        private int maxLength = 64;
        private boolean warmStart;
        private long seed = 42;
        private Path dataDir;
        private int blimpPairs = 20;
        private GlueTask glueTask = GlueTask.RTE;
        private int glueExamples = 400;
        private int glueEpochs = 2;
        private int vocabSize = 6000;
        private TrainingListener progress;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        public Builder corpusDir(Path v) { corpusDir = v; return this; }
        public Builder teacher(Path dir, Path tokenizerFile) { teacherDir = dir; tokenizer = tokenizerFile; return this; }
        public Builder layers(List<Integer> v) { layers = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder teacherSteps(long v) { teacherSteps = v; return this; }
        public Builder size(PretrainExample.Size v) { size = v; return this; }
        public Builder atoms(int v) { atoms = v; return this; }
        public Builder sampleTokens(long v) { sampleTokens = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder warmStart(boolean v) { warmStart = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder blimpPairs(int v) { blimpPairs = v; return this; }
        public Builder glueTask(GlueTask v) { glueTask = v; return this; }
        public Builder glueExamples(int v) { glueExamples = v; return this; }
        public Builder glueEpochs(int v) { glueEpochs = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder progress(TrainingListener v) { progress = v; return this; }

        /** @return validated options */
        public Options build() {
            return new Options(outputDir, corpusDir, teacherDir, tokenizer, layers, steps, teacherSteps, size, atoms,
                    sampleTokens, batchSize, maxLength, warmStart, seed, dataDir, blimpPairs, glueTask, glueExamples,
                    glueEpochs, vocabSize, progress);
        }
    }

    /**
     * One layer's run.
     *
     * @param layer            the teacher layer
     * @param runDir           its pre-training directory
     * @param dictionaryFlops  operations of learning the dictionary (teacher passes + sparse coding)
     * @param studentFlops     operations of the student phase by component
     * @param blimp            mean BLiMP accuracy over paradigms
     * @param glue             mean GLUE validation metric ({@code NaN} without a task)
     */
    public record LayerRun(int layer, Path runDir, double dictionaryFlops, Map<String, Double> studentFlops,
                           double blimp, double glue) {

        /** @return dictionary + student operations */
        public double totalFlops() {
            return dictionaryFlops + FlopCount.total(studentFlops);
        }
    }

    /**
     * @param runs     one per layer, in the order given
     * @param table    the table (rows: layers; columns: operations in TFLOP, scores)
     * @param markdown the table as Markdown
     */
    public record Result(List<LayerRun> runs, ResultTable table, String markdown) {
    }

    /**
     * @throws IllegalArgumentException on an inconsistent configuration (a layer outside the teacher, ...)
     * @throws UncheckedIOException     when a file cannot be read or written
     */
    public static Result run(Options o) {
        try {
            Path teacherDir = o.teacherDir();
            Path tokenizer = o.tokenizer();
            if (teacherDir == null) {
                LOG.info("layer sweep: training the MLM teacher ({} steps)", o.teacherSteps());
                PretrainExample.Result t = PretrainExample.run(common(o, o.outputDir().resolve("teacher"))
                        .vocabSize(o.vocabSize()).objective(Objective.MLM).steps(o.teacherSteps()).learningRate(1e-3)
                        .build());
                teacherDir = t.model();
                tokenizer = t.tokenizer();
            }
            Tokenizer tok = UnigramTokenizer.load(tokenizer);
            Path data = o.dataDir();
            if (data == null) {                                        // the bundled subset, one pair per paradigm
                data = o.outputDir().resolve("data");
                BundledData.blimp(data.resolve("blimp_filtered"));
            }
            GlueTask glueTask = o.dataDir() == null ? null : o.glueTask();
            List<LayerRun> runs = new ArrayList<>();
            for (int layer : o.layers()) {
                Path dir = o.outputDir().resolve("layer-" + layer);
                LOG.info("layer sweep: teacher layer {} -> {}", layer, dir);
                PretrainExample.Result r = PretrainExample.run(common(o, dir).objective(Objective.MLSM_PLUS_MLM)
                        .teacherDir(teacherDir).tokenizer(tokenizer).layer(layer).steps(o.steps())
                        .warmStart(o.warmStart()).build());
                Map<String, Map<String, Double>> spent = r.pretraining().flops();
                double dictionary = FlopCount.total(spent.getOrDefault("dictionary", Map.of()));
                DebertaModel student = Evaluations.loadModel(r.model());
                EvalLimit pairs = o.blimpPairs() == 0 ? EvalLimit.all() : EvalLimit.firstN(o.blimpPairs());
                BlimpResult b = Evaluations.blimp(student, tok, data, pairs);
                double blimp = b.paradigmAverage("blimp");
                student.close();
                double glue = Double.NaN;
                if (glueTask != null) {
                    EvalLimit examples = o.glueExamples() == 0 ? EvalLimit.all() : EvalLimit.firstN(o.glueExamples());
                    FineTuneResult g = Evaluations.glue(glueTask, r.model(), tok, data, examples,
                            FineTuneConfig.defaults().withEpochs(o.glueEpochs()).withSeeds(List.of(12L)));
                    glue = g.mean();
                }
                runs.add(new LayerRun(layer, dir, dictionary, spent.getOrDefault("student", Map.of()), blimp, glue));
            }
            ResultTable t = table(runs, o, glueTask);
            Files.createDirectories(o.outputDir());
            MarkdownTable.write(t, 3, o.outputDir().resolve("layer-sweep.md"));
            CsvTable.write(t, o.outputDir().resolve("layer-sweep.csv"));
            String md = MarkdownTable.render(t, 3);
            LOG.info("layer sweep:\n{}", md);
            return new Result(runs, t, md);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PretrainExample.Builder common(Options o, Path dir) {
        return PretrainExample.Options.builder(dir).corpusDir(o.corpusDir()).size(o.size()).atoms(o.atoms())
                .sampleTokens(o.sampleTokens()).batchSize(o.batchSize()).maxLength(o.maxLength()).seed(o.seed())
                .progress(o.progress());
    }

    static ResultTable table(List<LayerRun> runs, Options o, GlueTask glueTask) {
        String glueColumn = glueTask == null ? null : glueTask.displayName();
        ResultTable t = new ResultTable("teacher layer").caption("MLSM+MLM students, " + o.steps() + " steps each; "
                + "operations in TFLOP (analytic matrix products, metrics/flops.json); BLiMP = mean over paradigms"
                + (o.dataDir() == null ? " (bundled subset, one pair each)"
                : o.blimpPairs() > 0 ? " (first " + o.blimpPairs() + " pairs of each)" : "")
                + (glueColumn != null ? "; " + glueColumn + " validation, " + o.glueEpochs() + " epoch(s), one seed" : ""));
        for (String c : new String[]{"dictionary", "student step", "teacher forward", "sparse coding", "total"}) {
            t.addColumn(c);
        }
        t.addColumn("BLiMP");
        if (glueColumn != null) {
            t.addColumn(glueColumn);
        }
        for (LayerRun r : runs) {
            String row = Integer.toString(r.layer());
            t.put(row, "dictionary", r.dictionaryFlops() / TERA);
            t.put(row, "student step", r.studentFlops().getOrDefault(FlopCount.STEP, 0.0) / TERA);
            t.put(row, "teacher forward", r.studentFlops().getOrDefault(FlopCount.TEACHER_FORWARD, 0.0) / TERA);
            t.put(row, "sparse coding", r.studentFlops().getOrDefault(FlopCount.SPARSE_CODING, 0.0) / TERA);
            t.put(row, "total", r.totalFlops() / TERA);
            if (Double.isFinite(r.blimp())) {
                t.put(row, "BLiMP", r.blimp());
            }
            if (glueColumn != null && Double.isFinite(r.glue())) {
                t.put(row, glueColumn, r.glue());
            }
        }
        return t;
    }
}
