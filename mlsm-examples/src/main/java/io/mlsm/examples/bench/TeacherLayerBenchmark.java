package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark (not a test) of the teacher pass that concept targets need, per teacher layer l: the full teacher's
 * {@code hiddenStates} against the teacher truncated after layer l ({@link DebertaModel#truncatedTo}), median of
 * {@code reps} timed passes after one warm-up each, on random ids; with the analytic forward FLOPs per token up to
 * layer l. Counted: the Q/K/V/output projections (8H² per token per layer), the feed-forward (4HI), the attention
 * scores and context (4TH) and DeBERTa's c2p + p2c terms (4TH), and the position projections of the relative
 * embeddings (2 · 2 · 2T · H² per sequence per layer, spread over T tokens); embeddings, LayerNorm, softmax and GELU
 * are not counted.
 *
 * <p>With {@code atoms > 0} the other half of target computation is measured too, per layer: the layer's hidden
 * states at 15% of the tokens (the MLSM target rows) coded by {@link NonNegativeFista} at the pipeline's settings
 * ({@link NonNegativeFista.Options#reference}, 100 iterations, λ 0.05) against a dictionary of {@code atoms} random
 * rows of that layer's states (normalised: the learner's {@code DATA} initialisation, a stand-in for a learned
 * dictionary; with a fixed iteration count the time depends on d and k, not on the atoms' values), with its analytic
 * FLOPs ({@code 2dk + 100 · 2k² + 2dk} per row).
 *
 * <pre>
 * scripts/bench io.mlsm.examples.bench.TeacherLayerBenchmark small 32 128 3 1024   # preset batch seqLen reps atoms
 * </pre>
 */
public final class TeacherLayerBenchmark {

    private TeacherLayerBenchmark() {
    }

    /** @param args preset (tiny|small|base), batch, sequence length, timed repetitions, atoms (0 = no coding) */
    public static void main(String[] args) {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String preset = args.length > 0 ? args[0] : "small";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int atoms = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        DebertaConfig base = PretrainExample.Size.named(preset).config();
        DebertaConfig cfg = base.withVocabSize(6000).withPadTokenId(0);
        DebertaModel full = DebertaModel.initialize(cfg, 1);
        SplittableRandom rng = new SplittableRandom(3);
        int[][] ids = new int[batch][len];
        float[][] mask = new float[batch][len];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                ids[b][t] = 5 + rng.nextInt(cfg.vocabSize() - 5);
                mask[b][t] = 1;
            }
        }
        INDArray idArr = Nd4j.createFromArray(ids);
        INDArray maskArr = Nd4j.createFromArray(mask);
        int layers = cfg.numLayers();
        double fullSeconds = time(full, idArr, maskArr, reps);
        double tokens = (double) batch * len;
        System.out.printf(Locale.ROOT, "%s (%d layers x %d), %d x %d tokens; OPENBLAS_NUM_THREADS=%s%n", preset, layers,
                cfg.hiddenSize(), batch, len, System.getenv("OPENBLAS_NUM_THREADS"));
        System.out.printf(Locale.ROOT, "| layer l | truncated pass (s) | full pass (s) | time ratio | GFLOP/token up to l "
                + "| FLOP ratio |%s%n|---|---|---|---|---|---|%s%n", atoms > 0 ? " coding of " + targetRows(batch * len)
                + " target rows, k " + atoms + " (s) | coding GFLOP | target computation (s) |" : "",
                atoms > 0 ? "---|---|---|" : "");
        for (int l = 1; l <= layers; l++) {
            if (layers > 6 && l % 3 != 0 && l != 1) {
                continue;
            }
            DebertaModel upTo = l == layers ? full : full.truncatedTo(l);
            double s = l == layers ? fullSeconds : time(upTo, idArr, maskArr, reps);
            String coding = "";
            if (atoms > 0) {
                List<INDArray> hs = upTo.hiddenStates(idArr, maskArr);
                INDArray states = hs.get(hs.size() - 1).reshape((long) batch * len, cfg.hiddenSize());
                double c = codingSeconds(states, atoms, reps, new SplittableRandom(17 + l));
                int rows = targetRows(batch * len);
                double flop = (double) rows * (4.0 * cfg.hiddenSize() * atoms + 100 * 2.0 * atoms * atoms);
                coding = String.format(Locale.ROOT, " %.3f | %.2f | %.3f |", c, flop / 1e9, s + c);
            }
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.2f | %.4f | %.2f |%s%n", l, s, fullSeconds,
                    s / fullSeconds, Flops.encoder(cfg, l, batch, len) / tokens / 1e9, (double) l / layers, coding);
        }
        System.out.printf(Locale.ROOT, "full pass: %.0f tokens/s, %.1f GFLOP/s (analytic)%n", tokens / fullSeconds,
                Flops.encoder(cfg, layers, batch, len) / fullSeconds / 1e9);
    }

    /** 15% of the tokens, as MLSM's targets. */
    private static int targetRows(int tokens) {
        return (int) Math.ceil(0.15 * tokens);
    }

    /** Median time to code the target rows of {@code states} with the pipeline's FISTA against random-row atoms. */
    private static double codingSeconds(INDArray states, int atoms, int reps, SplittableRandom rng) {
        long n = states.rows();
        int rows = targetRows((int) n);
        int[] pick = new int[atoms];
        for (int j = 0; j < atoms; j++) {
            pick[j] = rng.nextInt((int) n);
        }
        INDArray d = states.getRows(pick).transpose().dup();                               // [H, k]
        d.diviRowVector(d.norm2(0).addi(1e-12));
        Dictionary dict = Dictionary.of(d, DictionaryProvenance.of(0.05, atoms, (int) d.rows(), "random rows"));
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) {
            targets[i] = (int) (i * (n / (double) rows));
        }
        INDArray h = states.getRows(targets);
        NonNegativeFista solver = NonNegativeFista.builder(dict).options(NonNegativeFista.Options.reference(0.05))
                .build();
        return medianSeconds(() -> solver.solve(h), reps);
    }

    private static double time(DebertaModel m, INDArray ids, INDArray mask, int reps) {
        return medianSeconds(() -> m.hiddenStates(ids, mask), reps);
    }

    /** Median of {@code reps} timed runs after one untimed warm-up run. */
    private static double medianSeconds(Runnable work, int reps) {
        work.run();
        double[] t = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            work.run();
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }
}
