package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.core.listen.EvaluationMetrics;
import io.mlsm.core.listen.StepMetrics;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.listen.TrainingPlan;
import io.mlsm.core.listen.TrainingSummary;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.models.io.CheckpointFormatException;
import io.mlsm.runtime.Provenance;
import io.mlsm.runtime.RunDirectoryLock;
import io.mlsm.models.io.TrainerState;
import io.mlsm.models.io.TrainingCheckpoint;
import io.mlsm.models.optim.AdamW;
import io.mlsm.models.optim.GradientClipping;
import io.mlsm.models.optim.LearningRateSchedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The training loop of every phase: micro-batches from a {@link BatchStream}, targets from a {@link TargetSource},
 * losses and gradients from {@link DebertaModel#computeGradients}, gradient accumulation, global-norm clipping, a
 * NaN/Inf guard, AdamW with a linear warm-up/decay schedule, listeners, periodic atomic checkpoints and exact resume.
 *
 * <p>Determinism: micro-batch {@code i} of the run is {@code stream.batch(i)} (data order and masks are a function of
 * the stream's seed and {@code i}); its dropout masks come from {@code options.seed()} and {@code i}. A run resumed
 * from the checkpoint of step {@code s} therefore sees the same data, masks and weights as the uninterrupted run.
 * Its losses repeat bit for bit when libnd4j runs single-threaded ({@code OMP_NUM_THREADS=1}); with several OpenMP
 * threads, reductions may round differently from run to run (last-bit differences).
 *
 * <pre>{@code
 * TrainingResult r = new Trainer("teacher", model, TrainingObjective.mlm(), stream, TargetSource.none(),
 *         TrainingOptions.builder().steps(1000).learningRate(5e-4).build(), TrainingListener.defaults()).fit();
 * }</pre>
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final String phase;
    private final DebertaModel model;
    private final TrainingObjective objective;
    private final BatchStream stream;
    private final TargetSource targets;
    private final TrainingOptions options;
    private final TrainingListener listener;
    private final LearningRateSchedule schedule;
    private final AdamW optimizer;
    /** Gradient sums of a step, kept from step to step (zeroed at its start): no new gradient arrays per step. */
    private final Map<String, INDArray> gradientSums = new LinkedHashMap<>();
    private static final String RECIPE_PREFIX = "recipe.";

    private long lastCheckpointNanos;
    private BatchStream validation;
    private int validationBatches;
    private long evaluateEvery;

    /**
     * @param phase     name shown in progress and checkpoints ({@code teacher}, {@code student}, {@code head})
     * @param model     the model to train (updated in place)
     * @param objective loss terms and trained parameters
     * @param stream    micro-batches
     * @param targets   KD / MLSM targets ({@link TargetSource#none()} for MLM)
     * @param options   optimisation settings
     * @param listener  progress (e.g. {@link TrainingListener#defaults()})
     */
    public Trainer(String phase, DebertaModel model, TrainingObjective objective, BatchStream stream,
                   TargetSource targets, TrainingOptions options, TrainingListener listener) {
        this.phase = Objects.requireNonNull(phase, "phase");
        this.model = Objects.requireNonNull(model, "model");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener == null ? new TrainingListener() { } : listener;
        if (stream.totalBatches().isPresent()
                && stream.totalBatches().getAsLong() < options.steps() * options.accumulation()) {
            throw new IllegalArgumentException("the batch stream has " + stream.totalBatches().getAsLong()
                    + " batches but " + options.steps() + " steps x " + options.accumulation()
                    + " accumulation need " + options.steps() * options.accumulation() + " (allow more epochs)");
        }
        this.schedule = LearningRateSchedule.linearWarmupDecayFraction(options.learningRate(), options.steps(),
                options.warmupFraction());
        this.optimizer = optimizerFor(options);
    }

    /** @return the AdamW these options ask for: their weight decay and ε, decay on every parameter or not */
    static AdamW optimizerFor(TrainingOptions options) {
        return new AdamW(AdamW.Options.defaults().withWeightDecay(options.weightDecay())
                .withEpsilon(options.adamEpsilon()), options.decayAllParameters() ? AdamW.DECAY_ALL : AdamW.HF_NO_DECAY);
    }

    /**
     * Evaluates the objective on held-out batches every {@code every} steps (and after the last step) and reports
     * the mean of each loss term and the total to {@link TrainingListener#onEvaluation} as {@code "valid"}. No dropout;
     * the held-out batches are the first {@code batches} of {@code heldOut}, the same ones every time, with the
     * targets of this trainer's {@link TargetSource}.
     *
     * <pre>{@code
     * trainer.validation(heldOutStream, 8, 500).fit();    // listener.onEvaluation at steps 500, 1000, ...
     * }</pre>
     *
     * @param heldOut micro-batches not used for training
     * @param batches how many of them, {@code >= 1}
     * @param every   steps between evaluations, {@code >= 1}
     * @return this
     */
    public Trainer validation(BatchStream heldOut, int batches, long every) {
        if (batches < 1 || every < 1) {
            throw new IllegalArgumentException("validation needs batches >= 1 and every >= 1, got " + batches + " and "
                    + every);
        }
        if (heldOut.totalBatches().isPresent() && heldOut.totalBatches().getAsLong() < batches) {
            throw new IllegalArgumentException("the held-out stream has " + heldOut.totalBatches().getAsLong()
                    + " batches, fewer than the " + batches + " asked for");
        }
        validation = Objects.requireNonNull(heldOut, "heldOut");
        validationBatches = batches;
        evaluateEvery = every;
        return this;
    }

    /** @return the optimiser (its state is saved with checkpoints) */
    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * Runs the remaining steps (all of them for a fresh run).
     *
     * @return the curve, checkpoints and counts
     * @throws TrainingDivergedException when a loss or gradient is NaN/Inf (nothing is applied for that step)
     */
    public TrainingResult fit() {
        if (options.checkpointDir() == null) {
            return fitLocked();
        }
        try (RunDirectoryLock lock = RunDirectoryLock.acquire(options.checkpointDir(), "training phase " + phase)) {
            for (Path stale : AtomicFiles.removeStaleTemporaries(options.checkpointDir())) {
                LOG.info("{}: removed {}, left by an interrupted checkpoint write", phase, stale);
            }
            return fitLocked();
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock the checkpoint directory " + options.checkpointDir()
                    + ": " + e.getMessage(), e);
        }
    }

    private TrainingResult fitLocked() {
        long start = 0;
        Map<Long, Path> written = new TreeMap<>();
        if (options.resume() && options.checkpointDir() != null) {
            Optional<Path> latest = latestCheckpoint();
            if (latest.isPresent()) {
                start = restore(latest.get());
            }
        }
        if (start >= options.steps()) {
            LOG.info("{}: already finished ({} of {} steps in {}); nothing to train", phase, start, options.steps(),
                    options.checkpointDir());
            return new TrainingResult(phase, start, start, List.of(), written, 0, 0);
        }
        if (options.checkpointDir() != null) {
            try {
                AtomicFiles.requireWritable(options.checkpointDir(), checkpointBytes(), "a checkpoint of " + phase);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        lastCheckpointNanos = System.nanoTime();
        int batchSize = stream.batchSize() * options.accumulation();
        listener.onStart(new TrainingPlan(phase, options.steps(), start, batchSize, stream.sequences().maxLength()));
        List<StepMetrics> curve = new ArrayList<>();
        FlopCount spent = new FlopCount();
        Map<String, Double> targetsBefore = targets.flops();
        long t0 = System.nanoTime();
        long tokens = 0;
        boolean completed = false;
        double lastLoss = Double.NaN;
        try {
            for (long step = start + 1; step <= options.steps(); step++) {
                StepMetrics m = step(step, t0, spent);
                tokens += m.tokens();
                lastLoss = m.loss();
                curve.add(m);
                listener.onStep(m);
                if (validation != null && (step % evaluateEvery == 0 || step == options.steps())) {
                    listener.onEvaluation(evaluate(step));
                }
                String stop = TrainingStop.reason();
                Path cp = maybeCheckpoint(step, written, stop != null);
                if (stop != null && step < options.steps()) {
                    LOG.warn("{}: stopping after step {} ({})", phase, step, stop);
                    throw new TrainingInterruptedException(phase, step, cp, stop);
                }
            }
            completed = true;
        } finally {
            listener.onEnd(new TrainingSummary(start + curve.size(), lastLoss, tokens, System.nanoTime() - t0,
                    completed));
        }
        targets.flops().forEach((component, after) ->
                spent.add(component, after - targetsBefore.getOrDefault(component, 0.0)));
        LOG.info("{}: {} steps here, {} ({})", phase, curve.size(), formatFlops(spent.total()), spent);
        return new TrainingResult(phase, start + curve.size(), start, curve, written, tokens, System.nanoTime() - t0,
                spent.snapshot());
    }

    /** @return e.g. {@code 3.52 TFLOP} */
    static String formatFlops(double f) {
        String[] units = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP"};
        int u = 0;
        while (f >= 1000 && u < units.length - 1) {
            f /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.3g %s", f, units[u]);
    }

    private StepMetrics step(long step, long t0, FlopCount spent) {
        Map<String, INDArray> sum = gradientSums;
        sum.values().forEach(g -> g.assign(0));
        Map<String, Double> losses = new LinkedHashMap<>();
        long tokens = 0;
        long targetCount = 0;
        int acc = options.accumulation();
        for (int micro = 0; micro < acc; micro++) {
            long index = (step - 1) * acc + micro;
            Batch batch = stream.batch(index);
            TrainingBatch tb = modelBatch(batch);
            StepResult r = model.accumulateGradients(objective, tb, dropoutSeed(index), sum, 1.0 / acc);
            for (Map.Entry<String, Double> e : r.losses().entrySet()) {
                losses.merge(e.getKey(), e.getValue() / acc, Double::sum);
            }
            tokens += batch.tokenCount();
            targetCount += batch.targetCount();
            spent.add(FlopCount.STEP, Flops.trainingStep(model.config(), objective.scope(), batch.batchSize(),
                    batch.length(), batch.targetCount()));
        }
        double total = losses.getOrDefault(StepResult.TOTAL, Double.NaN);
        if (!Double.isFinite(total)) {
            throw new TrainingDivergedException(step, "loss " + losses);
        }
        List<String> bad = GradientClipping.nonFinite(sum);
        if (!bad.isEmpty()) {
            throw new TrainingDivergedException(step, "non-finite gradient of " + bad);
        }
        double norm = options.clipNorm() > 0 ? GradientClipping.clipGlobalNorm(sum, options.clipNorm())
                : GradientClipping.globalNorm(sum);
        double lr = schedule.at(step - 1);
        Map<String, INDArray> trained = new LinkedHashMap<>();
        for (String name : sum.keySet()) {
            trained.put(name, model.parameter(name));
        }
        optimizer.step(trained, sum, lr);
        Map<String, Double> terms = new LinkedHashMap<>(losses);
        terms.remove(StepResult.TOTAL);
        return new StepMetrics(step, terms, total, lr, norm, tokens, targetCount, System.nanoTime() - t0);
    }

    private EvaluationMetrics evaluate(long step) {
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int i = 0; i < validationBatches; i++) {
            TrainingBatch tb = modelBatch(validation.batch(i));
            model.computeLosses(objective, tb).forEach((k, v) -> mean.merge(k, v / validationBatches, Double::sum));
        }
        return new EvaluationMetrics(step, "valid", mean);
    }

    private TrainingBatch modelBatch(Batch batch) {
        return targets.attach(batch, TrainingBatch.of(batch.inputIdsArray(DataType.INT32),
                batch.attentionMaskArray(model.dataType()), batch.labelsArray(DataType.INT32)));
    }

    private long dropoutSeed(long microBatchIndex) {
        long z = options.seed() * 0x9E3779B97F4A7C15L + microBatchIndex + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return the checkpoint written for this step, or null */
    private Path maybeCheckpoint(long step, Map<Long, Path> written, boolean stopping) {
        Path dir = options.checkpointDir();
        if (dir == null) {
            return null;
        }
        boolean kept = options.checkpointAt().contains(step);
        boolean periodic = options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0;
        boolean timed = options.checkpointMinutes() > 0
                && System.nanoTime() - lastCheckpointNanos >= (long) (options.checkpointMinutes() * 60e9);
        if (!kept && !periodic && !timed && !stopping && step != options.steps()) {
            return null;
        }
        Path target = TrainingCheckpoint.directoryFor(dir, step);
        try {
            checkpoint(step).write(target);
            lastCheckpointNanos = System.nanoTime();
            written.put(step, target);
            listener.onCheckpoint(step, target);
            prune(dir);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of step " + step + " to " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Keeps the newest {@code keepCheckpoints} periodic checkpoints; those at {@code checkpointAt} steps stay. */
    private void prune(Path dir) throws IOException {
        List<Path> periodic = new ArrayList<>();
        for (Path p : TrainingCheckpoint.list(dir)) {
            if (!options.checkpointAt().contains(stepOf(p))) {
                periodic.add(p);
            }
        }
        for (int i = 0; i < periodic.size() - options.keepCheckpoints(); i++) {
            AtomicFiles.deleteRecursively(periodic.get(i));
        }
    }

    /** @return an upper bound of one checkpoint's size: weights and two AdamW moments, plus 1 MB of metadata */
    private long checkpointBytes() {
        long bytes = 1L << 20;
        for (INDArray p : model.parameters().values()) {
            bytes += 3L * p.length() * p.dataType().width();
        }
        return bytes;
    }

    /** The settings a resumed run must share with the run that wrote the checkpoint. */
    private Map<String, String> recipe() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("steps", Long.toString(options.steps()));
        r.put("accumulation", Integer.toString(options.accumulation()));
        r.put("batchSize", Integer.toString(stream.batchSize()));
        r.put("learningRate", Double.toString(options.learningRate()));
        r.put("warmupFraction", Double.toString(options.warmupFraction()));
        r.put("weightDecay", Double.toString(options.weightDecay()));
        r.put("clipNorm", Double.toString(options.clipNorm()));
        r.put("seed", Long.toString(options.seed()));
        r.put("objective", objective.toString());
        return r;
    }

    private TrainingCheckpoint checkpoint(long step) {
        Map<String, INDArray> params = model.parameters();
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("options", options.toString());
        recipe().forEach((k, v) -> extra.put(RECIPE_PREFIX + k, v));
        TrainerState state = new TrainerState(step, options.seed(), 0, step * options.accumulation(), Map.of(),
                List.of(), phase, objective.toString(), extra);
        Provenance provenance = Provenance.builder("training-checkpoint:" + phase).seed(options.seed())
                .config(model.config()).extra("step", Long.toString(step)).extra("objective", objective.toString())
                .extra("options", options.toString()).build();
        return new TrainingCheckpoint(model.config(), params, optimizer.stateTensors(), optimizer.stateMetadata(),
                state, provenance);
    }

    private Optional<Path> latestCheckpoint() {
        try {
            return TrainingCheckpoint.latest(options.checkpointDir());
        } catch (IOException e) {
            throw new UncheckedIOException("could not list checkpoints in " + options.checkpointDir(), e);
        }
    }

    private static long stepOf(Path checkpointDir) {
        String name = checkpointDir.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('-') + 1));
    }

    private long restore(Path from) {
        try {
            TrainingCheckpoint cp = TrainingCheckpoint.read(from);
            String savedPhase = cp.trainerState().phase();
            if (!phase.equals(savedPhase)) {
                throw new CheckpointFormatException(from + ": checkpoint of phase '" + savedPhase
                        + "', cannot resume phase '" + phase + "'");
            }
            List<String> differ = new ArrayList<>();
            for (Map.Entry<String, String> e : recipe().entrySet()) {
                String saved = cp.trainerState().extra().get(RECIPE_PREFIX + e.getKey());
                if (saved != null && !saved.equals(e.getValue())) {
                    differ.add(e.getKey() + " " + saved + " (checkpoint) vs " + e.getValue() + " (now)");
                }
            }
            if (!differ.isEmpty()) {
                throw new IllegalStateException(phase + ": the checkpoint " + from + " was written with other settings: "
                        + String.join(", ", differ) + "; run with the checkpoint's settings to resume, or start over "
                        + "(delete " + options.checkpointDir() + ", or --overwrite on the command line)");
            }
            if (!cp.weights().keySet().equals(model.parameters().keySet())) {
                throw new CheckpointFormatException(from + ": parameters " + cp.weights().keySet()
                        + " do not match the model's " + model.parameters().keySet());
            }
            for (Map.Entry<String, INDArray> e : cp.weights().entrySet()) {
                long[] have = model.parameter(e.getKey()).shape();
                if (!Arrays.equals(have, e.getValue().shape())) {
                    throw new CheckpointFormatException(from + ": parameter '" + e.getKey() + "' has shape "
                            + Arrays.toString(e.getValue().shape()) + ", the model expects " + Arrays.toString(have));
                }
            }
            model.setParameters(cp.weights());
            optimizer.restore(cp.optimizerTensors(), cp.optimizerMetadata(), model.parameters(), from.toString());
            long step = cp.trainerState().step();
            LOG.info("{}: resuming from {} at step {}", phase, from, step);
            return step;
        } catch (IOException e) {
            throw new UncheckedIOException("could not resume from " + from, e);
        }
    }
}
