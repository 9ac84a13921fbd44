package io.mlsm.eval.finetune;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.ProgressMeter;
import io.mlsm.eval.data.GlueExample;
import io.mlsm.eval.data.GlueMetric;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.models.optim.LearningRateSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Fine-tunes a fresh classifier per seed on a task's training split and scores it on the validation split; the
 * result is averaged over seeds. Per seed: the training set is shuffled each epoch by a {@link Random} seeded with
 * the seed; each mini-batch is one {@link TrainableClassifier#trainStep} at the scheduled learning rate
 * ({@link FineTuneConfig#learningRateAt}); every {@code evalEvery} steps and at the end the validation metric is
 * computed, the best state is kept ({@code saveState}) and training stops after {@code patience} validations
 * without an improvement of more than {@code minImprovement}; the best state is restored at the end. As in the
 * BabyLM pipeline, the validation split serves for both early stopping and the reported score.
 *
 * <pre>{@code
 * FineTuning ft = new FineTuning(tokenizer, (labels, seed) -> new MyClassifier(labels, seed),
 *         FineTuneConfig.defaults(), new LoggingProgressListener(30));
 * FineTuneResult r = ft.run(GlueTask.RTE, train, valid);   // r.mean(), r.std()
 * }</pre>
 */
public final class FineTuning {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuning.class);

    private final Tokenizer tokenizer;
    private final TrainableClassifier.Factory factory;
    private final FineTuneConfig config;
    private final EvalProgressListener listener;

    public FineTuning(Tokenizer tokenizer, TrainableClassifier.Factory factory, FineTuneConfig config,
                      EvalProgressListener listener) {
        if (tokenizer == null || factory == null || config == null) {
            throw new IllegalArgumentException("tokenizer, factory and config are required");
        }
        this.tokenizer = tokenizer;
        this.factory = factory;
        this.config = config;
        this.listener = listener == null ? EvalProgressListener.NONE : listener;
    }

    /** @return the seed-averaged result of {@code task} */
    public FineTuneResult run(GlueTask task, List<GlueExample> train, List<GlueExample> valid) {
        return run(task.displayName(), task.numLabels(), task.metric(), train, valid);
    }

    /** @return the seed-averaged result of a classification task given by name, label count and metric */
    public FineTuneResult run(String name, int numLabels, GlueMetric metric, List<GlueExample> train,
                              List<GlueExample> valid) {
        if (train.isEmpty() || valid.isEmpty()) {
            throw new IllegalArgumentException(name + ": need training and validation examples, got "
                    + train.size() + " and " + valid.size());
        }
        int[][] trainIds = encode(train, numLabels, name);
        int[] trainLabels = train.stream().mapToInt(GlueExample::label).toArray();
        int[][] validIds = encode(valid, numLabels, name);
        int[] validLabels = valid.stream().mapToInt(GlueExample::label).toArray();
        List<SeedRun> runs = new ArrayList<>();
        for (long seed : config.seeds()) {
            SeedRun r = runSeed(name, numLabels, metric, seed, trainIds, trainLabels, validIds, validLabels);
            LOG.info("{} seed {}: {} {} (best at step {} of {}{})", name, seed, metric, r.score(), r.bestStep(),
                    r.steps(), r.stoppedEarly() ? ", stopped early" : "");
            runs.add(r);
        }
        FineTuneResult result = new FineTuneResult(name, metric, runs);
        LOG.info("{}: {} {} ± {} over {} seeds", name, metric, result.mean(), result.std(), runs.size());
        return result;
    }

    private int[][] encode(List<GlueExample> examples, int numLabels, String name) {
        int[][] out = new int[examples.size()][];
        for (int i = 0; i < out.length; i++) {
            GlueExample e = examples.get(i);
            if (e.label() >= numLabels) {
                throw new IllegalArgumentException(name + " example at " + e.where() + ": label " + e.label()
                        + " >= number of labels " + numLabels);
            }
            int[] a = tokenizer.encode(e.textA());
            out[i] = e.isPair() ? tokenizer.encodePair(a, tokenizer.encode(e.textB()), config.maxLength())
                    : tokenizer.encodeSingle(a, config.maxLength());
        }
        return out;
    }

    SeedRun runSeed(String name, int numLabels, GlueMetric metric, long seed, int[][] trainIds, int[] trainLabels,
                    int[][] validIds, int[] validLabels) {
        TrainableClassifier model = factory.create(numLabels, seed);
        Random rnd = new Random(seed);
        int n = trainIds.length;
        long stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
        long total = stepsPerEpoch * config.epochs();
        LearningRateSchedule schedule = config.schedule(total);
        ProgressMeter meter = new ProgressMeter("finetune " + name + " seed " + seed, total, listener);
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        double best = Double.NEGATIVE_INFINITY;
        Object bestState = null;
        long bestStep = 0;
        int sinceBest = 0;
        long step = 0;
        boolean stopped = false;
        training:
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Collections.shuffle(order, rnd);
            for (int from = 0; from < n; from += config.batchSize()) {
                int to = Math.min(n, from + config.batchSize());
                int[][] rows = new int[to - from][];
                int[] labels = new int[to - from];
                for (int i = from; i < to; i++) {
                    rows[i - from] = trainIds[order.get(i)];
                    labels[i - from] = trainLabels[order.get(i)];
                }
                int[][][] batch = pad(rows);
                double loss = model.trainStep(batch[0], batch[1], labels, schedule.at(step));
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException(name + " seed " + seed + ": training loss " + loss + " at step "
                            + step);
                }
                step++;
                meter.advance(1);
                boolean last = step == total;
                if (step % config.evalEvery() == 0 || last) {
                    double s = ClassificationMetrics.score(metric, validLabels, predict(model, validIds));
                    if (bestState == null || s > best + config.minImprovement()) {
                        best = s;
                        bestState = model.saveState();
                        bestStep = step;
                        sinceBest = 0;
                    } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
                        stopped = !last;
                        break training;
                    }
                }
            }
        }
        if (bestStep != step) {
            model.loadState(bestState);
        }
        return new SeedRun(seed, best, step, bestStep, stopped);
    }

    /** @return predictions for all rows, in batches of {@code evalBatchSize} */
    int[] predict(TrainableClassifier model, int[][] ids) {
        int[] out = new int[ids.length];
        for (int from = 0; from < ids.length; from += config.evalBatchSize()) {
            int to = Math.min(ids.length, from + config.evalBatchSize());
            int[][][] batch = pad(Arrays.copyOfRange(ids, from, to));
            int[] p = model.predict(batch[0], batch[1]);
            if (p.length != to - from) {
                throw new IllegalStateException("classifier returned " + p.length + " predictions for " + (to - from)
                        + " rows");
            }
            System.arraycopy(p, 0, out, from, p.length);
        }
        return out;
    }

    /** @return {ids [B][T], mask [B][T]} right-padded with {@code <pad>} */
    private int[][][] pad(int[][] rows) {
        int t = 0;
        for (int[] r : rows) {
            t = Math.max(t, r.length);
        }
        int[][] ids = new int[rows.length][t];     // [B, T]
        int[][] mask = new int[rows.length][t];    // [B, T]
        for (int b = 0; b < rows.length; b++) {
            Arrays.fill(ids[b], tokenizer.specials().pad());
            System.arraycopy(rows[b], 0, ids[b], 0, rows[b].length);
            Arrays.fill(mask[b], 0, rows[b].length, 1);
        }
        return new int[][][] {ids, mask};
    }
}
