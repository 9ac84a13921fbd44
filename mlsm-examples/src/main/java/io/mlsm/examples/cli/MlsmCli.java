package io.mlsm.examples.cli;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.train.TrainingInterruptedException;
import io.mlsm.examples.EvalBlimpExample;
import io.mlsm.examples.EvalEwokExample;
import io.mlsm.examples.FillMaskExample;
import io.mlsm.examples.FineTuneGlueExample;
import io.mlsm.examples.LearnDictionaryExample;
import io.mlsm.examples.LayerSweepExample;
import io.mlsm.examples.PretrainExample;
import io.mlsm.examples.ReproductionExample;
import io.mlsm.core.pretrain.PaperPreset;
import io.mlsm.examples.SparseDemoExample;
import io.mlsm.examples.QuickStart;
import io.mlsm.examples.TrainTokenizerExample;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The {@code mlsm} command line: one sub-command per example, each with {@code --help}. Options are validated before
 * any work starts; a bad value ends with a message naming the option and exit code 2.
 *
 * <pre>{@code
 * ./mlsm --help
 * ./mlsm quickstart                       # three-phase run on the bundled corpus, BLiMP table at the end
 * ./mlsm train-tokenizer --vocab 6000 --out runs/tok
 * int exit = MlsmCli.execute("fill-mask", "--model", "runs/q/teacher", "--tokenizer", "runs/q/tokenizer/tokenizer.json",
 *         "The [MASK] sat on the mat.");
 * }</pre>
 */
@Command(name = "mlsm", mixinStandardHelpOptions = true, versionProvider = MlsmCli.Version.class,
        description = "Concept-driven pre-training of masked language models (MLSM, MLM, KD, LSM) on DeBERTa.",
        subcommands = {
                MlsmCli.QuickStartCommand.class,
                MlsmCli.TrainTokenizer.class,
                MlsmCli.Pretrain.class,
                MlsmCli.LayerSweep.class,
                MlsmCli.Reproduce.class,
                MlsmCli.LearnDictionary.class,
                MlsmCli.EvalBlimp.class,
                MlsmCli.EvalEwok.class,
                MlsmCli.FinetuneGlue.class,
                MlsmCli.FillMask.class,
                MlsmCli.SparseDemo.class,
                CommandLine.HelpCommand.class
        })
public final class MlsmCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** @param args command line */
    public static void main(String[] args) {
        BlasThreads.apply();   // ND4J gives OpenBLAS OMP_NUM_THREADS threads, the launcher's 1; honour OPENBLAS_NUM_THREADS
        System.exit(execute(args));
    }

    /**
     * Parses and runs a command line.
     *
     * @param args command line, e.g. {@code {"train-tokenizer", "--vocab", "4000"}}
     * @return the exit code: 0 success, 1 failure while running, 2 invalid command line
     */
    public static int execute(String... args) {
        SameDiffOutputFilter.install();
        return commandLine().execute(args);
    }

    /** Runs one sub-command with its arguments ({@link #execute(String...)} with the name prepended). */
    public static int execute(String subcommand, String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = subcommand;
        System.arraycopy(args, 0, all, 1, args.length);
        return execute(all);
    }

    /** @return a configured picocli command line (tests redirect its output with {@code setOut/setErr}) */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MlsmCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Objective.class, Objective::valueOf);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("mlsm " + cmd.getCommandName() + ": " + ErrorMessages.oneLine(ex));
            if (verbose(parsed)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ex instanceof TrainingInterruptedException t ? StopOnSignal.exitCode(t.reason()) : 1;
        });
        return cl;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of a failure (default: one line naming the problem)")
    boolean verbose;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * Builds an example's options; an {@link IllegalArgumentException} from their validation becomes a picocli
     * {@link ParameterException} (usage error, exit code 2) carrying the message.
     */
    static <T> T options(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** Rejects a value with a message naming the option. */
    static ParameterException bad(CommandSpec spec, String option, Object value, String why) {
        return new ParameterException(spec.commandLine(), "Invalid value '" + value + "' for option '" + option
                + "': " + why);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Version from the jar manifest, else "development". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = MlsmCli.class.getPackage().getImplementationVersion();
            return new String[]{"mlsm " + (v == null ? "development build" : v)};
        }
    }

    // ------------------------------------------------------------------------------------------- sub-commands

    @Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Three-phase run on the bundled public-domain corpus with a tiny DeBERTa on the CPU: "
                    + "tokenizer, MLM teacher, dictionary, MLSM+MLM student, latent-to-vocabulary head, then a BLiMP "
                    + "table per phenomenon (teacher vs student vs phase 3).",
                    "Finished phases in the output directory are reused; an interrupted phase resumes."})
    static final class QuickStartCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/quickstart");

        @Option(names = "--fast", description = "tiny settings: a smoke run of about a minute (numbers meaningless)")
        boolean fast;

        @Option(names = "--steps", paramLabel = "N",
                description = "steps of each training phase (teacher, student, head), overriding the preset")
        Long steps;

        @Option(names = "--blimp-pairs", paramLabel = "N",
                description = "BLiMP pairs per paradigm, 1..20 (default: 20, --fast: 2)")
        Integer blimpPairs;

        @Mixin
        SeedOption seed;

        @Mixin
        CheckpointOptions checkpoints;

        @Override
        public Integer call() {
            if (steps != null && steps < 1) {
                throw bad(spec, "--steps", steps, "must be >= 1");
            }
            if (blimpPairs != null && (blimpPairs < 1 || blimpPairs > 20)) {
                throw bad(spec, "--blimp-pairs", blimpPairs, "must be in 1..20 (the bundled subset has 20 per paradigm)");
            }
            Path dir = out.dir();
            QuickStart.Options o = options(spec, () -> {
                QuickStart.Options p = fast ? QuickStart.Options.fast(dir) : QuickStart.Options.defaults(dir);
                return new QuickStart.Options(dir, p.vocabSize(), p.hiddenSize(), p.layers(), p.maxLength(),
                        p.batchSize(), steps != null ? steps : p.teacherSteps(), p.atoms(), p.sampleTokens(),
                        p.dictIterations(), steps != null ? steps : p.studentSteps(),
                        steps != null ? steps : p.headSteps(), blimpPairs != null ? blimpPairs : p.blimpPairs(),
                        seed.value(), p.progress(), checkpoints.value());
            });
            QuickStart.Result r;
            try (StopOnSignal ignored = StopOnSignal.install(System.err)) {
                r = QuickStart.run(o);
            }
            PrintWriter w = spec.commandLine().getOut();
            w.println();
            w.println("BLiMP, bundled subset (" + o.blimpPairs() + " pairs per paradigm), accuracy per phenomenon:");
            w.println();
            w.println(r.markdown());
            w.println("written: " + r.markdownFile() + ", " + r.csvFile() + "; models, tokenizer and dictionary in "
                    + o.outputDir() + " (" + r.elapsed().toSeconds() + " s)");
            w.flush();
            return 0;
        }
    }

    @Command(name = "train-tokenizer", mixinStandardHelpOptions = true,
            description = "Train a Unigram LM tokenizer and save it as a Hugging Face tokenizer.json.")
    static final class TrainTokenizer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CorpusOption corpus;

        @Option(names = "--vocab", paramLabel = "N", defaultValue = "6000",
                description = "vocabulary size, special tokens included (default: ${DEFAULT-VALUE})")
        int vocab;

        @Option(names = "--max-lines", paramLabel = "N", defaultValue = "0",
                description = "train on a seeded sample of N lines, 0 = all (default: ${DEFAULT-VALUE})")
        int maxLines;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/tokenizer");

        @Override
        public Integer call() {
            if (vocab <= 5) {
                throw bad(spec, "--vocab", vocab, "must exceed the 5 special tokens");
            }
            var o = options(spec, () -> new TrainTokenizerExample.Options(corpus.dirOrNull(), vocab, maxLines,
                    out.dir()));
            var r = TrainTokenizerExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            w.println("tokenizer: " + r.tokenizerFile() + " (" + r.vocabSize() + " pieces)");
            w.println("sample:    " + String.join(" ", r.samplePieces()));
            w.flush();
            return 0;
        }
    }

    @Command(name = "fill-mask", mixinStandardHelpOptions = true,
            description = "Load a model directory (config.json + model.safetensors) and tokenizer.json and print the "
                    + "top-k fillers of every [MASK].")
    static final class FillMask implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions model;

        @Option(names = {"-k", "--top-k"}, paramLabel = "K", defaultValue = "5",
                description = "fillers per mask (default: ${DEFAULT-VALUE})")
        int topK;

        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts with [MASK] markers")
        List<String> texts;

        @Override
        public Integer call() {
            if (topK < 1) {
                throw bad(spec, "--top-k", topK, "must be >= 1");
            }
            var o = options(spec, () -> new FillMaskExample.Options(model.dir(), model.tokenizerFile(), texts,
                    topK, model.concepts()));
            var r = FillMaskExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            for (FillMaskExample.FilledText t : r.texts()) {
                w.println(t.text());
                for (FillMaskExample.MaskPrediction m : t.masks()) {
                    StringBuilder sb = new StringBuilder("  [MASK] at " + m.position() + ":");
                    for (FillMaskExample.Candidate c : m.candidates()) {
                        sb.append(String.format(Locale.ROOT, "  %s %.3f", c.piece(), c.probability()));
                    }
                    w.println(sb);
                }
                w.println("  -> " + t.bestFilling());
            }
            w.flush();
            return 0;
        }
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Pre-train with the fluent API: a teacher (--objective MLM), a student (MLSM_PLUS_MLM, "
                    + "MLSM, LSM, LSM15, KD, KD_PLUS_MLM) and optionally the phase-3 latent-to-vocabulary head "
                    + "(--head-steps).",
                    "A teacher and a dictionary are loaded when given, else trained/learned here first."})
    static final class Pretrain implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--preset", paramLabel = "NAME", description = {"a paper's settings (docs/presets.md): "
                + "BABYLM_2023_STRICT_SMALL | BABYLM_2023_STRICT | BABYLM_2024_STRICT_SMALL | BABYLM_2024_STRICT. "
                + "It sets --objective --vocab --size --max-length --steps --lr --teacher-steps --atoms --head-steps "
                + "and the rest of the paper (effective batch 1024 = --batch x accumulation, warm-up 1%%, AdamW as "
                + "torch, MLSM batchmean); an option given explicitly wins over the preset"})
        String preset;

        @Option(names = "--objective", paramLabel = "OBJ", defaultValue = "MLSM_PLUS_MLM",
                description = "MLM | KD | KD_PLUS_MLM | MLSM | MLSM_PLUS_MLM | LSM | LSM15 (default: ${DEFAULT-VALUE})")
        Objective objective;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/pretrain");

        @Mixin
        CorpusOption corpus;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json (default: train one)")
        Path tokenizer;

        @Option(names = "--vocab", paramLabel = "N", defaultValue = "6000",
                description = "pieces of a trained tokenizer (default: ${DEFAULT-VALUE})")
        int vocab;

        @Option(names = "--size", paramLabel = "SIZE", defaultValue = "TINY",
                description = "TINY | SMALL | BASE (default: ${DEFAULT-VALUE})")
        PretrainExample.Size size;

        @Option(names = "--max-length", paramLabel = "N", defaultValue = "64",
                description = "ids per sequence (default: ${DEFAULT-VALUE})")
        int maxLength;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
                description = "sequences per batch (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "500",
                description = "student steps (default: ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--lr", paramLabel = "LR", defaultValue = "5e-4",
                description = "student peak learning rate (default: ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--teacher", paramLabel = "DIR", description = "teacher model directory (default: train one)")
        Path teacher;

        @Option(names = "--teacher-steps", paramLabel = "N", defaultValue = "500",
                description = "steps of a teacher trained here (default: ${DEFAULT-VALUE})")
        long teacherSteps;

        @Option(names = "--dictionary", paramLabel = "FILE",
                description = "dictionary file: ours (.mlsmdict) or a NumPy *.npy matrix [d, k], one atom per column "
                        + "(the SPAMS layout; lambda 0.05 assumed) (default: learn one)")
        Path dictionary;

        @Option(names = "--atoms", paramLabel = "K", defaultValue = "256",
                description = "atoms of a dictionary learned here (default: ${DEFAULT-VALUE})")
        int atoms;

        @Option(names = "--layer", paramLabel = "L", defaultValue = "-1",
                description = {"the teacher's hidden state the concept targets and a dictionary learned here come "
                        + "from: 1..layers, 0 = embeddings, -1 = last (default: ${DEFAULT-VALUE}); the teacher runs "
                        + "only up to it"})
        int layer;

        @Option(names = "--no-warm-start", description = "start the student from a random initialisation")
        boolean noWarmStart;

        @Option(names = "--head-steps", paramLabel = "N", defaultValue = "0",
                description = "phase-3 head steps, 0 = two phases (default: ${DEFAULT-VALUE})")
        long headSteps;

        @Mixin
        SeedOption seed;

        @Mixin
        CheckpointOptions checkpoints;

        @Mixin
        LongLinesOption longLines;

        /** @return whether the user gave this option on the command line (then it wins over a preset) */
        private boolean given(String option) {
            return spec.commandLine().getParseResult().hasMatchedOption(option);
        }

        /**
         * Resolves {@code --preset}: every option the user did not give takes the preset's value; options given
         * explicitly keep theirs. Without a preset, nothing changes.
         *
         * @return the preset, or null
         */
        PaperPreset resolvePreset() {
            if (preset == null) {
                return null;
            }
            PaperPreset p;
            try {
                p = PaperPreset.parse(preset);
                PaperPreset.accumulationFor(batch);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            if (!given("--objective")) {
                objective = p.objective();
            }
            if (!given("--vocab")) {
                vocab = PaperPreset.TOKENIZER_VOCAB;
            }
            if (!given("--size")) {
                size = PretrainExample.Size.BASE;
            }
            if (!given("--max-length")) {
                maxLength = PaperPreset.SEQUENCE_LENGTH;
            }
            if (!given("--steps")) {
                steps = p.studentSteps();
            }
            if (!given("--lr")) {
                lr = PaperPreset.LEARNING_RATE;
            }
            if (!given("--teacher-steps")) {
                teacherSteps = p.teacherSteps();
            }
            if (!given("--atoms")) {
                atoms = p.atoms();
            }
            if (!given("--head-steps")) {
                headSteps = p.hasHead() ? PaperPreset.HEAD_STEPS : 0;
            }
            return p;
        }

        /** @return the example's options after resolving {@code --preset} and validating */
        PretrainExample.Options resolvedOptions() {
            PaperPreset p = resolvePreset();
            if (steps < 1) {
                throw bad(spec, "--steps", steps, "must be >= 1");
            }
            if (headSteps < 0) {
                throw bad(spec, "--head-steps", headSteps, "must be >= 0");
            }
            if (headSteps > 0 && !objective.needsDictionary()) {
                throw bad(spec, "--head-steps", headSteps, "phase 3 needs latent concepts; --objective " + objective
                        + " has none (use MLSM, MLSM_PLUS_MLM, LSM or LSM15)");
            }
            return options(spec, () -> PretrainExample.Options.builder(out.dir()).corpusDir(corpus.dirOrNull())
                    .tokenizer(tokenizer).vocabSize(vocab).objective(objective).size(size).maxLength(maxLength)
                    .batchSize(batch).steps(steps).learningRate(lr).teacherDir(teacher).teacherSteps(teacherSteps)
                    .dictionaryFile(dictionary).atoms(atoms).layer(layer).warmStart(!noWarmStart).headSteps(headSteps)
                    .sequences(new SequenceOptions(maxLength, SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true,
                            longLines.window()))
                    .checkpointing(checkpoints.value()).seed(seed.value()).preset(p).build());
        }

        @Override
        public Integer call() {
            var o = resolvedOptions();
            PretrainExample.Result r;
            try (StopOnSignal ignored = StopOnSignal.install(System.err)) {
                r = PretrainExample.run(o);
            }
            PrintWriter w = spec.commandLine().getOut();
            var p = r.pretraining();
            w.println("tokenizer:  " + p.tokenizer());
            if (p.teacher() != null) {
                w.println("teacher:    " + p.teacher());
            }
            if (p.dictionary() != null) {
                w.println("dictionary: " + p.dictionary());
            }
            w.println("student:    " + p.student() + (objective == Objective.MLM && teacher == null
                    ? "  (trained with MLM: use it as --teacher)" : ""));
            if (p.head() != null) {
                w.println("phase 3:    " + p.head());
            }
            for (String phase : p.phases().keySet()) {
                if (p.phases().get(phase).curve().isEmpty()) {
                    w.println("loss " + phase + ": already finished by an earlier run (no steps trained now)");
                    continue;
                }
                double[] q = r.lossFirstAndLastQuarter(phase, "total");
                w.println("loss " + phase + ": " + fmt(q[0]) + " (first quarter) -> " + fmt(q[1]) + " (last quarter)");
            }
            w.flush();
            return 0;
        }
    }

    @Command(name = "learn-dictionary", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Learn a dictionary of latent concepts from a teacher's hidden states (online dictionary "
                    + "learning) and report how held-out states are coded.")
    static final class LearnDictionary implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--teacher", paramLabel = "DIR", required = true, description = "teacher model directory")
        Path teacher;

        @Mixin
        TokenizerOption tokenizer;

        @Mixin
        CorpusOption corpus;

        @Option(names = "--atoms", paramLabel = "K", defaultValue = "256", description = "atoms (default: ${DEFAULT-VALUE})")
        int atoms;

        @Option(names = "--lambda", paramLabel = "L", defaultValue = "0.05",
                description = "l1 weight (default: ${DEFAULT-VALUE})")
        double lambda;

        @Option(names = "--layer", paramLabel = "N", defaultValue = "-1",
                description = "hidden-state index, 0 = embeddings, -1 = last layer (default: ${DEFAULT-VALUE})")
        int layer;

        @Option(names = "--tokens", paramLabel = "N", defaultValue = "30000",
                description = "hidden states used for learning (default: ${DEFAULT-VALUE})")
        long tokens;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "200",
                description = "learner iterations (default: ${DEFAULT-VALUE})")
        long iterations;

        @Option(names = "--forgetting", paramLabel = "RHO", defaultValue = "0",
                description = "forgetting exponent of the learner's statistics, 0 = none as in the reference "
                        + "(default: ${DEFAULT-VALUE})")
        double forgetting;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/dictionary");

        @Override
        public Integer call() {
            if (atoms < 1) {
                throw bad(spec, "--atoms", atoms, "must be >= 1");
            }
            if (!(forgetting >= 0) || !Double.isFinite(forgetting)) {
                throw bad(spec, "--forgetting", forgetting, "must be finite and >= 0");
            }
            Path tok = tokenizer.orIn(teacher);
            var o = options(spec, () -> new LearnDictionaryExample.Options(teacher, tok, corpus.dirOrNull(), atoms,
                    lambda, layer, tokens, iterations, forgetting, out.dir()));
            var r = LearnDictionaryExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            w.println("dictionary: " + r.dictionaryFile() + " (" + r.dimension() + " x " + r.atoms() + "); for numpy: "
                    + r.npyFile());
            w.println("held-out:   " + r.heldOutRows() + " hidden states, " + fmt(r.meanNonZeros())
                    + " non-zeros per code, relative error " + fmt(r.relativeError()) + ", all-zero codes "
                    + fmt(r.zeroCodeFraction()));
            w.flush();
            return 0;
        }
    }

    @Command(name = "eval-blimp", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Zero-shot BLiMP by pseudo-log-likelihood: accuracy per phenomenon (Markdown and CSV).")
    static final class EvalBlimp implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions model;

        @Option(names = "--blimp", paramLabel = "DIR",
                description = "folder of BLiMP <paradigm>.jsonl files (default: the bundled 20-pair subset)")
        Path blimp;

        @Option(names = "--supplement", paramLabel = "DIR", description = "folder of BLiMP-supplement files")
        Path supplement;

        @Option(names = "--pairs", paramLabel = "N", defaultValue = "0",
                description = "pairs per file, 0 = all (default: ${DEFAULT-VALUE})")
        int pairs;

        @Mixin
        ScoringHeadOption head;

        @Mixin
        NormaliserOption normaliser;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/eval-blimp");

        @Override
        public Integer call() {
            if (pairs < 0) {
                throw bad(spec, "--pairs", pairs, "must be >= 0 (0 = all)");
            }
            var o = options(spec, () -> new EvalBlimpExample.Options(model.dir(), model.tokenizerFile(), blimp,
                    supplement, pairs, head.value(), normaliser.value(), out.dir(), model.concepts()));
            var r = EvalBlimpExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            w.println(r.markdown());
            w.println("written: " + r.markdownFile() + ", " + r.csvFile() + ", " + r.provenanceFile());
            w.flush();
            return 0;
        }
    }

    @Command(name = "eval-ewok", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Zero-shot EWoK (encrypted BabyLM zip read in place) by pseudo-log-likelihood: accuracy "
                    + "per domain.")
    static final class EvalEwok implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions model;

        @Mixin
        DataOptions data;

        @Option(names = "--fast", description = "the BabyLM 2025 fast subset")
        boolean fast;

        @Option(names = "--items", paramLabel = "N", defaultValue = "0",
                description = "items per group, 0 = all (default: ${DEFAULT-VALUE})")
        int items;

        @Mixin
        ScoringHeadOption head;

        @Mixin
        NormaliserOption normaliser;

        @Override
        public Integer call() {
            if (items < 0) {
                throw bad(spec, "--items", items, "must be >= 0 (0 = all)");
            }
            var o = options(spec, () -> new EvalEwokExample.Options(model.dir(), model.tokenizerFile(), data.dir(),
                    fast, items, head.value(), normaliser.value(), model.concepts()));
            var r = EvalEwokExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            r.scores().byDomain().forEach((d, a) -> w.println(d + ": " + fmt(a.value()) + " (" + a.correct() + "/"
                    + a.total() + ")"));
            w.println("overall: " + fmt(r.scores().overall().value()) + ", domain average "
                    + fmt(r.scores().domainAverage()));
            w.println("normaliser: " + r.scores().normaliserApplied());
            w.flush();
            return 0;
        }
    }

    @Command(name = "layer-sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The teacher-layer recipe (paper 001): for each teacher layer, learn a dictionary from "
                    + "it and train an MLSM+MLM student for --steps; then BLiMP and one GLUE task per student, next to "
                    + "the operations each layer spent (layer-sweep.md / .csv in the output directory).",
                    "Without --teacher an MLM teacher is trained first and shared by every layer."})
    static final class LayerSweep implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--layers", paramLabel = "L,L,...", split = ",", defaultValue = "1,2",
                description = "teacher layers, 1..layers or negative from the top (default: ${DEFAULT-VALUE})")
        List<Integer> layers;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/layer-sweep");

        @Mixin
        CorpusOption corpus;

        @Option(names = "--teacher", paramLabel = "DIR", description = "a trained MLM teacher (default: train one)")
        Path teacher;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "the teacher's tokenizer.json (with --teacher)")
        Path tokenizer;

        @Option(names = "--size", paramLabel = "SIZE", defaultValue = "TINY",
                description = "TINY | SMALL | BASE (default: ${DEFAULT-VALUE})")
        PretrainExample.Size size;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "200",
                description = "student steps per layer (default: ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--teacher-steps", paramLabel = "N", defaultValue = "400",
                description = "steps of a teacher trained here (default: ${DEFAULT-VALUE})")
        long teacherSteps;

        @Option(names = "--atoms", paramLabel = "K", defaultValue = "128", description = "(default: ${DEFAULT-VALUE})")
        int atoms;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--max-length", paramLabel = "N", defaultValue = "64", description = "(default: ${DEFAULT-VALUE})")
        int maxLength;

        @Option(names = "--vocab", paramLabel = "N", defaultValue = "6000",
                description = "pieces of the tokenizer trained with a teacher trained here (default: ${DEFAULT-VALUE})")
        int vocab;

        @Option(names = "--warm-start", description = "start each student from the teacher's weights")
        boolean warmStart;

        @Option(names = "--data", paramLabel = "DIR",
                description = "the folder with blimp_filtered/ and glue_filtered/ (default: the bundled BLiMP subset, "
                        + "one pair per paradigm, and no GLUE task)")
        Path data;

        @Option(names = "--pairs", paramLabel = "N", defaultValue = "20",
                description = "BLiMP pairs per paradigm, 0 = all (default: ${DEFAULT-VALUE})")
        int pairs;

        @Option(names = "--glue-task", paramLabel = "TASK", defaultValue = "RTE",
                description = "fine-tuning task, or NONE (default: ${DEFAULT-VALUE})")
        String glueTask;

        @Option(names = "--glue-examples", paramLabel = "N", defaultValue = "400",
                description = "examples per GLUE split, 0 = all (default: ${DEFAULT-VALUE})")
        int glueExamples;

        @Option(names = "--glue-epochs", paramLabel = "N", defaultValue = "2", description = "(default: ${DEFAULT-VALUE})")
        int glueEpochs;

        @Mixin
        SeedOption seed;

        @Override
        public Integer call() {
            GlueTask task;
            try {
                task = glueTask.equalsIgnoreCase("NONE") ? null : GlueTask.parse(glueTask);
            } catch (IllegalArgumentException e) {
                throw bad(spec, "--glue-task", glueTask, e.getMessage());
            }
            var o = options(spec, () -> LayerSweepExample.Options.builder(out.dir()).corpusDir(corpus.dirOrNull())
                    .teacher(teacher, tokenizer).layers(layers).size(size).steps(steps).teacherSteps(teacherSteps)
                    .atoms(atoms).batchSize(batch).maxLength(maxLength).warmStart(warmStart).dataDir(data)
                    .blimpPairs(pairs).glueTask(task).glueExamples(glueExamples).glueEpochs(glueEpochs).vocabSize(vocab)
                    .seed(seed.value()).build());
            LayerSweepExample.Result r;
            try (StopOnSignal ignored = StopOnSignal.install(System.err)) {
                r = LayerSweepExample.run(o);
            }
            PrintWriter w = spec.commandLine().getOut();
            w.println(r.markdown());
            w.println("tables: " + out.dir().resolve("layer-sweep.md") + ", " + out.dir().resolve("layer-sweep.csv"));
            w.flush();
            return 0;
        }
    }

    @Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A multi-seed reproduction: an MLM teacher and one dictionary, then per seed an MLM student "
                    + "and an MLSM+MLM student (and LSM15 with --arms) for the same steps, started from the teacher's "
                    + "weights (or at random with --no-warm-start), each scored on BLiMP with both normalisers at "
                    + "evenly spaced checkpoints (the last one and the teacher on --final-pairs as well); "
                    + "reproduction.md / .csv and blimp-<normaliser>.png in the output directory.",
                    "Every stage is reused when present, so an interrupted run continues, and disjoint --arms/--seeds "
                    + "can run in parallel processes once the teacher and the dictionary exist."})
    static final class Reproduce implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        OutputOptions out = new OutputOptions("mlsm-runs/reproduce");

        @Mixin
        CorpusOption corpus;

        @Option(names = "--teacher", paramLabel = "DIR", description = "a trained MLM teacher (default: train one)")
        Path teacher;

        @Option(names = "--tokenizer", paramLabel = "FILE",
                description = "the teacher's tokenizer.json (required with --teacher; default: train one)")
        Path tokenizer;

        @Option(names = "--arms", paramLabel = "ARM,ARM,...", split = ",", defaultValue = "MLM,MLSM_PLUS_MLM",
                description = "MLM | MLSM_PLUS_MLM | LSM15; the first is the baseline (default: ${DEFAULT-VALUE})")
        List<ReproductionExample.Arm> arms;

        @Option(names = "--seeds", paramLabel = "S,S,...", split = ",", defaultValue = "1,2,3",
                description = "student seeds (default: ${DEFAULT-VALUE})")
        List<Long> seeds;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "1200",
                description = "steps of every student (default: ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--checkpoints", paramLabel = "N", defaultValue = "4",
                description = "evenly spaced checkpoints scored per student, the last at --steps (default: "
                        + "${DEFAULT-VALUE})")
        int checkpoints;

        @Option(names = "--checkpoint-steps", paramLabel = "N,N,...", split = ",",
                description = "explicit scored steps instead of --checkpoints, ascending, the last = --steps (e.g. "
                        + "150,300,600,900,1200); the students save every gcd of them")
        List<Long> checkpointSteps;

        @Option(names = "--teacher-steps", paramLabel = "N", defaultValue = "3000",
                description = "steps of a teacher trained here (default: ${DEFAULT-VALUE})")
        long teacherSteps;

        @Option(names = "--teacher-seed", paramLabel = "N", defaultValue = "42",
                description = "seed of a teacher trained here and of the dictionary (default: ${DEFAULT-VALUE})")
        long teacherSeed;

        @Option(names = "--no-warm-start",
                description = "start every student from a random initialisation (paper 002 Table 3), not from the "
                        + "teacher's weights (paper 000)")
        boolean noWarmStart;

        @Option(names = "--size", paramLabel = "SIZE", defaultValue = "TINY",
                description = "TINY | SMALL | BASE (default: ${DEFAULT-VALUE})")
        PretrainExample.Size size;

        @Option(names = "--atoms", paramLabel = "K", defaultValue = "256", description = "(default: ${DEFAULT-VALUE})")
        int atoms;

        @Option(names = "--lambda", paramLabel = "L", defaultValue = "0.05", description = "(default: ${DEFAULT-VALUE})")
        double lambda;

        @Option(names = "--tokens", paramLabel = "N", defaultValue = "30000",
                description = "teacher hidden states the dictionary is learned from (default: ${DEFAULT-VALUE})")
        long tokens;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--max-length", paramLabel = "N", defaultValue = "64", description = "(default: ${DEFAULT-VALUE})")
        int maxLength;

        @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3",
                description = "peak learning rate of teacher and students (default: ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--vocab", paramLabel = "N", defaultValue = "6000",
                description = "pieces of a tokenizer trained here (default: ${DEFAULT-VALUE})")
        int vocab;

        @Option(names = "--blimp", paramLabel = "DIR",
                description = "folder of BLiMP <paradigm>.jsonl files (default: the bundled 20-pair subset)")
        Path blimp;

        @Option(names = "--pairs", paramLabel = "N", defaultValue = "0",
                description = "BLiMP pairs per paradigm, 0 = all (default: ${DEFAULT-VALUE})")
        int pairs;

        @Option(names = "--final-pairs", paramLabel = "N", defaultValue = "-1",
                description = "BLiMP pairs per paradigm at the last checkpoint and for the teacher, the set the "
                        + "arms are compared on; 0 = all, -1 = as --pairs (default: ${DEFAULT-VALUE})")
        int finalPairs;

        @Override
        public Integer call() {
            var o = options(spec, () -> ReproductionExample.Options.builder(out.dir()).corpusDir(corpus.dirOrNull())
                    .teacher(teacher, tokenizer).arms(arms).seeds(seeds).steps(steps).checkpoints(checkpoints)
                    .checkpointAt(checkpointSteps).teacherSteps(teacherSteps).teacherSeed(teacherSeed)
                    .warmStart(!noWarmStart).size(size)
                    .atoms(atoms).lambda(lambda)
                    .sampleTokens(tokens).batchSize(batch).maxLength(maxLength).learningRate(lr).vocabSize(vocab)
                    .blimpDir(blimp).blimpPairs(pairs).finalPairs(finalPairs).build());
            ReproductionExample.Result r;
            try (StopOnSignal ignored = StopOnSignal.install(System.err)) {
                r = ReproductionExample.run(o);
            }
            PrintWriter w = spec.commandLine().getOut();
            w.println(r.markdown());
            w.println("report: " + out.dir().resolve("reproduction.md") + ", plots: " + r.plots());
            w.flush();
            return 0;
        }
    }

    @Command(name = "finetune-glue", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Fine-tune on one (Super)GLUE task per seed and report the validation metric.")
    static final class FinetuneGlue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--task", paramLabel = "TASK", required = true,
                description = "BOOLQ | COLA | MNLI | MRPC | MULTIRC | QQP | RTE | SST2 | WSC")
        String task;

        @Mixin
        ModelOptions model;

        @Mixin
        DataOptions data;

        @Option(names = "--examples", paramLabel = "N", defaultValue = "0",
                description = "examples per split, 0 = all (default: ${DEFAULT-VALUE})")
        int examples;

        @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "(default: ${DEFAULT-VALUE})")
        int epochs;

        @Option(names = "--seeds", paramLabel = "N", defaultValue = "1",
                description = "runs, seeds 12, 13, ... (default: ${DEFAULT-VALUE})")
        int seeds;

        @Option(names = "--lr", paramLabel = "LR", defaultValue = "5e-5", description = "(default: ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
        int batch;

        @Override
        public Integer call() {
            GlueTask t;
            try {
                t = GlueTask.parse(task);
            } catch (IllegalArgumentException e) {
                throw bad(spec, "--task", task, e.getMessage());
            }
            var o = options(spec, () -> new FineTuneGlueExample.Options(model.dir(), model.tokenizerFile(),
                    data.dir(), t, examples, epochs, seeds, lr, batch, model.concepts()));
            var r = FineTuneGlueExample.run(o).result();
            PrintWriter w = spec.commandLine().getOut();
            r.runs().forEach(s -> w.println("seed " + s.seed() + ": " + fmt(s.score()) + " after " + s.steps()
                    + " steps (best at " + s.bestStep() + ")"));
            w.println(r.task() + " " + r.metric() + ": " + fmt(r.mean()) + " +- " + fmt(r.std()) + " over "
                    + r.runs().size() + " seed(s)");
            w.flush();
            return 0;
        }
    }

    @Command(name = "sparse-demo", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sparse coding on planted data: FISTA support recovery with the true dictionary, then "
                    + "dictionary learning from the signals alone (atoms recovered).")
    static final class SparseDemo implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dim", paramLabel = "D", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
        int dim;

        @Option(names = "--atoms", paramLabel = "K", defaultValue = "16", description = "(default: ${DEFAULT-VALUE})")
        int atoms;

        @Option(names = "--nonzeros", paramLabel = "S", defaultValue = "3",
                description = "non-zeros per planted code (default: ${DEFAULT-VALUE})")
        int nonZeros;

        @Option(names = "--signals", paramLabel = "N", defaultValue = "4000", description = "(default: ${DEFAULT-VALUE})")
        int signals;

        @Option(names = "--noise", paramLabel = "SIGMA", defaultValue = "0.01", description = "(default: ${DEFAULT-VALUE})")
        double noise;

        @Option(names = "--lambda", paramLabel = "L", defaultValue = "0.1", description = "(default: ${DEFAULT-VALUE})")
        double lambda;

        @Option(names = "--passes", paramLabel = "N", defaultValue = "4",
                description = "dictionary-learning passes over the signals (default: ${DEFAULT-VALUE})")
        int passes;

        @Mixin
        SeedOption seed;

        @Override
        public Integer call() {
            if (nonZeros < 1 || nonZeros > atoms) {
                throw bad(spec, "--nonzeros", nonZeros, "must be in 1..--atoms (" + atoms + ")");
            }
            var o = options(spec, () -> new SparseDemoExample.Options(dim, atoms, nonZeros, signals, noise, lambda,
                    passes, seed.value()));
            var r = SparseDemoExample.run(o);
            PrintWriter w = spec.commandLine().getOut();
            w.println("solve (FISTA, true dictionary): support recall " + fmt(r.supportRecall()) + ", relative error "
                    + fmt(r.relativeError()) + ", " + fmt(r.meanNonZeros()) + " non-zeros per code, "
                    + r.solveMillis() + " ms");
            w.println("learn (online dictionary learning): " + r.atomsRecovered() + "/" + r.atoms()
                    + " planted atoms recovered (cosine >= " + SparseDemoExample.RECOVERY_COSINE + "), mean best cosine "
                    + fmt(r.meanBestCosine()) + ", " + r.learnMillis() + " ms");
            w.flush();
            return 0;
        }
    }
}
