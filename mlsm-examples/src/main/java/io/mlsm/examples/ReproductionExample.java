package io.mlsm.examples;

import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.Checkpointing;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.LoggingProgressListener;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.eval.report.ScoreCurvePlot;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.AtomicFiles;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.TTest;
import org.apache.commons.math3.util.ArithmeticUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A multi-seed reproduction of the papers' central comparison at CPU scale: one MLM teacher and one dictionary learned
 * from its last layer, then, for every seed, an MLM student and an MLSM+MLM student (and, when asked, an LSM15
 * student) trained for the same number of steps on the same corpus, each started from the teacher's weights as in
 * paper 000 §3.2 (MLM continued, or the second phase with the other objective) or, with {@code warmStart(false)},
 * from a random initialisation as in paper 002 Table 3; every student is
 * scored on BLiMP with both normalisers ({@link Normaliser}) at evenly spaced checkpoints, and the last checkpoint (and
 * the teacher) optionally on a larger pair set ({@code finalPairs}: cheap curves, a full-set headline). The report
 * ({@code reproduction.md}, {@code reproduction.csv}, {@code blimp-<normaliser>.png}) has the per-seed scores,
 * mean ± standard deviation and range per arm, the difference of each arm to the first one with a Welch t-test, and
 * the curves. With a final pair set the comparison is made on its scores.
 *
 * <p>Every stage is kept on disk and reused when the command is run again with the same settings: the teacher and the
 * students (finished phases are reused, an interrupted one resumes), the dictionary, and each checkpoint's scores
 * ({@code <run>/blimp-scores-<pairs>.csv}, one file per pair set). So an interrupted reproduction continues where it
 * stopped, and disjoint subsets of arms or seeds can run in separate processes over the same output directory (train
 * the teacher and the dictionary first, e.g. with {@code --arms MLM --seeds 1}); a last run over everything then only
 * writes the report.
 *
 * <pre>{@code
 * var r = ReproductionExample.run(ReproductionExample.Options.builder(Path.of("runs/repro"))
 *         .corpusDir(Path.of("runs/babylm-corpus")).seeds(List.of(1L, 2L, 3L)).steps(1200).checkpoints(4)
 *         .blimpDir(Path.of("../shared/data/blimp_filtered")).build());
 * System.out.println(r.markdown());
 * }</pre>
 * Command line: {@code mlsm reproduce --corpus runs/babylm-corpus --seeds 1,2,3 --steps 1200 --checkpoints 4
 * --blimp ../shared/data/blimp_filtered -o runs/repro}.
 */
public final class ReproductionExample {

    private static final Logger LOG = LoggerFactory.getLogger(ReproductionExample.class);

    /**
     * @param pairCount the number of BLiMP pairs scored
     * @return the name of a run's score file for that pair set ({@code blimp-scores-<pairCount>.csv})
     */
    public static String scoresFile(int pairCount) {
        return "blimp-scores-" + pairCount + ".csv";
    }
    private static final String BLIMP = "BLiMP";
    private static final String AVERAGE = "Average";
    private static final String PAIRS = "pairs";

    private ReproductionExample() {
    }

    /** The objectives compared; every arm's students start from the same point (the teacher, or random). */
    public enum Arm {
        /** Masked language modelling only: the baseline. */
        MLM("MLM", "mlm", Objective.MLM),
        /** MLSM and MLM summed (paper 001's best student). */
        MLSM_PLUS_MLM("MLSM+MLM", "mlsm-mlm", Objective.MLSM_PLUS_MLM),
        /** The masking-free LSM on 15% of the positions (paper 003). */
        LSM15("LSM15", "lsm15", Objective.LSM15);

        private final String label;
        private final String dirPrefix;
        private final Objective objective;

        Arm(String label, String dirPrefix, Objective objective) {
            this.label = label;
            this.dirPrefix = dirPrefix;
            this.objective = objective;
        }

        /** @return the name in tables and plots */
        public String label() {
            return label;
        }

        /** @return the training objective */
        public Objective objective() {
            return objective;
        }

        /** @return the run directory name of {@code seed} */
        public String runName(long seed) {
            return dirPrefix + "-seed" + seed;
        }
    }

    /**
     * @param outputDir    where the teacher ({@code teacher/}), the dictionary ({@code dictionary/}), one directory
     *                     per student ({@code <arm>-seed<s>/}) and the report go
     * @param corpusDir    corpus directory ({@code null} = the bundled corpus)
     * @param teacherDir   a trained MLM teacher ({@code null} = train one here for {@code teacherSteps})
     * @param tokenizer    the teacher's {@code tokenizer.json} (required with {@code teacherDir}; else {@code null}
     *                     trains one of {@code vocabSize} pieces, or give one to train the teacher with)
     * @param arms         the objectives, distinct; the first is the baseline the others are compared with
     * @param seeds        student seeds, distinct (at least one; three or more for a spread)
     * @param steps        steps of every student
     * @param checkpoints  evenly spaced checkpoints scored per student (the last at {@code steps}); {@code steps} must
     *                     be a multiple of it; ignored when {@code checkpointAt} is given
     * @param checkpointAt explicit steps of the scored checkpoints, ascending, the last equal to {@code steps} (empty =
     *                     {@code checkpoints} evenly spaced ones); the students save a checkpoint every
     *                     gcd(steps) updates and keep all of them
     * @param teacherSteps steps of a teacher trained here
     * @param teacherSeed  seed of a teacher trained here and of the dictionary
     * @param warmStart    start every student from the teacher's weights (paper 000 §3.2), else from a random
     *                     initialisation
     * @param size         the architecture of teacher and students
     * @param atoms        dictionary atoms k
     * @param lambda       ℓ1 weight of the dictionary and the concept targets
     * @param sampleTokens teacher hidden states the dictionary is learned from
     * @param batchSize    sequences per batch
     * @param maxLength    ids per sequence (line pairs)
     * @param learningRate peak learning rate of teacher and students (5% warm-up, linear decay)
     * @param vocabSize    pieces of a tokenizer trained here
     * @param blimpDir     a folder of BLiMP {@code <paradigm>.jsonl} files ({@code null} = the bundled subset)
     * @param blimpPairs   pairs per paradigm file scored at every checkpoint ({@code 0} = all)
     * @param finalPairs   pairs per paradigm file scored at the last checkpoint and for the teacher as well, the set
     *                     the comparison is made on ({@code 0} = all, {@code -1} = the checkpoints' set)
     * @param progress     training progress listener ({@code null} = progress bar + SLF4J)
     */
    public record Options(Path outputDir, Path corpusDir, Path teacherDir, Path tokenizer, List<Arm> arms,
                          List<Long> seeds, long steps, int checkpoints, List<Long> checkpointAt,
                          long teacherSteps, long teacherSeed,
                          boolean warmStart, PretrainExample.Size size, int atoms, double lambda,
                          long sampleTokens, int batchSize, int maxLength, double learningRate, int vocabSize,
                          Path blimpDir, int blimpPairs, int finalPairs, TrainingListener progress) {
        public Options {
            if (outputDir == null || size == null) {
                throw new IllegalArgumentException("outputDir and size are required");
            }
            if (arms == null || arms.isEmpty()) {
                throw new IllegalArgumentException("at least one arm is required");
            }
            if (new LinkedHashSet<>(arms).size() != arms.size()) {
                throw new IllegalArgumentException("arms must be distinct, got " + arms);
            }
            if (seeds == null || seeds.isEmpty()) {
                throw new IllegalArgumentException("at least one seed is required");
            }
            if (new LinkedHashSet<>(seeds).size() != seeds.size()) {
                throw new IllegalArgumentException("seeds must be distinct, got " + seeds);
            }
            arms = List.copyOf(arms);
            seeds = List.copyOf(seeds);
            if (teacherDir != null && tokenizer == null) {
                throw new IllegalArgumentException("a teacher directory needs its tokenizer (--tokenizer)");
            }
            if (teacherDir != null && !Files.isRegularFile(teacherDir.resolve("config.json"))) {
                throw new IllegalArgumentException("teacher directory " + teacherDir + " has no config.json");
            }
            if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizer);
            }
            if (corpusDir != null && !Files.isDirectory(corpusDir)) {
                throw new IllegalArgumentException("corpus directory does not exist: " + corpusDir);
            }
            if (blimpDir != null && !Files.isDirectory(blimpDir)) {
                throw new IllegalArgumentException("BLiMP directory does not exist: " + blimpDir);
            }
            if (steps < 1 || teacherSteps < 1 || checkpoints < 1 || atoms < 1 || sampleTokens < 2 || blimpPairs < 0
                    || finalPairs < -1) {
                throw new IllegalArgumentException("steps, teacherSteps, checkpoints and atoms must be >= 1, "
                        + "sampleTokens >= 2, blimpPairs >= 0 and finalPairs >= -1");
            }
            checkpointAt = checkpointAt == null ? List.of() : List.copyOf(checkpointAt);
            for (int i = 0; i < checkpointAt.size(); i++) {
                long c = checkpointAt.get(i);
                if (c < 1 || (i > 0 && c <= checkpointAt.get(i - 1))) {
                    throw new IllegalArgumentException("checkpoint steps must be >= 1 and strictly ascending, got "
                            + checkpointAt);
                }
            }
            if (!checkpointAt.isEmpty() && checkpointAt.get(checkpointAt.size() - 1) != steps) {
                throw new IllegalArgumentException("the last checkpoint step must equal steps (" + steps + "), got "
                        + checkpointAt);
            }
            if (checkpointAt.isEmpty() && steps % checkpoints != 0) {
                throw new IllegalArgumentException("steps (" + steps + ") must be a multiple of checkpoints ("
                        + checkpoints + ") so that the checkpoints are evenly spaced");
            }
            if (!(lambda > 0) || !Double.isFinite(lambda) || !(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("lambda and learningRate must be finite and > 0, got " + lambda
                        + " and " + learningRate);
            }
        }

        /** @return a builder with CPU-sized defaults (tiny model, MLM vs MLSM+MLM, seeds 1-3, 4 checkpoints) */
        public static Builder builder(Path outputDir) {
            return new Builder(outputDir);
        }

        /** @return pairs per paradigm of the last checkpoint's and the teacher's scores ({@code 0} = all) */
        public int finalPairsPerParadigm() {
            return finalPairs < 0 ? blimpPairs : finalPairs;
        }

        /** @return the steps of the scored checkpoints */
        public List<Long> checkpointSteps() {
            if (!checkpointAt.isEmpty()) {
                return checkpointAt;
            }
            List<Long> s = new ArrayList<>();
            for (int i = 1; i <= checkpoints; i++) {
                s.add(steps / checkpoints * i);
            }
            return s;
        }

        /**
         * @return how the students save checkpoints: every gcd of the scored steps, all of them kept (saving does
         *         not change a student's trajectory, so a student retrained to save other steps passes through the
         *         same weights)
         */
        public Checkpointing studentCheckpointing() {
            long every = 0;
            for (long s : checkpointSteps()) {
                every = ArithmeticUtils.gcd(every, s);
            }
            return new Checkpointing(every, 0, Math.toIntExact(steps / every), false);
        }
    }

    /** Builder of {@link Options}; {@link #build()} validates. */
    public static final class Builder {
        private final Path outputDir;
        private Path corpusDir;
        private Path teacherDir;
        private Path tokenizer;
        private List<Arm> arms = List.of(Arm.MLM, Arm.MLSM_PLUS_MLM);
        private List<Long> seeds = List.of(1L, 2L, 3L);
        private long steps = 1200;
        private int checkpoints = 4;
        private List<Long> checkpointAt = List.of();
        private long teacherSteps = 3000;
        private long teacherSeed = 42;
        private boolean warmStart = true;
        private PretrainExample.Size size = PretrainExample.Size.TINY;
        private int atoms = 256;
        private double lambda = 0.05;
        private long sampleTokens = 30_000;
        private int batchSize = 32;
        private int maxLength = 64;
        private double learningRate = 1e-3;
        private int vocabSize = 6000;
        private Path blimpDir;
        private int blimpPairs;
        private int finalPairs = -1;
        private TrainingListener progress;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        public Builder corpusDir(Path v) { corpusDir = v; return this; }
        public Builder teacher(Path dir, Path tokenizerFile) { teacherDir = dir; tokenizer = tokenizerFile; return this; }
        /** @param v the tokenizer to train a teacher here with (without a teacher directory) @return this */
        public Builder tokenizer(Path v) { tokenizer = v; return this; }
        public Builder arms(List<Arm> v) { arms = v; return this; }
        public Builder seeds(List<Long> v) { seeds = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder checkpoints(int v) { checkpoints = v; return this; }
        /** @param v explicit scored steps, ascending, the last = steps (empty = evenly spaced) @return this */
        public Builder checkpointAt(List<Long> v) { checkpointAt = v; return this; }
        public Builder teacherSteps(long v) { teacherSteps = v; return this; }
        public Builder teacherSeed(long v) { teacherSeed = v; return this; }
        public Builder warmStart(boolean v) { warmStart = v; return this; }
        public Builder size(PretrainExample.Size v) { size = v; return this; }
        public Builder atoms(int v) { atoms = v; return this; }
        public Builder lambda(double v) { lambda = v; return this; }
        public Builder sampleTokens(long v) { sampleTokens = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder blimpDir(Path v) { blimpDir = v; return this; }
        public Builder blimpPairs(int v) { blimpPairs = v; return this; }
        /** @param v pairs per paradigm at the last checkpoint ({@code 0} = all, {@code -1} = as the checkpoints) @return this */
        public Builder finalPairs(int v) { finalPairs = v; return this; }
        public Builder progress(TrainingListener v) { progress = v; return this; }

        /** @return validated options */
        public Options build() {
            return new Options(outputDir, corpusDir, teacherDir, tokenizer, arms, seeds, steps, checkpoints,
                    checkpointAt, teacherSteps, teacherSeed, warmStart, size, atoms, lambda, sampleTokens, batchSize,
                    maxLength, learningRate, vocabSize, blimpDir, blimpPairs, finalPairs, progress);
        }
    }

    /**
     * The BLiMP scores of one student checkpoint.
     *
     * @param arm        the objective
     * @param seed       the student's seed
     * @param step       the checkpoint's step
     * @param normaliser the normaliser asked for
     * @param blimp      mean accuracy over paradigms
     * @param average    mean accuracy over the 12 phenomena
     * @param pairs      pairs scored
     */
    public record Score(Arm arm, long seed, long step, Normaliser normaliser, double blimp, double average,
                        long pairs) {
    }

    /**
     * One arm at one step and normaliser, over seeds.
     *
     * @param mean mean over seeds
     * @param sd   sample standard deviation ({@code NaN} for one seed)
     * @param min  lowest seed
     * @param max  highest seed
     */
    public record Spread(double mean, double sd, double min, double max) {

        static Spread of(double[] v) {
            DescriptiveStatistics s = new DescriptiveStatistics(v);
            double sd = v.length > 1 ? s.getStandardDeviation() : Double.NaN;
            return new Spread(s.getMean(), sd, s.getMin(), s.getMax());
        }

        /** @return whether the seed ranges of the two overlap */
        public boolean overlaps(Spread o) {
            return min <= o.max && o.min <= max;
        }
    }

    /**
     * An arm against the baseline (the first arm) at the last checkpoint.
     *
     * @param arm        the arm
     * @param normaliser the normaliser
     * @param difference mean(arm) − mean(baseline), BLiMP
     * @param welchP     two-sided p-value of Welch's t-test over seeds ({@code NaN} with fewer than two seeds)
     * @param overlap    whether the seed ranges overlap
     */
    public record Comparison(Arm arm, Normaliser normaliser, double difference, double welchP, boolean overlap) {

        /** @return whether three or more seeds each give p &lt; 0.05 and ranges that do not overlap */
        public boolean conclusive(int seeds) {
            return seeds >= 3 && welchP < 0.05 && !overlap;
        }
    }

    /**
     * @param scores       every score, by arm, seed, step, normaliser and pair set
     * @param teacher      the teacher's BLiMP per normaliser on the checkpoints' pair set (the students' starting
     *                     point with a warm start; empty without a teacher)
     * @param teacherFinal the same on the final pair set (equal to {@code teacher} when the sets are one)
     * @param comparisons  each arm other than the first against it, per normaliser, at the last checkpoint on the
     *                     final pair set
     * @param markdown     the report ({@code reproduction.md})
     * @param plots        the curve PNGs, one per normaliser
     */
    public record Result(List<Score> scores, Map<Normaliser, Double> teacher, Map<Normaliser, Double> teacherFinal,
                         List<Comparison> comparisons, String markdown, List<Path> plots) {
    }

    /**
     * Trains what is missing, scores what is missing and writes the report.
     *
     * @throws IllegalArgumentException on an inconsistent configuration
     * @throws UncheckedIOException     when a file cannot be read or written
     */
    public static Result run(Options o) {
        try {
            Files.createDirectories(o.outputDir());
            Path teacherDir = o.teacherDir();
            Path tokenizer = o.tokenizer();
            boolean needsTeacher = o.warmStart() || o.arms().stream().anyMatch(a -> a.objective().needsTeacher());
            if (teacherDir == null && needsTeacher) {
                LOG.info("reproduction: the MLM teacher ({} steps, seed {})", o.teacherSteps(), o.teacherSeed());
                PretrainExample.Result t = PretrainExample.run(common(o, o.outputDir().resolve("teacher"), tokenizer)
                        .objective(Objective.MLM).steps(o.teacherSteps()).seed(o.teacherSeed()).build());
                teacherDir = t.model();
                tokenizer = t.tokenizer();
            }
            if (tokenizer == null) {
                tokenizer = TrainTokenizerExample.run(new TrainTokenizerExample.Options(o.corpusDir(), o.vocabSize(), 0,
                        o.outputDir().resolve("tokenizer"))).tokenizerFile();
            }
            Path dictionary = null;
            if (o.arms().stream().anyMatch(a -> a.objective().needsDictionary())) {
                dictionary = dictionary(o, teacherDir, tokenizer);
            }
            Tokenizer tok = UnigramTokenizer.load(tokenizer);
            List<MinimalPair> pairs = blimpPairs(o, o.blimpPairs());
            List<MinimalPair> finalPairs = o.finalPairsPerParadigm() == o.blimpPairs() ? pairs
                    : blimpPairs(o, o.finalPairsPerParadigm());
            List<Score> scores = new ArrayList<>();
            for (long seed : o.seeds()) {
                for (Arm arm : o.arms()) {
                    Path dir = o.outputDir().resolve(arm.runName(seed));
                    LOG.info("reproduction: {} seed {} -> {}", arm.label(), seed, dir);
                    PretrainExample.Builder b = common(o, dir, tokenizer).objective(arm.objective()).steps(o.steps())
                            .seed(seed).warmStart(o.warmStart())
                            .checkpointing(o.studentCheckpointing());
                    if (o.warmStart() || arm.objective().needsTeacher()) {
                        b.teacherDir(teacherDir);
                    }
                    if (arm.objective().needsDictionary()) {
                        b.dictionaryFile(dictionary);
                    }
                    PretrainExample.run(b.build());
                    scores.addAll(scoreRun(arm, seed, dir, tok, pairs, o.checkpointSteps()));
                    if (finalPairs != pairs) {
                        scores.addAll(scoreRun(arm, seed, dir, tok, finalPairs, List.of(o.steps())));
                    }
                }
            }
            Map<Normaliser, Double> teacherScores = teacherDir == null ? Map.of()
                    : scoreTeacher(o, teacherDir, tok, pairs);
            Map<Normaliser, Double> teacherFinal = teacherDir == null || finalPairs == pairs ? teacherScores
                    : scoreTeacher(o, teacherDir, tok, finalPairs);
            return report(o, scores, teacherScores, teacherFinal, pairs.size(), finalPairs.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PretrainExample.Builder common(Options o, Path dir, Path tokenizer) {
        return PretrainExample.Options.builder(dir).corpusDir(o.corpusDir()).tokenizer(tokenizer)
                .vocabSize(o.vocabSize()).size(o.size()).batchSize(o.batchSize()).maxLength(o.maxLength())
                .learningRate(o.learningRate()).teacherSteps(o.teacherSteps()).atoms(o.atoms())
                .sampleTokens(o.sampleTokens()).progress(o.progress());
    }

    /** One dictionary for every student, learned once from the teacher's last layer (reused when present). */
    private static Path dictionary(Options o, Path teacherDir, Path tokenizer) {
        Path dir = o.outputDir().resolve("dictionary");
        Path file = dir.resolve("dictionary.mlsmdict");
        if (Files.isRegularFile(file)) {
            LOG.info("reproduction: reusing the dictionary {}", file);
            return file;
        }
        long iterations = Math.max(1, o.sampleTokens() / Math.min(400, o.sampleTokens()));
        return LearnDictionaryExample.run(new LearnDictionaryExample.Options(teacherDir, tokenizer, o.corpusDir(),
                o.atoms(), o.lambda(), -1, o.sampleTokens(), iterations, dir)).dictionaryFile();
    }

    private static List<MinimalPair> blimpPairs(Options o, int perParadigm) throws IOException {
        Path dir = o.blimpDir();
        if (dir == null) {
            dir = BundledData.blimp(o.outputDir().resolve("data").resolve("blimp_filtered"));
        }
        EvalLimit limit = perParadigm == 0 ? EvalLimit.all() : EvalLimit.firstN(perParadigm);
        List<MinimalPair> pairs = BlimpReader.readBlimp(dir, limit);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no BLiMP pairs in " + dir);
        }
        return pairs;
    }

    /**
     * Scores the run's checkpoints at {@code steps} that its score file for {@code pairs} does not have yet; returns
     * their scores.
     */
    static List<Score> scoreRun(Arm arm, long seed, Path runDir, Tokenizer tok, List<MinimalPair> pairs,
                                List<Long> steps) throws IOException {
        Path file = runDir.resolve(scoresFile(pairs.size()));
        ResultTable t = Files.isRegularFile(file) ? CsvTable.read(file) : scoreTable();
        Map<Long, Path> byStep = new TreeMap<>();
        for (Path cp : Evaluations.checkpointDirectories(runDir.resolve("student-run"))) {
            byStep.put(Evaluations.stepOf(cp), cp);
        }
        List<Score> out = new ArrayList<>();
        for (long step : steps) {
            Path cp = byStep.get(step);
            if (cp == null) {
                throw new IllegalStateException(arm.label() + " seed " + seed + " has no checkpoint at step " + step
                        + " in " + runDir.resolve("student-run") + " (found steps " + byStep.keySet() + "); to score "
                        + "other steps, move " + runDir.resolve("student") + " and " + runDir.resolve("student-run")
                        + " aside and run again: the student is retrained, and the scores in " + file
                        + " are reused for the steps they have");
            }
            scoreMissing(t, file, step, cp, arm.label() + " seed " + seed + " step " + step, tok, pairs);
            for (Normaliser n : Normaliser.values()) {
                String row = step + " " + n.name();
                out.add(new Score(arm, seed, step, n, t.get(row, BLIMP).orElseThrow(),
                        t.get(row, AVERAGE).orElseThrow(), (long) t.get(row, PAIRS).orElseThrow()));
            }
        }
        return out;
    }

    /**
     * Scores the model in {@code modelDir} under the normalisers whose row {@code "<step> <normaliser>"} the table
     * lacks (all of them in one pass; one pass for a model with V output rows, where they coincide) and writes the
     * table.
     */
    private static void scoreMissing(ResultTable t, Path file, long step, Path modelDir, String what, Tokenizer tok,
                                     List<MinimalPair> pairs) throws IOException {
        List<Normaliser> missing = new ArrayList<>();
        for (Normaliser n : Normaliser.values()) {
            String row = step + " " + n.name();
            if (t.get(row, BLIMP).isEmpty() || t.get(row, PAIRS).orElse(-1) != pairs.size()) {
                missing.add(n);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (DebertaModel model = HfDebertaDirectory.loadModelFor(modelDir, tok.vocabSize(), -1)) {
            List<Normaliser> scored = model.config().latentConcepts() == 0 ? List.of(missing.get(0)) : missing;
            List<BlimpResult> results = score(model, tok, pairs, scored, what);
            for (Normaliser n : missing) {
                BlimpResult r = results.get(scored.size() == 1 ? 0 : scored.indexOf(n));
                String row = step + " " + n.name();
                t.put(row, BLIMP, r.paradigmAverage("blimp")).put(row, AVERAGE, r.phenomenonAverage())
                        .put(row, PAIRS, pairs.size());
            }
        }
        CsvTable.write(t, file);                                       // after every model: resumable
    }

    /**
     * The teacher's scores on {@code pairs} ({@code teacher-blimp-scores-<pairs>.csv}, row {@code "0 <normaliser>"}),
     * scored when missing.
     */
    static Map<Normaliser, Double> scoreTeacher(Options o, Path teacherDir, Tokenizer tok, List<MinimalPair> pairs)
            throws IOException {
        Path file = o.outputDir().resolve("teacher-" + scoresFile(pairs.size()));
        ResultTable t = Files.isRegularFile(file) ? CsvTable.read(file) : scoreTable();
        scoreMissing(t, file, 0, teacherDir, "the teacher " + teacherDir, tok, pairs);
        Map<Normaliser, Double> out = new java.util.EnumMap<>(Normaliser.class);
        for (Normaliser n : Normaliser.values()) {
            out.put(n, t.get("0 " + n.name(), BLIMP).orElseThrow());
        }
        return out;
    }

    private static ResultTable scoreTable() {
        return new ResultTable("step normaliser").addColumn(BLIMP).addColumn(AVERAGE).addColumn(PAIRS)
                .caption("BLiMP by pseudo-log-likelihood through the MLM head; BLiMP = mean over paradigms, Average = "
                        + "mean over the 12 phenomena");
    }

    /** BLiMP under every normaliser in {@code normalisers} from one set of forward passes. */
    private static List<BlimpResult> score(DebertaModel model, Tokenizer tok, List<MinimalPair> pairs,
                                           List<Normaliser> normalisers, String what) {
        MaskedLmScorer scorer = Evaluations.scorer(model, tok, ScoringHead.MLM);
        BlimpEvaluator ev = new BlimpEvaluator(tok, scorer, PllOptions.defaults());
        LOG.info("reproduction: scoring {} ({} pairs, normalisers {})", what, pairs.size(),
                normalisers.stream().map(scorer::normaliserApplied).toList());
        return ev.evaluate(pairs, new LoggingProgressListener(60), normalisers);
    }

    // ------------------------------------------------------------------------------------------- report

    static Result report(Options o, List<Score> scores, Map<Normaliser, Double> teacher,
                         Map<Normaliser, Double> teacherFinal, int pairCount, int finalPairCount) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Reproduction: ").append(String.join(" vs ", o.arms().stream().map(Arm::label).toList()))
                .append("\n\n").append(settings(o, pairCount, finalPairCount)).append("\n");
        List<Comparison> comparisons = new ArrayList<>();
        List<Path> plots = new ArrayList<>();
        long last = o.steps();
        boolean separateFinal = finalPairCount != pairCount;
        ResultTable csv = new ResultTable("run");
        for (Normaliser n : Normaliser.values()) {
            ResultTable t = new ResultTable("run").caption("BLiMP (mean over paradigms, " + pairCount + " pairs), "
                    + "normaliser " + n.name() + ", by checkpoint step; sd = sample standard deviation over seeds");
            ScoreCurvePlot.Builder plot = ScoreCurvePlot.builder().title("BLiMP, normaliser " + n.name()
                    + ", " + pairCount + " pairs: seeds, arm means, teacher at step 0").xLabel("student update step")
                    .yLabel("BLiMP accuracy");
            Double teacherScore = teacher.get(n);
            if (teacherScore != null) {
                t.put("teacher", "step 0", teacherScore);
                csv.put("teacher", n.name() + " step 0", teacherScore);
                plot.point("teacher", 0, teacherScore).point("teacher", o.steps(), teacherScore);
            }
            for (Arm arm : o.arms()) {
                for (long seed : o.seeds()) {
                    String row = arm.label() + " seed " + seed;
                    for (long step : o.checkpointSteps()) {
                        double v = find(scores, arm, seed, step, n, pairCount).blimp();
                        t.put(row, "step " + step, v);
                        csv.put(row, n.name() + " step " + step, v);
                        plot.point(row, step, v);
                    }
                }
                for (long step : o.checkpointSteps()) {
                    Spread s = spreadRows(t, arm, "step " + step, overSeeds(o, scores, arm, step, n, pairCount));
                    plot.point(arm.label() + " mean", step, s.mean());
                }
            }
            md.append("## Normaliser ").append(n.name()).append("\n\n").append(MarkdownTable.render(t, 4)).append("\n");
            Path png = o.outputDir().resolve("blimp-" + n.name().toLowerCase(Locale.ROOT) + ".png");
            plot.size(900, 560).build().write(png);
            plots.add(png);
            md.append("![BLiMP, ").append(n.name()).append("](").append(png.getFileName()).append(")\n\n");
            String column = "step " + last + ", " + finalPairCount + " pairs";
            ResultTable f = new ResultTable("run").caption("BLiMP (mean over paradigms) at the last checkpoint on "
                    + finalPairCount + " pairs, normaliser " + n.name() + "; sd = sample standard deviation over seeds");
            if (teacherFinal.get(n) != null) {
                f.put("teacher", "step 0, " + finalPairCount + " pairs", teacherFinal.get(n));
            }
            Map<Arm, double[]> lastValues = new java.util.EnumMap<>(Arm.class);
            Map<Arm, Spread> atLast = new java.util.EnumMap<>(Arm.class);
            for (Arm arm : o.arms()) {
                double[] v = overSeeds(o, scores, arm, last, n, finalPairCount);
                for (int i = 0; i < v.length; i++) {
                    String row = arm.label() + " seed " + o.seeds().get(i);
                    f.put(row, column, v[i]);
                    if (separateFinal) {
                        csv.put(row, n.name() + " " + column, v[i]);
                    }
                }
                lastValues.put(arm, v);
                atLast.put(arm, spreadRows(f, arm, column, v));
            }
            if (separateFinal) {
                if (teacherFinal.get(n) != null) {
                    csv.put("teacher", n.name() + " step 0, " + finalPairCount + " pairs", teacherFinal.get(n));
                }
                md.append("### Last checkpoint on ").append(finalPairCount).append(" pairs\n\n")
                        .append(MarkdownTable.render(f, 4)).append("\n");
            }
            Arm base = o.arms().get(0);
            Spread b = atLast.get(base);
            for (Arm arm : o.arms().subList(1, o.arms().size())) {
                Spread a = atLast.get(arm);
                double[] v = lastValues.get(arm);
                double p = v.length > 1 ? welchP(v, lastValues.get(base)) : Double.NaN;
                Comparison c = new Comparison(arm, n, a.mean() - b.mean(), p, a.overlaps(b));
                comparisons.add(c);
                md.append(String.format(Locale.ROOT, "At step %d (%d pairs), %s − %s = %+.4f (mean %.4f ± %.4f, range "
                                + "%.4f–%.4f against %.4f ± %.4f, range %.4f–%.4f); Welch t-test p = %.3f; seed ranges "
                                + "%s. %s%n%n",
                        last, finalPairCount, arm.label(), base.label(), c.difference(), a.mean(), a.sd(), a.min(),
                        a.max(), b.mean(), b.sd(), b.min(), b.max(), p, c.overlap() ? "overlap" : "do not overlap",
                        c.conclusive(o.seeds().size()) ? "The spread allows a conclusion at this scale."
                                : "The spread does not allow a conclusion at this scale."));
            }
        }
        Path mdFile = o.outputDir().resolve("reproduction.md");
        AtomicFiles.write(mdFile, md.toString().getBytes(StandardCharsets.UTF_8));
        CsvTable.write(csv, o.outputDir().resolve("reproduction.csv"));
        LOG.info("reproduction report: {}", mdFile);
        return new Result(List.copyOf(scores), Map.copyOf(teacher), Map.copyOf(teacherFinal), comparisons,
                md.toString(), plots);
    }

    /** Puts the mean (and, over two or more seeds, the sd) of {@code values} as {@code arm}'s rows of {@code t}. */
    private static Spread spreadRows(ResultTable t, Arm arm, String column, double[] values) {
        Spread s = Spread.of(values);
        t.put(arm.label() + " mean", column, s.mean());
        if (values.length > 1) {
            t.put(arm.label() + " sd", column, s.sd());
        }
        return s;
    }

    private static String settings(Options o, int pairCount, int finalPairCount) {
        var c = o.size().config();
        return String.format(Locale.ROOT, "Settings: %s model (%s), %d students per arm (seeds %s), %d steps of %d "
                        + "sequences × %d ids each from %s, peak lr %s (5%% warm-up, linear "
                        + "decay); teacher %s; dictionary %d atoms, λ %s, from %d hidden states of the teacher's last "
                        + "layer; BLiMP %s (%d pairs) through the MLM head at steps %s%s.%n",
                o.size(), c.numLayers() + " layers, hidden " + c.hiddenSize() + ", " + c.numHeads() + " heads",
                o.seeds().size(), o.seeds(), o.steps(), o.batchSize(), o.maxLength(),
                o.warmStart() ? "the teacher's weights (warm start)" : "a random initialisation", o.learningRate(),
                o.teacherDir() != null ? o.teacherDir().toString()
                        : "MLM, " + o.teacherSteps() + " steps (seed " + o.teacherSeed() + ")",
                o.atoms(), o.lambda(), o.sampleTokens(),
                o.blimpDir() == null ? "bundled subset" : o.blimpPairs() == 0 ? "all pairs of " + o.blimpDir()
                        : "first " + o.blimpPairs() + " pairs per paradigm of " + o.blimpDir(),
                pairCount, o.checkpointSteps(), finalPairCount == pairCount ? ""
                        : "; the last checkpoint and the teacher also on " + (o.finalPairsPerParadigm() == 0
                        ? "all " : "the first " + o.finalPairsPerParadigm() + " per paradigm, ") + finalPairCount
                        + " pairs, which the comparison uses");
    }

    /**
     * @return the BLiMP score on {@code pairs} pairs of every seed of {@code arm} at {@code step} under {@code n}, in
     *         seed order
     */
    private static double[] overSeeds(Options o, List<Score> scores, Arm arm, long step, Normaliser n, int pairs) {
        return o.seeds().stream().mapToDouble(s -> find(scores, arm, s, step, n, pairs).blimp()).toArray();
    }

    private static Score find(List<Score> scores, Arm arm, long seed, long step, Normaliser n, int pairs) {
        for (Score s : scores) {
            if (s.arm() == arm && s.seed() == seed && s.step() == step && s.normaliser() == n && s.pairs() == pairs) {
                return s;
            }
        }
        throw new IllegalStateException("no score for " + arm.label() + " seed " + seed + " step " + step + " "
                + n.name() + " on " + pairs + " pairs");
    }

    private static double welchP(double[] a, double[] b) {
        DescriptiveStatistics sa = new DescriptiveStatistics(a);
        DescriptiveStatistics sb = new DescriptiveStatistics(b);
        if (sa.getVariance() == 0 && sb.getVariance() == 0) {
            return sa.getMean() == sb.getMean() ? 1.0 : 0.0;
        }
        return new TTest().tTest(a, b);
    }
}
