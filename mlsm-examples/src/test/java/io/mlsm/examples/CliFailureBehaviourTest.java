package io.mlsm.examples;

import io.mlsm.examples.cli.MlsmCli;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.io.TrainingCheckpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command line under kill -9, SIGINT, a second writer, changed options and an unwritable output directory, each
 * run as a child JVM in the launcher's thread setting ({@code OMP_NUM_THREADS=1}, so resumed weights can equal an
 * uninterrupted run's bit for bit, and {@code OPENBLAS_NUM_THREADS=2}, which {@code BlasThreads} gives OpenBLAS).
 */
class CliFailureBehaviourTest {

    private static final int STEPS = 120;

    @TempDir
    static Path dir;
    static Path corpus;
    static Path reference;

    /** A child JVM running {@code mlsm ARGS}; output goes to a file. */
    record Child(Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        int await() throws Exception {
            if (!process.waitFor(240, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("child did not finish in 240 s: " + output());
            }
            return process.exitValue();
        }
    }

    static Child start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), MlsmCli.class.getName()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "2");
        return new Child(pb.start(), log);
    }

    static String[] pretrain(Path out, String... more) {
        return pretrain(out, STEPS, more);
    }

    static String[] pretrain(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--objective", "MLM", "--corpus", corpus.toString(),
                "--vocab", "300", "--max-length", "32", "--batch", "8", "--steps", Integer.toString(steps),
                "--lr", "3e-3", "--checkpoint-every", "5", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Waits until the student phase has a checkpoint of at least {@code step}; fails if the child ended first. */
    static long awaitCheckpoint(Child c, Path out, long step) throws Exception {
        Path run = out.resolve("student-run");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            Optional<Path> latest = TrainingCheckpoint.latest(run);
            if (latest.isPresent() && TrainingCheckpoint.stepOfDirectory(latest.get()) >= step) {
                assertTrue(c.process().isAlive(), "the child finished before it could be interrupted: " + c.output());
                return TrainingCheckpoint.stepOfDirectory(latest.get());
            }
            if (!c.process().isAlive()) {
                fail("the child ended (exit " + c.process().exitValue() + ") before step " + step + ": " + c.output());
            }
            Thread.sleep(20);
        }
        c.process().destroyForcibly();
        fail("no checkpoint of step " + step + " within 180 s: " + c.output());
        return -1;
    }

    static void assertSameWeights(Path expected, Path actual) throws IOException {
        DebertaModel a = HfDebertaDirectory.loadModel(expected);
        DebertaModel b = HfDebertaDirectory.loadModel(actual);
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (Map.Entry<String, INDArray> p : a.parameters().entrySet()) {
            assertEquals(p.getValue(), b.parameter(p.getKey()), "parameter " + p.getKey());
        }
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        corpus = TinyFixtures.aliceCorpus(dir.resolve("corpus"));
        reference = dir.resolve("reference");
        Child c = start("reference", pretrain(reference));
        assertEquals(0, c.await(), c.output());
        assertTrue(c.output().contains("BLAS threads: 2 (OPENBLAS_NUM_THREADS=2"),
                "the command line hands OPENBLAS_NUM_THREADS to OpenBLAS: " + c.output());
    }

    @Test
    void killNineMidPhaseThenRerunEqualsTheUninterruptedRun() throws Exception {
        Path out = dir.resolve("killed");
        Child c = start("killed", pretrain(out));
        long at = awaitCheckpoint(c, out, 20);
        c.process().destroyForcibly().waitFor();         // SIGKILL: no handler runs
        assertTrue(at < STEPS);
        Child again = start("killed-rerun", pretrain(out));
        assertEquals(0, again.await(), again.output());
        assertTrue(again.output().contains("resuming from"), again.output());
        assertSameWeights(reference.resolve("student"), out.resolve("student"));
    }

    @Test
    void sigintFinishesTheStepWritesACheckpointAndExits130() throws Exception {
        Path out = dir.resolve("interrupted");
        Child c = start("interrupted", pretrain(out));
        awaitCheckpoint(c, out, 10);
        new ProcessBuilder("kill", "-INT", Long.toString(c.process().pid())).start().waitFor();
        assertEquals(130, c.await(), c.output());
        String log = c.output();
        assertTrue(log.contains("stopped (SIGINT) after step") && log.contains("run the same command again to resume"),
                log);
        assertFalse(log.contains("\tat "), "no stack trace without --verbose: " + log);
        long step = TrainingCheckpoint.stepOfDirectory(TrainingCheckpoint.latest(out.resolve("student-run"))
                .orElseThrow());
        assertTrue(log.contains("after step " + step + ";"), "the last checkpoint is the step it stopped at: " + log);
        Child again = start("interrupted-rerun", pretrain(out));
        assertEquals(0, again.await(), again.output());
        assertSameWeights(reference.resolve("student"), out.resolve("student"));
    }

    @Test
    void aSecondRunOnTheSameDirectoryFailsAtOnceNamingTheHolder() throws Exception {
        Path out = dir.resolve("shared");
        Child first = start("first", pretrain(out));
        try {
            awaitCheckpoint(first, out, 5);
            Child second = start("second", pretrain(out, "--seed", "2"));
            assertEquals(1, second.await(), second.output());
            String log = second.output();
            assertTrue(log.contains("is in use by pid " + first.process().pid()), log);
            assertTrue(first.process().isAlive(), "the first run goes on");
        } finally {
            first.process().destroyForcibly().waitFor();
        }
    }

    @Test
    void aRerunWithOtherOptionsNamesThemAndOverwriteStartsOver() throws Exception {
        Path out = dir.resolve("changed");
        Child c = start("changed", pretrain(out, 10));
        assertEquals(0, c.await(), c.output());
        Child other = start("changed-other", pretrain(out, 12, "--seed", "3"));
        assertEquals(1, other.await(), other.output());
        String log = other.output();
        assertTrue(log.contains("phase 'student'") && log.contains("steps: 10 recorded, 12 requested")
                && log.contains("--overwrite"), log);
        Child over = start("changed-overwrite", pretrain(out, 12, "--seed", "3", "--overwrite"));
        assertEquals(0, over.await(), over.output());
        assertEquals(12, TrainingCheckpoint.stepOfDirectory(TrainingCheckpoint.latest(out.resolve("student-run"))
                .orElseThrow()));
    }

    @Test
    void anUnwritableOutputFailsBeforeTrainingInOneLine() throws Exception {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        Path out = file.resolve("run");
        Child c = start("unwritable", pretrain(out));
        assertEquals(1, c.await(), c.output());
        List<String> errors = c.output().lines().filter(l -> l.startsWith("mlsm pretrain")).toList();
        assertEquals(1, errors.size(), c.output());
        assertTrue(errors.get(0).contains(file.toString()), errors.get(0));
        assertFalse(c.output().contains("\tat "), c.output());
        assertFalse(c.output().contains("student: training"), "no step ran: " + c.output());
        Child verbose = start("unwritable-verbose", pretrain(out, "--verbose"));
        assertEquals(1, verbose.await());
        assertTrue(verbose.output().contains("\tat "), "--verbose prints the stack trace: " + verbose.output());
    }

    static {
        // the child JVMs need the test classpath as one string
        assertTrue(System.getProperty("java.class.path").length() > 0);
        assertTrue(File.pathSeparator.length() == 1);
    }
}
