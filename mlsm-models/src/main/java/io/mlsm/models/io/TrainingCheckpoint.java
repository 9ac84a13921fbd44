package io.mlsm.models.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.models.DebertaConfig;
import io.mlsm.runtime.ArtifactFormatException;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.runtime.Provenance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A resumable training checkpoint: a directory holding
 * <pre>
 *   checkpoint.json          manifest: format, version, step, every file's size and SHA-256 (written last)
 *   config.json              Hugging Face DeBERTa config (vocab_size = V + k with latent concepts)
 *   model.safetensors        weights under Hugging Face names (the directory is also a Hugging Face model dir)
 *   optimizer.safetensors    optimizer state tensors + metadata (e.g. AdamW moments, step, hyper-parameters)
 *   trainer-state.json       step, seed, epoch, data position, RNG streams, loss history
 *   provenance.json          library version, config, seed, data identity, time
 * </pre>
 * The directory is built under a temporary sibling name and renamed into place, so a checkpoint is either complete
 * or not visible. {@link #read(Path)} checks the manifest (missing, truncated or altered files are named), the config,
 * every weight against the config, every optimizer tensor against its weight, and the step recorded in the state.
 * The format is documented in {@code docs/checkpoints.md}.
 *
 * <pre>{@code
 * TrainingCheckpoint cp = new TrainingCheckpoint(config, params, adamW.stateTensors(), adamW.stateMetadata(),
 *         new TrainerState(step, seed, epoch, position, Map.of(), losses, "student", null, Map.of()), provenance);
 * cp.write(TrainingCheckpoint.directoryFor(runDir, step));
 * TrainingCheckpoint back = TrainingCheckpoint.read(TrainingCheckpoint.latest(runDir).orElseThrow());
 * adamW.restore(back.optimizerTensors(), back.optimizerMetadata(), params, "checkpoint");
 * }</pre>
 *
 * @param config            model configuration
 * @param weights           parameters by Hugging Face name
 * @param optimizerTensors  optimizer state tensors, each named {@code <prefix>.<parameter name>}
 * @param optimizerMetadata optimizer scalars as strings
 * @param trainerState      loop state
 * @param provenance        provenance
 */
public record TrainingCheckpoint(
        DebertaConfig config,
        Map<String, INDArray> weights,
        Map<String, INDArray> optimizerTensors,
        Map<String, String> optimizerMetadata,
        TrainerState trainerState,
        Provenance provenance) {

    /** Manifest file name. */
    public static final String MANIFEST_FILE = "checkpoint.json";
    /** Optimizer state file name. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    /** Manifest format tag. */
    public static final String FORMAT = "mlsm-checkpoint";
    /** Current format version. */
    public static final int VERSION = 1;
    /** Files every checkpoint has, besides the manifest. */
    public static final List<String> FILES = List.of(HfDebertaDirectory.CONFIG_FILE, HfDebertaDirectory.WEIGHTS_FILE,
            OPTIMIZER_FILE, TrainerState.FILE_NAME, Provenance.FILE_NAME);

    private static final Logger LOG = LoggerFactory.getLogger(TrainingCheckpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern STEP_DIR = Pattern.compile("checkpoint-(\\d+)");

    public TrainingCheckpoint {
        if (config == null || weights == null || optimizerTensors == null || optimizerMetadata == null
                || trainerState == null || provenance == null) {
            throw new IllegalArgumentException("every checkpoint component is required (use empty maps for no "
                    + "optimizer state)");
        }
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        optimizerTensors = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerTensors));
        optimizerMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerMetadata));
    }

    /**
     * @param runDir a run's output directory
     * @param step   the step
     * @return {@code runDir/checkpoint-<step>} (zero-padded to 9 digits so names sort by step)
     */
    public static Path directoryFor(Path runDir, long step) {
        return runDir.resolve(String.format("checkpoint-%09d", step));
    }

    /**
     * @param runDir a run's output directory
     * @return the complete checkpoint directory with the highest step (temporary and manifest-less ones skipped)
     * @throws IOException if the directory cannot be listed
     */
    public static Optional<Path> latest(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST_FILE)))
                    .max(Comparator.comparingLong(TrainingCheckpoint::stepOf));
        }
    }

    /**
     * @param runDir a run's output directory
     * @return its complete checkpoint directories (with a manifest), oldest step first; empty when none
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> list(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST_FILE)))
                    .sorted(Comparator.comparingLong(TrainingCheckpoint::stepOf)).toList();
        }
    }

    /**
     * Deletes all but the {@code keep} most recent complete checkpoints of a run (by step), and temporary
     * directories left by interrupted writes. Incomplete checkpoint directories (no manifest) are left for inspection.
     *
     * @param runDir a run's output directory
     * @param keep   how many complete checkpoints to keep ({@code >= 1})
     * @return the directories deleted
     * @throws IOException on failure
     */
    public static List<Path> prune(Path runDir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        List<Path> deleted = new java.util.ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            return deleted;
        }
        List<Path> complete;
        List<Path> temporary;
        try (Stream<Path> s = Files.list(runDir)) {
            List<Path> all = s.toList();
            complete = all.stream()
                    .filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST_FILE)))
                    .sorted(Comparator.comparingLong(TrainingCheckpoint::stepOf).reversed())
                    .toList();
            temporary = all.stream()
                    .filter(p -> p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX + "checkpoint-"))
                    .toList();
        }
        for (Path p : complete.subList(Math.min(keep, complete.size()), complete.size())) {
            AtomicFiles.deleteRecursively(p);
            deleted.add(p);
        }
        for (Path p : temporary) {
            AtomicFiles.deleteRecursively(p);
            deleted.add(p);
        }
        if (!deleted.isEmpty()) {
            LOG.info("pruned {} old or temporary checkpoint directories in {}", deleted.size(), runDir);
        }
        return deleted;
    }

    /**
     * @param checkpointDir a directory named like {@link #directoryFor(Path, long)}
     * @return its step, or -1 when the name is not a checkpoint's
     */
    public static long stepOfDirectory(Path checkpointDir) {
        return stepOf(checkpointDir);
    }

    private static long stepOf(Path p) {
        Matcher m = STEP_DIR.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes the checkpoint atomically (temporary sibling directory, then rename; an existing directory is replaced).
     *
     * @param dir target directory
     * @throws CheckpointFormatException if weights or optimizer state do not match the config
     * @throws IOException               on write failure (nothing visible is changed)
     */
    public void write(Path dir) throws IOException {
        Map<String, INDArray> plain = new LinkedHashMap<>(weights);
        plain.remove(HfParameterLayout.DECODER_WEIGHT_ALIAS);
        plain.remove(HfParameterLayout.DECODER_BIAS_ALIAS);
        HfParameterLayout.validate(config, plain, "checkpoint " + dir);
        checkOptimizer(optimizerTensors, shapesOf(plain), "checkpoint " + dir);
        long t0 = System.nanoTime();
        AtomicFiles.writeDirectory(dir, tmp -> {
            HfDebertaDirectory.export(tmp, config, plain);
            Safetensors.write(tmp.resolve(OPTIMIZER_FILE), optimizerTensors, optimizerMetadata);
            AtomicFiles.write(tmp.resolve(TrainerState.FILE_NAME),
                    trainerState.toJson().getBytes(StandardCharsets.UTF_8));
            provenance.write(tmp.resolve(Provenance.FILE_NAME));
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("format", FORMAT);
            manifest.put("version", VERSION);
            manifest.put("step", trainerState.step());
            ObjectNode files = manifest.putObject("files");
            for (String f : FILES) {
                ObjectNode e = files.putObject(f);
                e.put("bytes", Files.size(tmp.resolve(f)));
                e.put("sha256", Provenance.sha256(tmp.resolve(f)));
            }
            AtomicFiles.write(tmp.resolve(MANIFEST_FILE), (JSON.writeValueAsString(manifest) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        });
        LOG.info("checkpoint at step {} written to {} in {} ms", trainerState.step(), dir,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Reads and validates a checkpoint.
     *
     * @param dir checkpoint directory
     * @return the checkpoint
     * @throws NoSuchFileException       if the directory is absent
     * @throws CheckpointFormatException naming the file and what is wrong (missing, truncated, altered, mismatched,
     *                                   non-finite weights or optimizer state)
     * @throws IOException               on read failure
     */
    public static TrainingCheckpoint read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "checkpoint directory not found");
        }
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new CheckpointFormatException(dir + ": missing " + MANIFEST_FILE
                    + " (not a checkpoint, or an incomplete one)");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new CheckpointFormatException(manifestFile + ": malformed manifest: " + e.getMessage(), e);
        }
        if (manifest == null || !FORMAT.equals(manifest.path("format").asText())) {
            throw new CheckpointFormatException(manifestFile + ": format must be '" + FORMAT + "', got "
                    + (manifest == null ? null : manifest.get("format")));
        }
        int version = manifest.path("version").asInt(-1);
        if (version != VERSION) {
            throw new CheckpointFormatException(manifestFile + ": unsupported checkpoint version " + version
                    + " (this library reads version " + VERSION + ")");
        }
        JsonNode files = manifest.path("files");
        for (String f : FILES) {
            Path p = dir.resolve(f);
            JsonNode e = files.get(f);
            if (e == null || !e.has("bytes") || !e.has("sha256")) {
                throw new CheckpointFormatException(manifestFile + ": manifest has no size and checksum for " + f);
            }
            if (!Files.isRegularFile(p)) {
                throw new CheckpointFormatException(dir + ": missing file " + f);
            }
            long want = e.get("bytes").asLong();
            long got = Files.size(p);
            if (got != want) {
                throw new CheckpointFormatException(p + ": " + (got < want ? "truncated" : "wrong size") + ": "
                        + got + " bytes, the manifest says " + want);
            }
            String sha = Provenance.sha256(p);
            if (!sha.equals(e.get("sha256").asText())) {
                throw new CheckpointFormatException(p + ": content changed since it was written (SHA-256 " + sha
                        + ", the manifest says " + e.get("sha256").asText() + ")");
            }
        }
        for (Iterator<String> it = files.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FILES.contains(f)) {
                throw new CheckpointFormatException(manifestFile + ": unexpected file in manifest: " + f);
            }
        }
        HfDebertaDirectory.Loaded model = HfDebertaDirectory.load(dir);
        Map<String, INDArray> optTensors;
        Map<String, String> optMeta;
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(OPTIMIZER_FILE))) {
            optTensors = r.readAll();
            optMeta = r.metadata();
            for (Map.Entry<String, INDArray> e : optTensors.entrySet()) {
                FiniteTensors.require(r.file(), e.getKey(), e.getValue());
            }
        }
        checkOptimizer(optTensors, shapesOf(model.parameters()), dir.resolve(OPTIMIZER_FILE).toString());
        Path stateFile = dir.resolve(TrainerState.FILE_NAME);
        TrainerState state;
        try {
            state = TrainerState.fromJson(Files.readString(stateFile, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(stateFile + ": " + e.getMessage(), e);
        }
        long manifestStep = manifest.path("step").asLong(-1);
        if (state.step() != manifestStep) {
            throw new CheckpointFormatException(stateFile + ": step " + state.step() + " but the manifest says "
                    + manifestStep);
        }
        Provenance provenance;
        try {
            provenance = Provenance.read(dir.resolve(Provenance.FILE_NAME));
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (ArtifactFormatException e) {
            throw new CheckpointFormatException(e.getMessage(), e);
        }
        LOG.info("checkpoint at step {} read from {}", state.step(), dir);
        return new TrainingCheckpoint(model.config(), model.parameters(), optTensors, optMeta, state, provenance);
    }

    private static Map<String, long[]> shapesOf(Map<String, INDArray> params) {
        Map<String, long[]> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, v.shape()));
        return m;
    }

    /** Every optimizer tensor must be {@code <prefix>.<parameter>} with the parameter's shape. */
    private static void checkOptimizer(Map<String, INDArray> tensors, Map<String, long[]> params, String source)
            throws CheckpointFormatException {
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            long[] shape = null;
            String param = null;
            for (int i = name.indexOf('.'); i >= 0 && shape == null; i = name.indexOf('.', i + 1)) {
                String candidate = name.substring(i + 1);
                if (params.containsKey(candidate)) {
                    param = candidate;
                    shape = params.get(candidate);
                }
            }
            if (shape == null) {
                throw new CheckpointFormatException(source + ": optimizer tensor '" + name
                        + "' belongs to no model parameter");
            }
            if (!Arrays.equals(shape, e.getValue().shape())) {
                throw new CheckpointFormatException(source + ": optimizer tensor '" + name + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " but parameter '" + param + "' has "
                        + Arrays.toString(shape));
            }
        }
    }
}
