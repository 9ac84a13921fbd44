package io.mlsm.models.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.optim.AdamW;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.mlsm.models.io.SafetensorsTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCheckpointTest {

    private static TrainingCheckpoint cached;

    /** One optimised checkpoint per test class (building it is the slow part); later steps only relabel it. */
    private static synchronized TrainingCheckpoint checkpointAtStep(long steps) throws IOException {
        if (cached == null) {
            cached = build(2);
        }
        TrainerState s = cached.trainerState();
        return new TrainingCheckpoint(cached.config(), cached.weights(), cached.optimizerTensors(),
                cached.optimizerMetadata(), new TrainerState(steps, s.seed(), s.epoch(), s.dataPosition(), s.rng(),
                s.lossHistory(), s.phase(), s.objective(), s.extra()), cached.provenance());
    }

    private static TrainingCheckpoint build(long steps) throws IOException {
        HfDebertaDirectory.Loaded m = HfDebertaDirectory.load(TinyFixture.dir());
        Map<String, INDArray> params = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> params.put(k, v.dup()));
        AdamW opt = new AdamW(AdamW.Options.defaults());
        Nd4j.getRandom().setSeed(17);
        for (int s = 0; s < steps; s++) {
            Map<String, INDArray> g = new LinkedHashMap<>();
            params.forEach((k, v) -> g.put(k, Nd4j.randn(DataType.FLOAT, v.shape()).muli(1e-3)));
            opt.step(params, g, 1e-4);
        }
        TrainerState state = new TrainerState(steps, 42, 1, 4096, Map.of("masking.draws", 123L),
                List.of(6.25, 5.5, Double.NaN), "student", "mlm [ALL]", Map.of("options", "steps=3"));
        Provenance prov = Provenance.builder("training-checkpoint").seed(42).config(m.config())
                .data("corpus", new Provenance.DataIdentity("corpus.txt", 10, "ab", null)).build();
        return new TrainingCheckpoint(m.config(), params, opt.stateTensors(), opt.stateMetadata(), state, prov);
    }

    @Test
    void writeThenReadRestoresEverythingExactly(@TempDir Path run) throws Exception {
        TrainingCheckpoint cp = checkpointAtStep(2);
        Path dir = TrainingCheckpoint.directoryFor(run, 2);
        assertEquals("checkpoint-000000002", dir.getFileName().toString());
        cp.write(dir);
        TrainingCheckpoint back = TrainingCheckpoint.read(dir);
        assertEquals(cp.config(), back.config());
        assertEquals(cp.weights().keySet(), back.weights().keySet());
        cp.weights().forEach((k, v) -> assertBitEqual(v, back.weights().get(k), k));
        assertEquals(cp.optimizerTensors().keySet(), back.optimizerTensors().keySet());
        cp.optimizerTensors().forEach((k, v) -> assertBitEqual(v, back.optimizerTensors().get(k), k));
        assertEquals(cp.optimizerMetadata(), back.optimizerMetadata());
        assertEquals(cp.trainerState(), back.trainerState());
        assertTrue(Double.isNaN(back.trainerState().lossHistory().get(2)));
        assertEquals(cp.provenance(), back.provenance());

        AdamW restored = new AdamW(AdamW.Options.defaults());
        Map<String, INDArray> params = new LinkedHashMap<>(back.weights());
        restored.restore(back.optimizerTensors(), back.optimizerMetadata(), params, dir.toString());
        assertEquals(2, restored.step());

        // the checkpoint is also a Hugging Face model directory
        assertEquals(cp.config(), HfDebertaDirectory.load(dir).config());
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of(dir), s.toList(), "no temporary directories left");
        }
    }

    @Test
    void latestSkipsIncompleteAndTemporaryDirectories(@TempDir Path run) throws Exception {
        assertTrue(TrainingCheckpoint.latest(run.resolve("none")).isEmpty());
        TrainingCheckpoint cp = checkpointAtStep(1);
        cp.write(TrainingCheckpoint.directoryFor(run, 2));
        cp.write(TrainingCheckpoint.directoryFor(run, 10));
        Files.createDirectories(TrainingCheckpoint.directoryFor(run, 20));          // no manifest: incomplete
        Files.createDirectories(run.resolve(AtomicFiles.TEMP_PREFIX + "checkpoint-000000030-x"));
        assertEquals(TrainingCheckpoint.directoryFor(run, 10), TrainingCheckpoint.latest(run).orElseThrow());
    }

    @Test
    void pruneKeepsTheMostRecentCompleteCheckpoints(@TempDir Path run) throws Exception {
        for (long step : new long[] {5, 15, 10}) {
            checkpointAtStep(step).write(TrainingCheckpoint.directoryFor(run, step));
        }
        Path incomplete = Files.createDirectories(TrainingCheckpoint.directoryFor(run, 20));
        Path temp = Files.createDirectories(run.resolve(AtomicFiles.TEMP_PREFIX + "checkpoint-000000025-x"));
        List<Path> deleted = TrainingCheckpoint.prune(run, 2);
        assertEquals(List.of(TrainingCheckpoint.directoryFor(run, 5), temp), deleted);
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(java.util.Set.of(TrainingCheckpoint.directoryFor(run, 10),
                    TrainingCheckpoint.directoryFor(run, 15), incomplete), java.util.Set.copyOf(s.toList()));
        }
        assertEquals(15, TrainingCheckpoint.read(TrainingCheckpoint.latest(run).orElseThrow()).trainerState().step());
        assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.prune(run, 0));
    }

    @Test
    void rewritingReplacesTheWholeDirectory(@TempDir Path run) throws Exception {
        Path dir = run.resolve("cp");
        checkpointAtStep(1).write(dir);
        Files.writeString(dir.resolve("stray.txt"), "old");
        checkpointAtStep(3).write(dir);
        assertEquals(3, TrainingCheckpoint.read(dir).trainerState().step());
        assertFalse(Files.exists(dir.resolve("stray.txt")));
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void failedWritesLeaveNothingVisible(@TempDir Path run) throws Exception {
        TrainingCheckpoint cp = checkpointAtStep(1);
        Map<String, INDArray> w = new LinkedHashMap<>(cp.weights());
        w.put(HfParameterLayout.REL_EMBEDDINGS, Nd4j.zeros(DataType.FLOAT, 3, 64));
        TrainingCheckpoint badWeights = new TrainingCheckpoint(cp.config(), w, cp.optimizerTensors(),
                cp.optimizerMetadata(), cp.trainerState(), cp.provenance());
        Path dir = run.resolve("cp");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> badWeights.write(dir));
        assertTrue(e.getMessage().contains("deberta.encoder.rel_embeddings.weight"), e.getMessage());

        Map<String, INDArray> opt = new LinkedHashMap<>(cp.optimizerTensors());
        opt.put("exp_avg.nope", Nd4j.zeros(DataType.FLOAT, 2));
        TrainingCheckpoint badOpt = new TrainingCheckpoint(cp.config(), cp.weights(), opt, cp.optimizerMetadata(),
                cp.trainerState(), cp.provenance());
        e = assertThrows(CheckpointFormatException.class, () -> badOpt.write(dir));
        assertTrue(e.getMessage().contains("'exp_avg.nope' belongs to no model parameter"), e.getMessage());

        // a failure in the middle of writing (an unwritable tensor type, after weights and config are out)
        Map<String, INDArray> half = new LinkedHashMap<>(cp.optimizerTensors());
        half.put("exp_avg.cls.predictions.bias", Nd4j.zeros(DataType.HALF, 500));
        TrainingCheckpoint midway = new TrainingCheckpoint(cp.config(), cp.weights(), half, cp.optimizerMetadata(),
                cp.trainerState(), cp.provenance());
        assertThrows(IllegalArgumentException.class, () -> midway.write(dir));
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of(), s.toList(), "neither the target nor a temporary directory exists");
        }
    }

    @Test
    void damagedCheckpointsAreRejectedByName(@TempDir Path run) throws Exception {
        TrainingCheckpoint cp = checkpointAtStep(2);

        assertDamaged(run, cp, d -> delete(d.resolve(TrainingCheckpoint.MANIFEST_FILE)), "missing checkpoint.json");
        assertDamaged(run, cp, d -> delete(d.resolve(TrainingCheckpoint.OPTIMIZER_FILE)),
                "missing file optimizer.safetensors");
        assertDamaged(run, cp, d -> truncate(d.resolve(HfDebertaDirectory.WEIGHTS_FILE)),
                "model.safetensors: truncated");
        assertDamaged(run, cp, d -> flipLastByte(d.resolve(TrainerState.FILE_NAME)),
                "trainer-state.json: content changed since it was written");
        assertDamaged(run, cp, d -> editManifest(d, m -> m.put("version", 2)), "unsupported checkpoint version 2");
        assertDamaged(run, cp, d -> editManifest(d, m -> m.put("format", "zip")), "format must be 'mlsm-checkpoint'");
        assertDamaged(run, cp, d -> rewriteAndResign(d, HfDebertaDirectory.CONFIG_FILE,
                s -> s.replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3")),
                "missing parameters: deberta.encoder.layer.2");
        assertDamaged(run, cp, d -> rewriteAndResign(d, TrainerState.FILE_NAME,
                s -> s.replace("\"step\" : 2", "\"step\" : 5")), "step 5 but the manifest says 2");
        assertDamaged(run, cp, d -> rewriteAndResign(d, TrainerState.FILE_NAME,
                s -> s.replace("\"step\" : 2", "\"step\" : -2")), "step must be >= 0");
        assertDamaged(run, cp, d -> rewriteAndResign(d, Provenance.FILE_NAME,
                s -> s.replace("\"artifact\"", "\"kind\"")), "'artifact'");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> TrainingCheckpoint.read(run.resolve("absent")));
    }

    @Test
    void nonFiniteWeightsOrOptimizerStateAreRejectedByName(@TempDir Path run) throws Exception {
        TrainingCheckpoint cp = checkpointAtStep(2);
        String weight = HfParameterLayout.REL_EMBEDDINGS;
        Map<String, INDArray> w = new LinkedHashMap<>(cp.weights());
        w.put(weight, w.get(weight).dup().putScalar(3, Float.NaN));
        String moment = cp.optimizerTensors().entrySet().stream()
                .filter(e -> e.getValue().dataType().isFPType() && e.getValue().length() > 0)
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Map<String, INDArray> o = new LinkedHashMap<>(cp.optimizerTensors());
        o.put(moment, o.get(moment).dup().putScalar(0, Float.POSITIVE_INFINITY));
        TrainingCheckpoint badWeights = new TrainingCheckpoint(cp.config(), w, cp.optimizerTensors(),
                cp.optimizerMetadata(), cp.trainerState(), cp.provenance());
        TrainingCheckpoint badOptimizer = new TrainingCheckpoint(cp.config(), cp.weights(), o,
                cp.optimizerMetadata(), cp.trainerState(), cp.provenance());
        assertDamaged(run, badWeights, d -> { }, HfDebertaDirectory.WEIGHTS_FILE + ": tensor '" + weight
                + "' has 1 non-finite value");
        assertDamaged(run, badOptimizer, d -> { }, TrainingCheckpoint.OPTIMIZER_FILE + ": tensor '" + moment
                + "' has 1 non-finite value");
    }

    private interface Damage {
        void apply(Path dir) throws IOException;
    }

    private static void assertDamaged(Path run, TrainingCheckpoint cp, Damage damage, String fragment)
            throws IOException {
        Path dir = Files.createTempDirectory(run, "cp").resolve("c");
        cp.write(dir);
        damage.apply(dir);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> TrainingCheckpoint.read(dir), fragment);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertTrue(e.getMessage().contains(dir.toString()), "names the checkpoint: " + e.getMessage());
    }

    private static void delete(Path p) throws IOException {
        Files.delete(p);
    }

    private static void truncate(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 10));
    }

    private static void flipLastByte(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        b[b.length - 3] ^= 1;
        Files.write(p, b);
    }

    private static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode m = (ObjectNode) om.readTree(dir.resolve(TrainingCheckpoint.MANIFEST_FILE).toFile());
        edit.accept(m);
        Files.writeString(dir.resolve(TrainingCheckpoint.MANIFEST_FILE), om.writeValueAsString(m));
    }

    /** Edits a file and updates its manifest entry, so only the deeper validation can catch the change. */
    private static void rewriteAndResign(Path dir, String file, java.util.function.UnaryOperator<String> edit)
            throws IOException {
        Path p = dir.resolve(file);
        String before = Files.readString(p);
        String after = edit.apply(before);
        assertFalse(before.equals(after), "edit of " + file + " changed nothing");
        Files.writeString(p, after);
        long size = Files.size(p);
        String sha = Provenance.sha256(p);
        editManifest(dir, m -> {
            ObjectNode e = (ObjectNode) m.get("files").get(file);
            e.put("bytes", size);
            e.put("sha256", sha);
        });
    }

    @Test
    void directoryNamesSortByStep() {
        assertTrue(TrainingCheckpoint.directoryFor(Path.of("r"), 999).getFileName().toString()
                .compareTo(TrainingCheckpoint.directoryFor(Path.of("r"), 1000).getFileName().toString()) < 0);
        assertEquals(DebertaConfig.tiny(), DebertaConfig.tiny());
    }

    @Test
    void trainerStateOfAnOlderCheckpointCarriesPhaseAndObjectiveInExtra() {
        String old = "{\"step\": 5, \"seed\": 42, \"epoch\": 0, \"data_position\": 10, \"rng\": {}, "
                + "\"loss_history\": [], \"extra\": {\"phase\": \"teacher\", \"objective\": \"mlm [ALL]\", "
                + "\"options\": \"o\"}}";
        TrainerState s = TrainerState.fromJson(old);
        assertEquals("teacher", s.phase());
        assertEquals("mlm [ALL]", s.objective());
        assertEquals(Map.of("options", "o"), s.extra());
        TrainerState again = TrainerState.fromJson(s.toJson());
        assertEquals(s, again, "typed fields round-trip");
        TrainerState none = TrainerState.fromJson("{\"step\": 1, \"seed\": 2, \"epoch\": 0, \"data_position\": 0, "
                + "\"rng\": {}, \"loss_history\": [], \"extra\": {}}");
        assertEquals(null, none.phase());
    }
}
