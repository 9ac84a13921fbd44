package io.mlsm.examples;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.Checkpointing;
import io.mlsm.core.pretrain.DictionarySpec;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.pretrain.PaperPreset;
import io.mlsm.core.pretrain.Pretraining;
import io.mlsm.core.pretrain.PretrainingResult;
import io.mlsm.core.pretrain.TeacherSpec;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.TrainingResult;
import io.mlsm.models.DebertaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Pre-training with the fluent {@link Pretraining} API, one scenario per objective:
 * <ul>
 *   <li>a teacher: {@code objective MLM} without a teacher — the "student" trained with MLM is the teacher;</li>
 *   <li>a student: {@code MLSM_PLUS_MLM}, {@code MLSM}, {@code LSM}, {@code LSM15}, {@code KD}, {@code KD_PLUS_MLM}
 *   with a teacher loaded from {@code teacherDir} (or pre-trained here for {@code teacherSteps}), a dictionary
 *   loaded from {@code dictionaryFile} (or learned here with {@code atoms}), warm-started from the teacher or
 *   not;</li>
 *   <li>the phase-3 latent-to-vocabulary head: {@code headSteps > 0} (objectives with latent concepts).</li>
 * </ul>
 *
 * <pre>{@code
 * var teacher = PretrainExample.run(PretrainExample.Options.builder(Path.of("runs/teacher"))
 *         .objective(Objective.MLM).steps(2000).build());
 * var student = PretrainExample.run(PretrainExample.Options.builder(Path.of("runs/mlsm"))
 *         .objective(Objective.MLSM_PLUS_MLM).teacherDir(teacher.model()).tokenizer(teacher.tokenizer())
 *         .atoms(256).steps(2000).headSteps(500).build());
 * }</pre>
 * Command line: {@code mlsm pretrain --objective MLSM_PLUS_MLM --teacher runs/teacher/student --steps 2000}.
 */
public final class PretrainExample {

    private PretrainExample() {
    }

    /** Model sizes offered on the command line. */
    public enum Size {
        /** hidden 64, 2 layers (CPU, seconds per step). */
        TINY,
        /** hidden 256, 4 layers. */
        SMALL,
        /** DeBERTa-base as in the papers. */
        BASE;

        /** @return the architecture (its vocabulary is replaced by the tokenizer's) */
        public DebertaConfig config() {
            return switch (this) {
                case TINY -> DebertaConfig.tiny();
                case SMALL -> DebertaConfig.small();
                case BASE -> DebertaConfig.base();
            };
        }

        /**
         * @param name {@code tiny}, {@code small} or {@code base} (as benchmark mains take it)
         * @return the size
         * @throws IllegalArgumentException naming the value when it is none of them
         */
        public static Size named(String name) {
            for (Size s : values()) {
                if (s.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("preset must be tiny, small or base, got " + name);
        }
    }

    /**
     * @param outputDir      where artifacts go
     * @param corpusDir      corpus directory ({@code null} = bundled corpus)
     * @param tokenizer      a {@code tokenizer.json} ({@code null} = train one of {@code vocabSize} pieces)
     * @param vocabSize      pieces of a trained tokenizer
     * @param objective      the objective
     * @param size           teacher and student architecture
     * @param maxLength      ids per sequence
     * @param batchSize      sequences per micro-batch
     * @param steps          student (phase-2) steps
     * @param learningRate   student peak learning rate
     * @param teacherDir     a teacher model directory ({@code null} = pre-train one when the objective or warm start
     *                       needs it)
     * @param teacherSteps   steps of a teacher pre-trained here
     * @param dictionaryFile a dictionary file ({@code null} = learn one when the objective needs it)
     * @param atoms          atoms of a dictionary learned here
 * @param layer          the teacher's hidden state the concept targets (and a dictionary learned here) come from:
 *                       {@code 1..L}, {@code 0} = embeddings, negative counts from the top ({@code -1} = last); the
 *                       teacher runs only up to it
     * @param sampleTokens   teacher hidden states used to learn it
     * @param warmStart      start the student from the teacher's weights (needs a teacher)
     * @param headSteps      phase-3 steps ({@code 0} = two phases)
     * @param seed           seed
     * @param progress       training progress listener ({@code null} = progress bar + SLF4J)
     * @param checkpointing  periodic checkpoints and start-over ({@code null} = {@link Checkpointing#defaults()})
     * @param sequences      how lines become sequences ({@code null} = pairs of lines, {@code maxLength} ids)
     * @param preset         a paper's settings applied first ({@code null} = none); the other options here are
     *                       then set over it, so give them the preset's values where you want the paper's
     */
    public record Options(Path outputDir, Path corpusDir, Path tokenizer, int vocabSize, Objective objective,
                          Size size, int maxLength, int batchSize, long steps, double learningRate, Path teacherDir,
                          long teacherSteps, Path dictionaryFile, int atoms, int layer, long sampleTokens,
                          boolean warmStart,
                          long headSteps, long seed, TrainingListener progress, Checkpointing checkpointing,
                          SequenceOptions sequences, PaperPreset preset) {
        public Options {
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
            if (objective == null || size == null) {
                throw new IllegalArgumentException("objective and size are required");
            }
            if (corpusDir != null && !Files.isDirectory(corpusDir)) {
                throw new IllegalArgumentException("corpus directory does not exist: " + corpusDir.toAbsolutePath());
            }
            if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizer.toAbsolutePath());
            }
            if (tokenizer == null && vocabSize <= UnigramTokenizer.SPECIAL_PIECES.size()) {
                throw new IllegalArgumentException("vocabSize must exceed the 5 special tokens, got " + vocabSize);
            }
            if (teacherDir != null && !Files.isRegularFile(teacherDir.resolve("config.json"))) {
                throw new IllegalArgumentException("teacher directory " + teacherDir + " has no config.json");
            }
            if (dictionaryFile != null && !Files.isRegularFile(dictionaryFile)) {
                throw new IllegalArgumentException("dictionary file does not exist: " + dictionaryFile);
            }
            if (maxLength < 8) {
                throw new IllegalArgumentException("maxLength must be >= 8, got " + maxLength);
            }
            if (batchSize < 1 || steps < 1 || teacherSteps < 1 || atoms < 1 || sampleTokens < 1) {
                throw new IllegalArgumentException("batchSize, steps, teacherSteps, atoms and sampleTokens must be >= 1");
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
            }
            if (headSteps < 0) {
                throw new IllegalArgumentException("headSteps must be >= 0 (0 = no phase 3), got " + headSteps);
            }
            if (headSteps > 0 && !objective.needsDictionary()) {
                throw new IllegalArgumentException("phase 3 (headSteps " + headSteps + ") needs latent concepts; "
                        + "objective " + objective + " has none (use MLSM, MLSM_PLUS_MLM, LSM or LSM15)");
            }
            if (checkpointing == null) {
                checkpointing = Checkpointing.defaults();
            }
            if (sequences == null) {
                sequences = new SequenceOptions(maxLength, SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true);
            } else if (sequences.maxLength() != maxLength) {
                throw new IllegalArgumentException("sequences.maxLength " + sequences.maxLength() + " differs from "
                        + "maxLength " + maxLength);
            }
            if (objective == Objective.MLM && teacherDir == null) {
                warmStart = false;   // training the teacher itself
            }
        }

        /** @return a builder with CPU-sized defaults (tiny model, 64 ids, batch 32, 500 steps) */
        public static Builder builder(Path outputDir) {
            return new Builder(outputDir);
        }

        /** @return whether a teacher is needed (objective or warm start) */
        public boolean needsTeacher() {
            return objective.needsTeacher() || warmStart;
        }
    }

    /** Builder of {@link Options}; {@link #build()} validates. */
    public static final class Builder {
        private final Path outputDir;
        private Path corpusDir;
        private Path tokenizer;
        private int vocabSize = 6000;
        private Objective objective = Objective.MLSM_PLUS_MLM;
        private Size size = Size.TINY;
        private int maxLength = 64;
        private int batchSize = 32;
        private long steps = 500;
        private double learningRate = 5e-4;
        private Path teacherDir;
        private long teacherSteps = 500;
        private Path dictionaryFile;
        private int atoms = 256;
        private int layer = -1;
        private long sampleTokens = 30_000;
        private boolean warmStart = true;
        private long headSteps;
        private long seed = 42;
        private PaperPreset preset;
        private TrainingListener progress;
        private Checkpointing checkpointing;
        private SequenceOptions sequences;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        public Builder corpusDir(Path v) { corpusDir = v; return this; }
        public Builder tokenizer(Path v) { tokenizer = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder objective(Objective v) { objective = v; return this; }
        public Builder size(Size v) { size = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder teacherDir(Path v) { teacherDir = v; return this; }
        public Builder teacherSteps(long v) { teacherSteps = v; return this; }
        public Builder dictionaryFile(Path v) { dictionaryFile = v; return this; }
        public Builder atoms(int v) { atoms = v; return this; }
        public Builder layer(int v) { layer = v; return this; }
        public Builder sampleTokens(long v) { sampleTokens = v; return this; }
        public Builder warmStart(boolean v) { warmStart = v; return this; }
        public Builder headSteps(long v) { headSteps = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder progress(TrainingListener v) { progress = v; return this; }
        public Builder checkpointing(Checkpointing v) { checkpointing = v; return this; }
        /** @param v sequence options (their maxLength also sets {@link #maxLength(int)}) @return this */
        public Builder sequences(SequenceOptions v) { sequences = v; maxLength = v.maxLength(); return this; }
        public Builder preset(PaperPreset v) { preset = v; return this; }

        /** @return validated options */
        public Options build() {
            return new Options(outputDir, corpusDir, tokenizer, vocabSize, objective, size, maxLength, batchSize,
                    steps, learningRate, teacherDir, teacherSteps, dictionaryFile, atoms, layer, sampleTokens, warmStart,
                    headSteps, seed, progress, checkpointing, sequences, preset);
        }
    }

    /**
     * @param pretraining artifacts and curves
     * @param model       the trained model directory (phase 3 when run, else the student)
     */
    public record Result(PretrainingResult pretraining, Path model) {

        /** @return the tokenizer file used */
        public Path tokenizer() {
            return pretraining.tokenizer();
        }

        /**
         * @param phase {@code teacher}, {@code student} or {@code head}
         * @param term  a loss term ({@code mlm}, {@code mlsm}, {@code kd}, ...) or {@code total}
         * @return {@code {mean of the first quarter of the steps, mean of the last quarter}}
         * @throws IllegalArgumentException when the phase did not run in this process
         */
        public double[] lossFirstAndLastQuarter(String phase, String term) {
            TrainingResult r = pretraining.phase(phase).orElseThrow(() -> new IllegalArgumentException(
                    "phase " + phase + " did not run here; ran " + pretraining.phases().keySet()));
            int n = r.curve().size();
            int q = Math.max(1, n / 4);
            return new double[]{r.meanLoss(term, 0, q), r.meanLoss(term, n - q, n)};
        }
    }

    /**
     * @throws IllegalArgumentException on an inconsistent configuration (before any work)
     * @throws UncheckedIOException     when a file cannot be read or written
     */
    public static Result run(Options o) {
        try {
            Files.createDirectories(o.outputDir().resolve("tokenizer"));   // where Pretraining saves tokenizer.json
            Corpus corpus = o.corpusDir() == null ? BundledData.corpus(o.outputDir().resolve("data").resolve("corpus"))
                    : Corpus.directory(o.corpusDir());
            boolean threePhase = o.headSteps() > 0;
            Pretraining.Builder b = threePhase ? Pretraining.threePhase() : Pretraining.twoPhase();
            PaperPreset p = o.preset();
            if (p != null) {
                p.apply(b.batchSize(o.batchSize()));   // first: the options below are set over it
            }
            b.corpus(corpus).sequences(o.sequences()).checkpointing(o.checkpointing());
            if (o.tokenizer() != null) {
                b.tokenizer(UnigramTokenizer.load(o.tokenizer()));
            } else {
                b.trainTokenizer(o.vocabSize());
            }
            DebertaConfig arch = o.size().config().toBuilder().maxPositions(Math.max(o.maxLength(),
                    o.size().config().maxPositions())).build();
            if (o.needsTeacher()) {
                b.teacher(o.teacherDir() != null ? TeacherSpec.load(o.teacherDir())
                        : p != null ? p.teacher(arch, o.batchSize()).steps(o.teacherSteps())
                        : TeacherSpec.pretrainMlm(arch).steps(o.teacherSteps()).learningRate(1e-3).warmupFraction(0.05));
            }
            if (o.objective().needsDictionary()) {
                b.dictionary((o.dictionaryFile() != null ? DictionarySpec.load(o.dictionaryFile())
                        : p != null ? p.dictionary().atoms(o.atoms())
                        : DictionarySpec.learn().atoms(o.atoms()).lambda(0.05).sampleTokens(o.sampleTokens())
                        .batchSize((int) Math.min(400, o.sampleTokens())).iterations(200).fistaIterations(50))
                        .layer(o.layer()));
            }
            b.objective(o.objective()).student(o.teacherDir() != null && o.warmStart()
                            ? io.mlsm.models.DebertaConfig.readHfConfig(o.teacherDir().resolve("config.json")) : arch)
                    .warmStart(o.warmStart()).steps(o.steps()).learningRate(o.learningRate())
                    .warmupFraction(p != null ? PaperPreset.WARMUP_FRACTION : 0.05)
                    .batchSize(o.batchSize()).seed(o.seed()).outputDir(o.outputDir());
            if (threePhase) {
                b.headSteps(o.headSteps()).headLearningRate(p != null ? PaperPreset.LEARNING_RATE : 2e-3);
            }
            if (o.progress() != null) {
                b.listener(o.progress());
            }
            PretrainingResult r = b.fit();
            return new Result(r, threePhase ? r.head() : r.student());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
