package io.mlsm.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlsmCliTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = MlsmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommand() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        for (String c : MlsmCliCommands.ALL) {
            assertTrue(r.out().contains(c), "--help lacks " + c + ":\n" + r.out());
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : MlsmCliCommands.ALL) {
            Run r = run(c, "--help");
            assertEquals(0, r.exit(), c);
            assertTrue(r.out().contains("Usage: mlsm " + c), r.out());
        }
    }

    @Test
    void noCommandPrintsUsage() {
        Run r = run();
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: mlsm"), r.out());
    }

    @Test
    void unknownOptionNamesIt() {
        Run r = run("train-tokenizer", "--vocabulary", "10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--vocabulary"), r.err());
    }

    @Test
    void badValueNamesTheOption() {
        Run r = run("train-tokenizer", "--vocab", "3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--vocab") && r.err().contains("special tokens"), r.err());
        r = run("train-tokenizer", "--vocab", "many");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--vocab") && r.err().contains("many"), r.err());
    }

    @Test
    void learnDictionaryTakesAForgettingExponentThatDefaultsToTheReferenceZero() {
        String help = run("learn-dictionary", "--help").out();
        assertTrue(help.contains("--forgetting=RHO") && help.replaceAll("\\s+", " ")
                .contains("0 = none as in the reference (default: 0)"), help);
        Run r = run("learn-dictionary", "--teacher", "no-such-dir", "--forgetting", "-1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--forgetting") && r.err().contains(">= 0"), r.err());
    }

    @Test
    void missingRequiredOptionNamesIt() {
        Run r = run("fill-mask", "a [MASK]");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--model"), r.err());
    }

    @Test
    void invalidPathIsAUsageError() {
        Run r = run("fill-mask", "--model", "/nonexistent/model", "a [MASK]");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("/nonexistent/model"), r.err());
    }

    @Test
    void enumOptionsListTheValidValues() {
        Run r = run("pretrain", "--objective", "MLXM");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--objective") && r.err().contains("MLSM_PLUS_MLM"), r.err());
    }

    @Test
    void inconsistentOptionsAreRejectedBeforeAnyWork() {
        Run r = run("pretrain", "--objective", "KD", "--head-steps", "5");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--head-steps") && r.err().contains("latent concepts"), r.err());
        r = run("quickstart", "--blimp-pairs", "50");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--blimp-pairs"), r.err());
        r = run("reproduce", "--steps", "1000", "--checkpoints", "3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("multiple of checkpoints"), r.err());
        r = run("reproduce", "--arms", "MLM,MLSM");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--arms") && r.err().contains("MLSM_PLUS_MLM"), r.err());
        r = run("finetune-glue", "--task", "SQUAD", "--model", ".");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--task") && r.err().contains("SQUAD"), r.err());
    }

    @Test
    void sparseDemoRunsAndPrintsItsFigures() {
        Run r = run("sparse-demo", "--dim", "16", "--atoms", "8", "--nonzeros", "2", "--signals", "400",
                "--passes", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("support recall") && r.out().contains("planted atoms recovered"), r.out());
    }

    @Test
    void sharedOptionGroupsKeepEachCommandsDefaults() {
        assertTrue(run("quickstart", "--help").out().contains("(default: mlsm-runs/quickstart)"));
        assertTrue(run("train-tokenizer", "--help").out().contains("(default: mlsm-runs/tokenizer)"));
        assertTrue(run("learn-dictionary", "--help").out().contains("(default: mlsm-runs/dictionary)"));
        String pretrain = run("pretrain", "--help").out();
        assertTrue(pretrain.contains("(default: mlsm-runs/pretrain)") && pretrain.contains("seed (default: 42)"),
                pretrain);
        // pretrain's own --tokenizer (train one when absent), not the model-relative one of the mixin
        assertTrue(pretrain.contains("tokenizer.json (default: train one)"), pretrain);
    }

    @Test
    void tokenizerDefaultsToTheModelDirectory() {
        MlsmCli.FillMask fill = new MlsmCli.FillMask();
        new CommandLine(fill).parseArgs("--model", "runs/teacher", "a [MASK]");
        assertEquals(Path.of("runs/teacher/tokenizer.json"), fill.model.tokenizerFile());
        new CommandLine(fill).parseArgs("-m", "runs/teacher", "-t", "tok.json", "a [MASK]");
        assertEquals(Path.of("tok.json"), fill.model.tokenizerFile());

        MlsmCli.EvalBlimp blimp = new MlsmCli.EvalBlimp();
        CommandLine cl = new CommandLine(blimp);
        cl.parseArgs("-m", "m", "-o", "elsewhere");
        assertEquals(Path.of("elsewhere"), blimp.out.dir());
        cl.parseArgs("-m", "m");
        assertEquals(Path.of("mlsm-runs/eval-blimp"), blimp.out.dir(), "a new parse starts from the default again");
    }

    @Test
    void examplesNeverImportTheCli() throws IOException {
        Path examples = Path.of("src/main/java/io/mlsm/examples");
        assertTrue(Files.isDirectory(examples), "run from the module directory");
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(examples)) {
            offenders = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(examples.resolve("cli")))
                    .filter(f -> {
                        try {
                            return Files.readString(f).contains("import io.mlsm.examples.cli.");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
        assertTrue(offenders.isEmpty(), "only the CLI may import the examples, not the reverse: " + offenders);
    }

    @Test
    void normaliserIsParsedOnEvalBlimpAndEvalEwokWithTheBabyLmDefault() {
        for (String c : List.of("eval-blimp", "eval-ewok")) {
            CommandLine cl = MlsmCli.commandLine();
            CommandLine.ParseResult p = cl.parseArgs(c, "--model", "m", "--normaliser", "VOCABULARY");
            assertEquals(io.mlsm.eval.pll.Normaliser.VOCABULARY, normaliserOf(p.subcommand()), c);
            p = MlsmCli.commandLine().parseArgs(c, "--model", "m");
            assertEquals(io.mlsm.eval.pll.Normaliser.ALL_OUTPUTS, normaliserOf(p.subcommand()), c);
            Run r = run(c, "--model", "m", "--normaliser", "ROWS");
            assertEquals(2, r.exit(), c);
            assertTrue(r.err().contains("--normaliser") && r.err().contains("ALL_OUTPUTS"), r.err());
            assertTrue(run(c, "--help").out().contains("--normaliser=NORM"), c);
        }
    }

    @Test
    void conceptsIsInTheModelOptionsOfEveryModelCommand() {
        for (String c : List.of("eval-blimp", "eval-ewok", "fill-mask")) {
            String[] text = c.equals("fill-mask") ? new String[] {"a [MASK]"} : new String[0];
            CommandLine.ParseResult p = MlsmCli.commandLine().parseArgs(
                    Stream.concat(Stream.of(c, "--model", "m", "--concepts", "2500"), Stream.of(text))
                            .toArray(String[]::new));
            assertEquals(2500, (int) p.subcommand().matchedOptionValue("--concepts", -7), c);
            p = MlsmCli.commandLine().parseArgs(Stream.concat(Stream.of(c, "--model", "m"), Stream.of(text))
                    .toArray(String[]::new));
            assertEquals(-1, (int) p.subcommand().commandSpec().findOption("--concepts").getValue(), c);
        }
    }

    private static io.mlsm.eval.pll.Normaliser normaliserOf(CommandLine.ParseResult sub) {
        Object cmd = sub.commandSpec().userObject();
        return cmd instanceof MlsmCli.EvalBlimp b ? b.normaliser.value() : ((MlsmCli.EvalEwok) cmd).normaliser.value();
    }
}
