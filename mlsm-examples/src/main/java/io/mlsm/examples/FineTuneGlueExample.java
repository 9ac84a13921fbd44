package io.mlsm.examples;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.model.DebertaClassifier;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.models.io.HfDebertaDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Fine-tunes a model directory on one (Super)GLUE task (classification head on {@code [CLS]}, BabyLM protocol) once
 * per seed and reports the validation metric (accuracy, MCC for CoLA, F1 for MRPC/QQP) averaged over seeds.
 *
 * <pre>{@code
 * var r = FineTuneGlueExample.run(new FineTuneGlueExample.Options(Path.of("runs/q/student"),
 *         Path.of("runs/q/tokenizer/tokenizer.json"), Path.of("../shared/data"), GlueTask.RTE, 0, 3, 2, 5e-5, 32));
 * System.out.println(r.result().mean());
 * }</pre>
 * Command line: {@code mlsm finetune-glue --task RTE --model DIR --tokenizer FILE --data ../shared/data}.
 */
public final class FineTuneGlueExample {

    private FineTuneGlueExample() {
    }

    /**
     * @param modelDir      model directory
     * @param tokenizerFile {@code tokenizer.json}
     * @param dataDir       the folder holding {@code glue_filtered/} (and {@code glue_original_unfiltered/})
     * @param task          the task
     * @param maxExamples   examples read per split ({@code 0} = all)
     * @param epochs        maximum epochs
     * @param seeds         runs (seeds 12, 13, ...)
     * @param learningRate  peak learning rate
     * @param batchSize     batch size
     * @param concepts      {@code k} of a released {@code V + k} checkpoint with no key of ours, or -1 for "from the
     *                      config, else {@code vocab_size − tokenizer size}" ({@link HfDebertaDirectory#latentConceptsFor})
     */
    public record Options(Path modelDir, Path tokenizerFile, Path dataDir, GlueTask task, int maxExamples, int epochs,
                          int seeds, double learningRate, int batchSize, int concepts) {
        /** Options for a model whose {@code k} comes from its config or is inferred. */
        public Options(Path modelDir, Path tokenizerFile, Path dataDir, GlueTask task, int maxExamples, int epochs,
                       int seeds, double learningRate, int batchSize) {
            this(modelDir, tokenizerFile, dataDir, task, maxExamples, epochs, seeds, learningRate, batchSize, -1);
        }

        public Options {
            if (concepts < -1) {
                throw new IllegalArgumentException("concepts must be >= 0, or -1 for inferred, got " + concepts);
            }
            if (modelDir == null || !Files.isRegularFile(modelDir.resolve("config.json"))) {
                throw new IllegalArgumentException("model directory " + modelDir + " has no config.json");
            }
            if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizerFile);
            }
            if (dataDir == null || !Files.isDirectory(dataDir)) {
                throw new IllegalArgumentException("data directory does not exist: " + dataDir);
            }
            if (task == null) {
                throw new IllegalArgumentException("task is required");
            }
            if (maxExamples < 0) {
                throw new IllegalArgumentException("maxExamples must be >= 0 (0 = all), got " + maxExamples);
            }
            if (epochs < 1 || seeds < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs, seeds and batchSize must be >= 1, got " + epochs + ", "
                        + seeds + ", " + batchSize);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
            }
        }
    }

    /** @param result the runs and their mean */
    public record Result(FineTuneResult result) {
    }

    /**
     * @throws IllegalArgumentException when the task has no training or validation split in {@code dataDir}
     * @throws UncheckedIOException     when the model, tokenizer or data cannot be read
     */
    public static Result run(Options o) {
        try {
            Tokenizer tok = UnigramTokenizer.load(o.tokenizerFile());
            List<Long> seeds = LongStream.range(12, 12 + o.seeds()).boxed().toList();
            FineTuneConfig c = FineTuneConfig.defaults().withLearningRate(o.learningRate()).withEpochs(o.epochs())
                    .withBatchSize(o.batchSize()).withSeeds(seeds);
            EvalLimit limit = o.maxExamples() == 0 ? EvalLimit.all() : EvalLimit.firstN(o.maxExamples());
            return new Result(Evaluations.glue(o.task(), o.modelDir(), o.concepts(), tok, o.dataDir(), limit, c,
                    DebertaClassifier.Options.defaults(), EvalProgressListener.NONE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
