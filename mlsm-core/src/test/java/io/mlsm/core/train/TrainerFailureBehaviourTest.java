package io.mlsm.core.train;

import io.mlsm.core.data.Masking;
import io.mlsm.core.listen.StepMetrics;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.listen.TrainingPlan;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.io.TrainingCheckpoint;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.runtime.RunDirectoryLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Periodic and time-based checkpoints, pruning, a clean stop on request, locks and leftovers of the trainer. */
class TrainerFailureBehaviourTest {

    @AfterEach
    void clearStop() {
        TrainingStop.clear();
    }

    private static TrainingOptions.Builder options(Path dir) {
        return TrainingOptions.builder().steps(12).learningRate(3e-3).warmupFraction(0.05).seed(5).checkpointDir(dir);
    }

    private static Trainer trainer(DebertaModel model, TrainingOptions o, TrainingListener l) {
        return new Trainer("teacher", model, TrainingObjective.mlm(), SyntheticTask.stream(Masking.mlm(), 4),
                TargetSource.none(), o, l);
    }

    private static List<Long> steps(Path dir) throws IOException {
        return TrainingCheckpoint.list(dir).stream().map(TrainingCheckpoint::stepOfDirectory).toList();
    }

    @Test
    void keepsTheNewestPeriodicCheckpointsAndTheKeptOnes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        trainer(DebertaModel.initialize(SyntheticTask.config(), 2),
                options(dir).checkpointEvery(2).keepCheckpoints(2).checkpointAt(3).build(), null).fit();
        assertEquals(List.of(3L, 10L, 12L), steps(dir));
    }

    @Test
    void writesCheckpointsByWallTime(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        // 1e-7 minutes = 6 microseconds: every step is past the interval, so every step writes one
        trainer(DebertaModel.initialize(SyntheticTask.config(), 2),
                options(dir).steps(5).checkpointMinutes(1e-7).keepCheckpoints(100).build(), null).fit();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), steps(dir));
        Path none = tmp.resolve("none");
        trainer(DebertaModel.initialize(SyntheticTask.config(), 2), options(none).steps(5).build(), null).fit();
        assertEquals(List.of(5L), steps(none), "without intervals only the last step is written");
    }

    @Test
    void aStopRequestFinishesTheStepWritesACheckpointAndResumesExactly(@TempDir Path tmp) throws Exception {
        DebertaModel reference = DebertaModel.initialize(SyntheticTask.config(), 2);
        trainer(reference, options(tmp.resolve("ref")).build(), null).fit();

        Path dir = tmp.resolve("run");
        DebertaModel stopped = DebertaModel.initialize(SyntheticTask.config(), 2);
        TrainingListener stopAtFour = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == 4) {
                    TrainingStop.request("test");
                }
            }
        };
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                () -> trainer(stopped, options(dir).build(), stopAtFour).fit());
        assertEquals(4, e.step());
        assertEquals(TrainingCheckpoint.directoryFor(dir, 4), e.checkpoint());
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
        assertEquals(List.of(4L), steps(dir));

        TrainingStop.clear();
        DebertaModel resumed = DebertaModel.initialize(SyntheticTask.config(), 77);
        TrainingResult rest = trainer(resumed, options(dir).build(), null).fit();
        assertEquals(4, rest.resumedFrom());
        for (Map.Entry<String, INDArray> p : reference.parameters().entrySet()) {
            assertEquals(p.getValue(), resumed.parameter(p.getKey()), "parameter " + p.getKey()
                    + " after stop + resume must equal the uninterrupted run (OMP_NUM_THREADS=1)");
        }
    }

    @Test
    void aStopWithoutCheckpointDirectorySaysTheProgressIsLost() {
        TrainingListener stopAtTwo = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                TrainingStop.request("test");
            }
        };
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class, () -> trainer(
                DebertaModel.initialize(SyntheticTask.config(), 2), options(null).build(), stopAtTwo).fit());
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("lost"), e.getMessage());
    }

    @Test
    void aFinishedRunSaysSoAndTrainsNothing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        trainer(DebertaModel.initialize(SyntheticTask.config(), 2), options(dir).build(), null).fit();
        AtomicInteger starts = new AtomicInteger();
        TrainingResult again = trainer(DebertaModel.initialize(SyntheticTask.config(), 2), options(dir).build(),
                new TrainingListener() {
                    @Override
                    public void onStart(TrainingPlan plan) {
                        starts.incrementAndGet();
                    }
                }).fit();
        assertEquals(12, again.steps());
        assertTrue(again.curve().isEmpty());
        assertEquals(0, starts.get(), "no progress line of steps 13..12");
    }

    @Test
    void resumingWithOtherSettingsNamesTheDifference(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        TrainingListener stop = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                TrainingStop.request("test");
            }
        };
        assertThrows(TrainingInterruptedException.class, () -> trainer(DebertaModel.initialize(SyntheticTask.config(),
                2), options(dir).build(), stop).fit());
        TrainingStop.clear();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer(
                DebertaModel.initialize(SyntheticTask.config(), 2), options(dir).learningRate(1e-3).build(), null)
                .fit());
        assertTrue(e.getMessage().contains("learningRate 0.003 (checkpoint) vs 0.001 (now)"), e.getMessage());
    }

    @Test
    void removesStaleTemporariesAndRefusesALockedDirectory(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Path stale = dir.resolve(AtomicFiles.TEMP_PREFIX + "checkpoint-000000007-1234");
        Files.createDirectories(stale.resolve("inner"));
        Files.writeString(stale.resolve("inner").resolve("model.safetensors"), "half");
        Path other = dir.resolve("notes.txt");
        Files.writeString(other, "mine");
        try (RunDirectoryLock held = RunDirectoryLock.acquire(dir, "another writer")) {
            RunDirectoryLock.RunDirectoryInUseException e = assertThrows(
                    RunDirectoryLock.RunDirectoryInUseException.class, () -> trainer(
                            DebertaModel.initialize(SyntheticTask.config(), 2), options(dir).build(), null).fit());
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("another writer"), e.getMessage());
            assertTrue(Files.exists(stale), "nothing is touched while another writer holds the directory");
        }
        trainer(DebertaModel.initialize(SyntheticTask.config(), 2), options(dir).steps(2).build(), null).fit();
        assertFalse(Files.exists(stale), "the temporary of an interrupted write is removed");
        assertTrue(Files.exists(other), "files not of our temporary naming stay");
    }

    @Test
    void refusesAnOutputDirectoryItCannotWriteBeforeTheFirstStep(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        AtomicInteger stepsRun = new AtomicInteger();
        Exception e = assertThrows(Exception.class, () -> trainer(DebertaModel.initialize(SyntheticTask.config(), 2),
                options(file.resolve("run")).build(), new TrainingListener() {
                    @Override
                    public void onStep(StepMetrics m) {
                        stepsRun.incrementAndGet();
                    }
                }).fit());
        assertTrue(e.getMessage().contains(file.resolve("run").toString()), e.getMessage());
        assertEquals(0, stepsRun.get());
        IOException full = assertThrows(IOException.class,
                () -> AtomicFiles.requireWritable(tmp, Long.MAX_VALUE, "a checkpoint of the student"));
        assertTrue(full.getMessage().contains("MB free") && full.getMessage().contains(tmp.toString()),
                full.getMessage());
    }
}
