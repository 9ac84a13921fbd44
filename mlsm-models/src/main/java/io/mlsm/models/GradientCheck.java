package io.mlsm.models;

import io.mlsm.models.graph.VariableNames;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Central-difference check of a training objective's gradients on a float64 model: for sampled entries of every
 * gradient, {@code (L(θ + ε) − L(θ − ε)) / 2ε} of the weighted total loss against the analytic gradient. What the
 * library's own loss terms are tested with, and what a new {@link io.mlsm.models.loss.LossTerm} should pass.
 *
 * <pre>{@code
 * DebertaModel m = DebertaModel.initialize(tinyConfig, 1, DataType.DOUBLE);
 * GradientCheck.Result r = GradientCheck.of(m, TrainingObjective.of(new MyTerm()), batch).run();
 * if (r.maxRelativeError() > 1e-5) throw new AssertionError(r.worst());
 * }</pre>
 */
public final class GradientCheck {

    /**
     * @param parameters       parameters that received a gradient
     * @param checked          number of entries compared
     * @param maxRelativeError largest {@code |numeric − analytic| / max(|numeric|, |analytic|)} (0 where both are
     *                         below 1e-9)
     * @param worst            the entry with the largest error, with both values
     */
    public record Result(Set<String> parameters, int checked, double maxRelativeError, String worst) {
    }

    private final DebertaModel model;
    private final TrainingObjective objective;
    private final TrainingBatch batch;
    private Long dropoutSeed;
    private int perParameter = 1;
    private Predicate<String> sampled = name -> true;
    private double epsilon = 1e-5;
    private long samplingSeed = 17;

    private GradientCheck(DebertaModel model, TrainingObjective objective, TrainingBatch batch) {
        this.model = Objects.requireNonNull(model, "model");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.batch = Objects.requireNonNull(batch, "batch");
        if (model.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("a gradient check needs a DOUBLE model (central differences in float32 "
                    + "are dominated by rounding), got " + model.dataType());
        }
    }

    /** @return a check of {@code objective} on {@code batch} for a float64 {@code model} */
    public static GradientCheck of(DebertaModel model, TrainingObjective objective, TrainingBatch batch) {
        return new GradientCheck(model, objective, batch);
    }

    /** @param seed dropout masks of the step (default: no dropout) @return this */
    public GradientCheck dropoutSeed(Long seed) {
        dropoutSeed = seed;
        return this;
    }

    /** @param n entries sampled per parameter (at least 2 for the word embeddings) @return this */
    public GradientCheck entriesPerParameter(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("entriesPerParameter must be >= 1, got " + n);
        }
        perParameter = n;
        return this;
    }

    /** @param which parameters whose entries are sampled (all gradients are still computed) @return this */
    public GradientCheck sampled(Predicate<String> which) {
        sampled = Objects.requireNonNull(which);
        return this;
    }

    /** @param eps finite-difference step (default 1e-5) @return this */
    public GradientCheck epsilon(double eps) {
        if (!(eps > 0)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + eps);
        }
        epsilon = eps;
        return this;
    }

    /**
     * Runs the check; the model's parameters are restored exactly afterwards.
     *
     * @return the parameters with gradients, the count and the worst relative error
     */
    public Result run() {
        StepResult step = dropoutSeed == null ? model.computeGradients(objective, batch)
                : model.computeGradients(objective, batch, dropoutSeed);
        Random r = new Random(samplingSeed);
        int[] usedIds = batch.inputIds().castTo(DataType.INT32).reshape(-1).toIntVector();
        int checked = 0;
        double maxErr = 0;
        String worst = "none";
        for (Map.Entry<String, INDArray> e : step.gradients().entrySet()) {
            if (!sampled.test(e.getKey())) {
                continue;
            }
            INDArray p = model.parameter(e.getKey());
            INDArray g = e.getValue();
            boolean embeddings = e.getKey().equals(VariableNames.WORD_EMBEDDINGS);
            int entries = embeddings ? Math.max(2, perParameter) : perParameter;
            for (int s = 0; s < entries; s++) {
                long idx;
                if (embeddings && s % 2 == 0) {
                    long row = usedIds[r.nextInt(usedIds.length)];       // a row that the input uses
                    idx = row * p.size(1) + r.nextInt((int) p.size(1));
                } else {
                    idx = (long) (r.nextDouble() * p.length());
                }
                INDArray flat = p.reshape(-1);
                double orig = flat.getDouble(idx);
                flat.putScalar(idx, orig + epsilon);
                double plus = total();
                flat.putScalar(idx, orig - epsilon);
                double minus = total();
                flat.putScalar(idx, orig);
                double numeric = (plus - minus) / (2 * epsilon);
                double analytic = g.reshape(-1).getDouble(idx);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
                double err = scale < 1e-9 ? 0 : Math.abs(numeric - analytic) / scale;
                if (err >= maxErr) {
                    maxErr = err;
                    worst = objective + ": " + e.getKey() + "[" + idx + "] analytic " + analytic + " numeric "
                            + numeric + " rel err " + err;
                }
                checked++;
            }
        }
        return new Result(step.gradients().keySet(), checked, maxErr, worst);
    }

    private double total() {
        return (dropoutSeed == null ? model.computeLosses(objective, batch)
                : model.computeLosses(objective, batch, dropoutSeed)).get(StepResult.TOTAL);
    }
}
