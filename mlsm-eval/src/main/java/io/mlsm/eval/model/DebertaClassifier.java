package io.mlsm.eval.model;

import io.mlsm.eval.finetune.TrainableClassifier;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.io.CheckpointFormatException;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.optim.AdamW;
import io.mlsm.models.optim.GradientClipping;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link TrainableClassifier} over a {@link DebertaModel} with the sequence-classification head (Hugging Face
 * {@code DebertaForSequenceClassification}: {@code [CLS]} row, pooler, classifier), fine-tuned end to end: each
 * {@link #trainStep} computes {@link TrainingObjective#classification()} gradients (with dropout drawn from the seed
 * and the step), clips their global norm and takes one AdamW step (decoupled weight decay, none on biases and
 * LayerNorm gains). {@link #predict} runs in inference mode (no dropout). {@link #saveState()} copies the parameters
 * and the optimizer state, so {@link #loadState} returns to that point exactly.
 *
 * <pre>{@code
 * TrainableClassifier.Factory f = DebertaClassifier.factory(Path.of("runs/mlsm/checkpoint-000080000"),
 *         DebertaClassifier.Options.defaults());
 * FineTuneResult r = new FineTuning(tokenizer, f, FineTuneConfig.defaults(), listener).run(GlueTask.RTE, train, valid);
 * }</pre>
 *
 * Not thread-safe.
 */
public final class DebertaClassifier implements TrainableClassifier {

    /**
     * Fine-tuning hyper-parameters besides the learning rate (which the caller schedules).
     *
     * @param adamW       optimizer settings (default: {@link AdamW.Options#torchDefaults()}, i.e. β 0.9/0.999,
     *                    ε 1e-8, weight decay 0.01)
     * @param maxGradNorm global gradient-norm clipping, {@code 0} = off (default 1.0, as the Hugging Face Trainer)
     * @param dropout     whether the model's dropout is applied in training steps (default true)
     */
    public record Options(AdamW.Options adamW, double maxGradNorm, boolean dropout) {
        public Options {
            if (adamW == null) {
                throw new IllegalArgumentException("adamW options are required");
            }
            if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
                throw new IllegalArgumentException("maxGradNorm must be a finite value >= 0 (0 = off), got "
                        + maxGradNorm);
            }
        }

        /** @return AdamW (β 0.9/0.999, ε 1e-8, weight decay 0.01), clipping at 1.0, dropout on */
        public static Options defaults() {
            return new Options(AdamW.Options.torchDefaults(), 1.0, true);
        }

        /** @return a copy with dropout on or off */
        public Options withDropout(boolean on) {
            return new Options(adamW, maxGradNorm, on);
        }

        /** @return a copy with another weight decay */
        public Options withWeightDecay(double wd) {
            return new Options(adamW.withWeightDecay(wd), maxGradNorm, dropout);
        }
    }

    /** A saved state: parameter copies, optimizer moments and step, the classifier's step counter. */
    private record State(Map<String, INDArray> parameters, Map<String, INDArray> optimizerTensors,
                         Map<String, String> optimizerMetadata, long steps, DebertaClassifier owner) {
    }

    private final DebertaModel model;
    private final int numLabels;
    private final long seed;
    private final Options options;
    private final AdamW optimizer;
    private long steps;

    /**
     * Adds a freshly initialised classification head for {@code numLabels} classes (seeded) to {@code model} and
     * fine-tunes the whole model in place.
     *
     * @param model     pre-trained model (changed by training)
     * @param numLabels number of classes, >= 2
     * @param seed      seed of the head's initialisation and of the dropout masks
     * @param options   optimizer, clipping and dropout settings
     */
    public DebertaClassifier(DebertaModel model, int numLabels, long seed, Options options) {
        if (model == null || options == null) {
            throw new IllegalArgumentException("model and options are required");
        }
        model.addClassificationHead(numLabels, seed);
        this.model = model;
        this.numLabels = numLabels;
        this.seed = seed;
        this.options = options;
        this.optimizer = new AdamW(options.adamW());
    }

    /**
     * A factory that reads a pre-trained model directory once (a Hugging Face directory or a
     * {@link io.mlsm.models.io.TrainingCheckpoint} directory, which is one as well) and builds a fresh model from
     * those weights for every seed.
     *
     * @param modelDir directory with {@code config.json} and {@code model.safetensors}
     * @param options  fine-tuning settings
     * @return the factory
     * @throws IOException if the directory cannot be read (a {@link CheckpointFormatException} for bad content)
     */
    public static TrainableClassifier.Factory factory(Path modelDir, Options options) throws IOException {
        HfDebertaDirectory.Loaded loaded = HfDebertaDirectory.load(modelDir);
        return factory(loaded.config(), loaded.parameters(), options);
    }

    /**
     * A factory over pre-trained weights held in memory: every {@code create} copies them into a new model
     * (pre-trained heads other than the MLM head, i.e. a latent-to-vocabulary or an old classification head, are left
     * out; the classification head is always new).
     *
     * @param config     architecture
     * @param parameters weights by Hugging Face name (not modified)
     * @param options    fine-tuning settings
     * @return the factory
     */
    public static TrainableClassifier.Factory factory(DebertaConfig config, Map<String, INDArray> parameters,
                                                      Options options) {
        Map<String, INDArray> backbone = new LinkedHashMap<>();
        parameters.forEach((name, a) -> {
            if (!name.startsWith("cls.latent_to_vocab.") && !name.startsWith("pooler.")
                    && !name.startsWith("classifier.")) {
                backbone.put(name, a);
            }
        });
        DebertaModel.fromParameters(config, backbone);   // validates once, before any seed runs
        return (labels, s) -> new DebertaClassifier(DebertaModel.fromParameters(config, backbone), labels, s, options);
    }

    /** @return the model being fine-tuned */
    public DebertaModel model() {
        return model;
    }

    /** @return the optimizer (weight decay on weights only: {@link AdamW#HF_NO_DECAY}) */
    public AdamW optimizer() {
        return optimizer;
    }

    /** @return training steps taken */
    public long steps() {
        return steps;
    }

    @Override
    public double trainStep(int[][] ids, int[][] attentionMask, int[] labels, double learningRate) {
        if (labels.length != ids.length) {
            throw new IllegalArgumentException("need one label per row: " + ids.length + " rows, " + labels.length
                    + " labels");
        }
        TrainingBatch batch = TrainingBatch.of(ids, attentionMask, null)
                .withClassLabels(Nd4j.createFromArray(labels));
        StepResult r = options.dropout()
                ? model.computeGradients(TrainingObjective.classification(), batch, dropoutSeed(steps))
                : model.computeGradients(TrainingObjective.classification(), batch);
        Map<String, INDArray> grads = r.gradients();   // fresh arrays owned by us: clipped in place
        if (options.maxGradNorm() > 0) {
            GradientClipping.clipGlobalNorm(grads, options.maxGradNorm());   // also rejects NaN / infinity
        } else {
            GradientClipping.requireFinite("fine-tuning gradient", grads);
        }
        optimizer.step(model.parameters(), grads, learningRate);
        steps++;
        return r.total();
    }

    private long dropoutSeed(long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public int[] predict(int[][] ids, int[][] attentionMask) {
        INDArray logits = model.classLogits(Nd4j.createFromArray(ids), Nd4j.createFromArray(attentionMask)); // [B, C]
        int[] out = new int[ids.length];
        for (int b = 0; b < out.length; b++) {
            int best = 0;
            for (int c = 1; c < numLabels; c++) {
                if (logits.getDouble(b, c) > logits.getDouble(b, best)) {
                    best = c;
                }
            }
            out[b] = best;
        }
        return out;
    }

    @Override
    public Object saveState() {
        Map<String, INDArray> params = new LinkedHashMap<>();
        model.parameters().forEach((k, a) -> params.put(k, a.dup()));
        Map<String, INDArray> opt = new LinkedHashMap<>();
        optimizer.stateTensors().forEach((k, a) -> opt.put(k, a.dup()));
        return new State(params, opt, optimizer.stateMetadata(), steps, this);
    }

    @Override
    public void loadState(Object state) {
        if (!(state instanceof State s) || s.owner() != this) {
            throw new IllegalArgumentException("not a state saved by this classifier: "
                    + (state == null ? "null" : state.getClass().getName()));
        }
        try {
            optimizer.restore(s.optimizerTensors(), s.optimizerMetadata(), model.parameters(), "saved state");
        } catch (CheckpointFormatException e) {
            throw new IllegalStateException("saved optimizer state does not fit the model: " + e.getMessage(), e);
        }
        model.setParameters(s.parameters());
        steps = s.steps();
    }

    @Override
    public String toString() {
        return "DebertaClassifier[" + numLabels + " labels, seed " + seed + ", step " + steps + "]";
    }
}
