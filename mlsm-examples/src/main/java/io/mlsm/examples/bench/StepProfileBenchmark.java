package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.optim.AdamW;
import io.mlsm.models.samediff.OpTimes;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a test): where a training step's time goes. Runs warm-up steps, then times {@code steps} training
 * steps (forward + backward with dropout, MLM at 15% targets, then AdamW) with {@link OpTimes} recording every op of
 * the SameDiff graph, and prints a Markdown table of the op types by time (forward and backward apart), the time
 * outside the ops, and the AdamW update. With {@code infer} it profiles {@link DebertaModel#hiddenStates} instead.
 *
 * <pre>
 * scripts/bench io.mlsm.examples.bench.StepProfileBenchmark train small 32 128 3 2 25  # mode preset B T steps warmup rows
 * </pre>
 */
public final class StepProfileBenchmark {

    private StepProfileBenchmark() {
    }

    public static void main(String[] args) {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String mode = args.length > 0 ? args[0] : "train";
        String preset = args.length > 1 ? args[1] : "small";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int seqLen = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        int rows = args.length > 6 ? Integer.parseInt(args[6]) : 25;
        if (!mode.equals("train") && !mode.equals("infer")) {
            throw new IllegalArgumentException("mode must be train or infer, got " + mode);
        }
        DebertaConfig cfg = PretrainExample.Size.named(preset).config();
        DebertaModel model = DebertaModel.initialize(cfg, 1L);
        AdamW adam = new AdamW(AdamW.Options.defaults());
        Random r = new Random(7);
        OpTimes times = null;
        long graphNanos = 0;
        long adamNanos = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                times = OpTimes.start();
            }
            TrainingBatch b = DebertaTrainingBenchmark.randomBatch(r, cfg, batch, seqLen);
            long t0 = System.nanoTime();
            if (mode.equals("train")) {
                StepResult res = model.computeGradients(TrainingObjective.mlm(), b, s);
                long t1 = System.nanoTime();
                adam.step(model.parameters(), res.gradients(), 1e-4);
                long t2 = System.nanoTime();
                if (s >= warmup) {
                    graphNanos += t1 - t0;
                    adamNanos += t2 - t1;
                }
            } else {
                java.util.List<INDArray> h = model.hiddenStates(b.inputIds(), b.attentionMask());
                if (s >= warmup) {
                    graphNanos += System.nanoTime() - t0;
                }
                h.forEach(INDArray::close);
            }
        }
        OpTimes.stop();
        System.out.printf(Locale.ROOT, "%s %s B=%d T=%d, %d steps after %d warm-up: graph %.3f s/step, AdamW %.3f "
                        + "s/step, ops %.3f s/step%n%n", mode, preset, batch, seqLen, steps, warmup,
                graphNanos / 1e9 / steps, adamNanos / 1e9 / steps, times.totalNanos() / 1e9 / steps);
        System.out.print(times.table(steps, graphNanos, rows));
        System.out.println();
        System.out.print(times.instanceTable(steps, rows));
    }
}
