package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.optim.AdamW;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark (not a test) of one DeBERTa training step: forward + backward ({@link DebertaModel#computeGradients}
 * with dropout) + an AdamW update, on random token ids with 15% target positions, MLM objective.
 * Prints tokens/s, step time, achieved GFLOP/s (analytic count of the matrix products, 3x forward) and the
 * process's peak resident set size.
 *
 * <pre>
 * env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java -cp ... io.mlsm.examples.bench.DebertaTrainingBenchmark \
 *     small 32 128 5 2      # preset batch seqLen measuredSteps warmupSteps
 * </pre>
 */
public final class DebertaTrainingBenchmark {

    private DebertaTrainingBenchmark() {
    }

    /** Result of one benchmark run. */
    public record Result(String preset, int batch, int seqLen, double secondsPerStep, double tokensPerSecond,
                         double gflopPerSecond, long peakRssMiB) {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String preset = args.length > 0 ? args[0] : "small";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int seqLen = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        Result r = run(preset, batch, seqLen, steps, warmup);
        System.out.printf(Locale.ROOT, "%s B=%d T=%d: %.3f s/step, %.1f tokens/s, %.1f GFLOP/s, peak RSS %d MiB%n",
                r.preset(), r.batch(), r.seqLen(), r.secondsPerStep(), r.tokensPerSecond(), r.gflopPerSecond(),
                r.peakRssMiB());
    }

    /**
     * @param preset tiny, small or base
     * @return timings of {@code steps} measured steps after {@code warmup} unmeasured ones
     */
    public static Result run(String preset, int batch, int seqLen, int steps, int warmup) throws IOException {
        DebertaConfig cfg = PretrainExample.Size.named(preset).config();
        DebertaModel model = DebertaModel.initialize(cfg, 1L);
        AdamW adam = new AdamW(AdamW.Options.defaults());
        Random r = new Random(7);
        long total = 0;
        Map<String, INDArray> sums = new HashMap<>();                  // as the Trainer keeps them
        for (int s = 0; s < warmup + steps; s++) {
            TrainingBatch b = randomBatch(r, cfg, batch, seqLen);
            long t0 = System.nanoTime();
            sums.values().forEach(g -> g.assign(0));
            StepResult res = model.accumulateGradients(TrainingObjective.mlm(), b, s, sums, 1.0);
            long t1 = System.nanoTime();
            adam.step(model.parameters(), res.gradients(), 1e-4);
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "step %d: loss %.4f, fwd+bwd %.3f s, AdamW %.3f s%n", s, res.total(),
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            if (s >= warmup) {
                total += t2 - t0;
            }
        }
        double sec = total / 1e9 / steps;
        double tokens = (double) batch * seqLen;
        double flops = 3 * forwardFlops(cfg, batch, seqLen, 0.15);
        return new Result(preset, batch, seqLen, sec, tokens / sec, flops / sec / 1e9, peakRssMiB());
    }

    /**
     * Matrix-product FLOPs of one forward pass ({@link Flops}), MLM head at a fraction of positions, plus the
     * selection product our graph gathers the target rows with ({@code [m, n] x [n, h]}).
     */
    static double forwardFlops(DebertaConfig c, int b, int t, double targetFraction) {
        double n = (double) b * t;
        double m = n * targetFraction;
        return Flops.encoder(c, c.numLayers(), b, t) + Flops.mlmHead(c, (long) m) + 2 * m * n * c.hiddenSize();
    }

    static TrainingBatch randomBatch(Random r, DebertaConfig cfg, int b, int t) {
        int[][] ids = new int[b][t];
        int[][] mask = new int[b][t];
        int[][] labels = new int[b][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                ids[i][j] = 5 + r.nextInt(cfg.vocabSize() - 5);
                mask[i][j] = 1;
                labels[i][j] = TrainingBatch.IGNORE;
                if (r.nextDouble() < 0.15) {
                    labels[i][j] = ids[i][j];
                    ids[i][j] = 4;
                }
            }
        }
        return TrainingBatch.of(ids, mask, labels);
    }

    static long peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
