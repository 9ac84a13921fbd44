package io.mlsm.spark.cli;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.sweep.SweepResult;
import io.mlsm.examples.cli.ErrorMessages;
import io.mlsm.examples.cli.NormaliserOption;
import io.mlsm.examples.cli.SameDiffOutputFilter;
import io.mlsm.examples.cli.ScoringHeadOption;
import io.mlsm.spark.SparkEncoding;
import io.mlsm.spark.SparkEvaluation;
import io.mlsm.spark.SparkJobs;
import io.mlsm.spark.SparkTargets;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The Spark commands: {@code spark-encode}, {@code spark-targets}, {@code spark-eval}. From {@code ./mlsm} they run
 * Spark in-process ({@code local[N]}, one slot per core, unless {@code --master} says otherwise); under
 * {@code spark-submit --class io.mlsm.spark.cli.SparkCli mlsm-spark-…-app.jar spark-targets …} they use the master
 * spark-submit set.
 *
 * <pre>{@code
 * ./mlsm spark-targets --corpus run/corpus-cache/corpus-….mlsmseq --teacher run/teacher \
 *     --dictionary run/dictionary/dictionary.mlsmdict --out run/targets/concepts-top32.mlsmtgt --master 'local[2]'
 * }</pre>
 */
@Command(name = "mlsm", mixinStandardHelpOptions = true,
        description = "MLSM on Apache Spark: corpus encoding, concept-target caches and zero-shot sweeps on a cluster.",
        subcommands = {SparkCli.Encode.class, SparkCli.Targets.class, SparkCli.Eval.class,
                CommandLine.HelpCommand.class})
public final class SparkCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of a failure (default: one line naming the problem)")
    boolean verbose;

    /** @param args command line */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** @return the exit code: 0 success, 1 failure while running, 2 invalid command line */
    public static int execute(String... args) {
        SameDiffOutputFilter.install();
        CommandLine cl = new CommandLine(new SparkCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("mlsm " + cmd.getCommandName() + ": " + ErrorMessages.oneLine(ex));
            boolean v = false;
            for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
                v |= r.hasMatchedOption("--verbose");
            }
            if (v) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code --master}, shared by the commands. */
    static final class MasterOption {
        @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], spark://host:port, "
                + "yarn, k8s://… (default: spark-submit's, else local[<cores>])")
        String master;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    @Command(name = "spark-encode", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Encode text files into one encoded corpus (.mlsmseq), one Spark task per file; equal to "
                    + "the single-process encoding.")
    static final class Encode implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--corpus", paramLabel = "PATH", required = true,
                description = "a text file or a folder of *.train/*.txt files")
        Path corpus;

        @Option(names = {"-t", "--tokenizer"}, paramLabel = "FILE", required = true, description = "tokenizer.json")
        Path tokenizer;

        @Option(names = "--max-length", paramLabel = "N", description = "tokens per sequence (default: 128)")
        Integer maxLength;

        @Option(names = "--single-lines", description = "one line per sequence instead of line pairs")
        boolean singleLines;

        @Option(names = "--long-lines", paramLabel = "MODE", defaultValue = "TRUNCATE",
                description = "TRUNCATE | WINDOW: what happens to a line longer than a sequence (default: "
                        + "${DEFAULT-VALUE})")
        String longLines;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "the .mlsmseq file to write")
        Path out;

        @Mixin
        MasterOption master;

        @Override
        public Integer call() throws Exception {
            SequenceOptions d = SequenceOptions.defaults();
            boolean window = switch (longLines.toUpperCase(Locale.ROOT)) {
                case "TRUNCATE" -> false;
                case "WINDOW" -> true;
                default -> throw new ParameterException(spec.commandLine(), "Invalid value '" + longLines
                        + "' for option '--long-lines': expected TRUNCATE or WINDOW");
            };
            SequenceOptions o = new SequenceOptions(maxLength == null ? d.maxLength() : maxLength,
                    d.minContentTokens(), !singleLines, window);
            Corpus c = Files.isDirectory(corpus) ? Corpus.directory(corpus) : Corpus.lines(corpus);
            try (JavaSparkContext sc = SparkJobs.context("mlsm spark-encode", master.master)) {
                SparkEncoding.Result r = SparkEncoding.builder().corpus(c).tokenizer(tokenizer).options(o).output(out)
                        .build().run(sc);
                PrintWriter w = spec.commandLine().getOut();
                w.println("encoded " + r.files() + " files (" + r.reused() + " kept from an earlier run): "
                        + r.sequences() + " sequences, " + r.tokens() + " ids in " + fmt(r.seconds()) + " s");
                w.println("written: " + r.file());
                w.flush();
            }
            return 0;
        }
    }

    @Command(name = "spark-targets", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Compute the concept-target cache of an encoded corpus on Spark (teacher + dictionary per "
                    + "executor); the file pretrain reads, equal byte for byte to the single-process cache.")
    static final class Targets implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--corpus", paramLabel = "FILE", required = true, description = "an encoded corpus .mlsmseq")
        Path corpus;

        @Option(names = "--teacher", paramLabel = "DIR", required = true, description = "the teacher model directory")
        Path teacher;

        @Option(names = "--dictionary", paramLabel = "FILE", required = true,
                description = "the dictionary (.mlsmdict of this library, or a numpy .npy)")
        Path dictionary;

        @Option(names = {"-t", "--tokenizer"}, paramLabel = "FILE",
                description = "tokenizer.json (default: the teacher directory's)")
        Path tokenizer;

        @Option(names = "--layer", paramLabel = "L", defaultValue = "-1",
                description = "teacher layer, -1 = last (default: ${DEFAULT-VALUE})")
        int layer;

        @Option(names = "--lambda", paramLabel = "X", description = "l1 weight of the codes (default: the "
                + "dictionary's own)")
        Double lambda;

        @Option(names = "--fista-iterations", paramLabel = "N", defaultValue = "100",
                description = "FISTA iterations per code (default: ${DEFAULT-VALUE})")
        int fistaIterations;

        @Option(names = "--top-n", paramLabel = "N", defaultValue = "32",
                description = "concepts kept per token (default: ${DEFAULT-VALUE})")
        int topN;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
                description = "sequences per teacher pass, as pretrain's --batch (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--sequences-per-task", paramLabel = "N", defaultValue = "2048",
                description = "sequences per Spark task (default: ${DEFAULT-VALUE})")
        int perTask;

        @Option(names = "--out", paramLabel = "FILE", required = true,
                description = "the cache file, e.g. RUN/targets/concepts-top32.mlsmtgt")
        Path out;

        @Mixin
        MasterOption master;

        @Override
        public Integer call() throws Exception {
            SparkTargets.Builder b;
            try {
                b = SparkTargets.builder().corpus(corpus).teacher(teacher).dictionary(dictionary).layer(layer)
                        .fistaIterations(fistaIterations).topN(topN).batchSize(batchSize).sequencesPerTask(perTask)
                        .output(out);
                if (lambda != null) {
                    b.lambda(lambda);
                }
                if (tokenizer != null) {
                    b.tokenizer(tokenizer);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            try (JavaSparkContext sc = SparkJobs.context("mlsm spark-targets", master.master)) {
                SparkTargets.Result r = b.build().run(sc);
                PrintWriter w = spec.commandLine().getOut();
                if (r.upToDate()) {
                    w.println("up to date: " + r.cache());
                } else {
                    w.println("coded " + r.tokens() + " tokens of " + r.sequences() + " sequences in " + r.tasks()
                            + " tasks (" + r.reused() + " kept from an earlier run) in " + fmt(r.seconds()) + " s ("
                            + String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()) + " tokens/s)");
                    w.println("written: " + r.cache());
                }
                w.flush();
            }
            return 0;
        }
    }

    @Command(name = "spark-eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Zero-shot sweep (BLiMP, supplement, EWoK) over checkpoints on Spark, one task per "
                    + "(checkpoint, 256 pairs); the same table, CSV, PNG and provenance as the single-process "
                    + "sweep.")
    static final class Eval implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--run", paramLabel = "NAME=DIR", required = true,
                description = "a series: a folder of checkpoint-<step> directories, or one checkpoint-<step> "
                        + "directory (repeatable)")
        List<String> runs = new ArrayList<>();

        @Option(names = {"-t", "--tokenizer"}, paramLabel = "FILE", required = true, description = "tokenizer.json")
        Path tokenizer;

        @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data",
                description = "folder with blimp_filtered, blimp_supplement, ewok_filtered (default: ${DEFAULT-VALUE})")
        Path data;

        @Option(names = "--pairs", paramLabel = "N", defaultValue = "0",
                description = "items per paradigm / domain, 0 = all (default: ${DEFAULT-VALUE})")
        int pairs;

        @Mixin
        ScoringHeadOption head;

        @Mixin
        NormaliserOption normaliser;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "mlsm-runs/spark-eval",
                description = "report folder (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--prefix", paramLabel = "NAME", defaultValue = "zero-shot",
                description = "report file name prefix (default: ${DEFAULT-VALUE})")
        String prefix;

        @Mixin
        MasterOption master;

        @Override
        public Integer call() throws Exception {
            if (pairs < 0) {
                throw new ParameterException(spec.commandLine(), "Invalid value '" + pairs + "' for option "
                        + "'--pairs': must be >= 0 (0 = all)");
            }
            Map<String, List<Path>> series = new LinkedHashMap<>();
            for (String r : runs) {
                int eq = r.indexOf('=');
                if (eq <= 0 || eq == r.length() - 1) {
                    throw new ParameterException(spec.commandLine(), "Invalid value '" + r + "' for option '--run': "
                            + "expected NAME=DIR");
                }
                Path dir = Path.of(r.substring(eq + 1));
                boolean single = dir.getFileName() != null && dir.getFileName().toString().matches("checkpoint-\\d+");
                List<Path> dirs = single ? List.of(dir) : Evaluations.checkpointDirectories(dir);
                if (dirs.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "Invalid value '" + r + "' for option '--run': "
                            + dir + " holds no checkpoint-<step> directory");
                }
                series.put(r.substring(0, eq), dirs);
            }
            SparkEvaluation.Builder b = SparkEvaluation.builder().tokenizer(tokenizer).data(data)
                    .limit(pairs == 0 ? EvalLimit.all() : EvalLimit.firstN(pairs))
                    .settings(Evaluations.Settings.defaults().withHead(head.value())
                            .withNormaliser(normaliser.value()))
                    .output(out, prefix);
            series.forEach(b::run);
            try (JavaSparkContext sc = SparkJobs.context("mlsm spark-eval", master.master)) {
                SweepResult r = b.build().run(sc);
                PrintWriter w = spec.commandLine().getOut();
                w.println(io.mlsm.eval.report.MarkdownTable.render(r.table(), 3));
                w.println("written: " + out.resolve(prefix + ".md") + ", .csv, .png, .provenance.json");
                w.flush();
            }
            return 0;
        }
    }
}
