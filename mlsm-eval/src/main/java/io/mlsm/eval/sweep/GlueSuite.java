package io.mlsm.eval.sweep;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.data.GlueExample;
import io.mlsm.eval.data.GlueReader;
import io.mlsm.eval.data.GlueSplit;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.finetune.FineTuning;
import io.mlsm.eval.finetune.TrainableClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Fine-tuning evaluation of a pre-trained model on the GLUE-style tasks that have both splits in the data: one row
 * per task (its metric, averaged over seeds; the papers' Table 2 order) and {@code Average}. Tasks without a
 * training split (BoolQ and MultiRC in the shared data) are skipped with a log line.
 *
 * <pre>{@code
 * GlueSuite suite = GlueSuite.fromSharedData(shared.resolve("data"), tokenizer, EvalLimit.all(),
 *         FineTuneConfig.defaults());
 * LinkedHashMap<String, Double> scores = suite.evaluate(classifierFactory, listener);
 * }</pre>
 */
public final class GlueSuite implements Evaluation<TrainableClassifier.Factory> {

    private static final Logger LOG = LoggerFactory.getLogger(GlueSuite.class);

    /** A task with its two splits. */
    public record TaskData(GlueTask task, List<GlueExample> train, List<GlueExample> valid) {
    }

    private final Tokenizer tokenizer;
    private final FineTuneConfig config;
    private final List<TaskData> tasks;

    public GlueSuite(Tokenizer tokenizer, FineTuneConfig config, List<TaskData> tasks) {
        if (tokenizer == null || config == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("tokenizer, config and at least one task are required");
        }
        this.tokenizer = tokenizer;
        this.config = config;
        this.tasks = List.copyOf(tasks);
    }

    /** Loads every task of {@link GlueTask} that has a train and a valid file under {@code dataDir}. */
    public static GlueSuite fromSharedData(Path dataDir, Tokenizer tokenizer, EvalLimit limit, FineTuneConfig config)
            throws IOException {
        List<TaskData> tasks = new ArrayList<>();
        for (GlueTask t : GlueTask.values()) {
            if (GlueReader.hasSplit(dataDir, t, GlueSplit.TRAIN) && GlueReader.hasSplit(dataDir, t, GlueSplit.VALID)) {
                tasks.add(new TaskData(t, GlueReader.read(dataDir, t, GlueSplit.TRAIN, limit),
                        GlueReader.read(dataDir, t, GlueSplit.VALID, limit)));
            } else {
                LOG.info("skipping {}: no train or no valid split under {}", t.displayName(), dataDir);
            }
        }
        return new GlueSuite(tokenizer, config, tasks);
    }

    /** @return the settings for a report's provenance: fine-tuning configuration and split sizes */
    public java.util.Map<String, String> settings() {
        java.util.Map<String, String> m = new LinkedHashMap<>();
        m.put("finetune", config.toString());
        for (TaskData d : tasks) {
            m.put(d.task().displayName(), "train " + d.train().size() + ", valid " + d.valid().size() + ", "
                    + d.task().metric());
        }
        return m;
    }

    /** @return the tasks that will be run */
    public List<GlueTask> tasks() {
        return tasks.stream().map(TaskData::task).toList();
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(TrainableClassifier.Factory factory, EvalProgressListener listener) {
        FineTuning ft = new FineTuning(tokenizer, factory, config, listener);
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (TaskData d : tasks) {
            FineTuneResult r = ft.run(d.task(), d.train(), d.valid());
            out.put(d.task().displayName(), r.mean());
        }
        out.put("Average", out.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow());
        return out;
    }
}
