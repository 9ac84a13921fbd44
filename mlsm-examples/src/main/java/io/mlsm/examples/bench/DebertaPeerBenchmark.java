package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.StepResult;
import io.mlsm.models.TrainingBatch;
import io.mlsm.models.TrainingObjective;
import io.mlsm.models.optim.AdamW;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test): our DeBERTa against the Hugging Face peer on this machine, in one run, alternating.
 * Each round runs the peer as a child process ({@code ../shared/peers/deberta_train_ref.py} for a training step,
 * {@code scripts/deberta_infer_ref.py} for a {@code no_grad} forward pass), then the same number of our steps in
 * this JVM (warmed up once, before the first round). The figures printed: the median tokens/s of each side over all
 * rounds, their ratio, the load average before and after, the GEMM rate of ND4J (sgemm 1024³) and of torch, and
 * our achieved GFLOP/s as a share of ND4J's GEMM rate.
 *
 * <p>Same work per training step on both sides: forward with dropout, backward, AdamW, MLM at 15% target positions
 * of random ids. The peer computes its MLM head at every position (as Hugging Face does); ours only at the target
 * positions, which is part of what is measured.
 *
 * <pre>
 * scripts/bench io.mlsm.examples.bench.DebertaPeerBenchmark train small 2 8 2   # mode preset rounds steps warmup
 * ... DebertaPeerBenchmark infer small 2 12 3                                  # hidden states, no dropout
 * </pre>
 *
 * The peer needs {@code /usr/bin/python3} with torch ({@code apt-get install python3-torch}, see
 * {@code ../shared/peers/README.md}); without it the benchmark prints our side only and says so.
 */
public final class DebertaPeerBenchmark {

    private static final Pattern PEER_TOKENS = Pattern.compile("median step ([0-9.]+)s .*?, ([0-9.]+) tokens/s");
    private static final Pattern PEER_GEMM = Pattern.compile("GEMM 1024\\^3 fp32: median ([0-9.]+) GFLOP/s");

    private DebertaPeerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String mode = args.length > 0 ? args[0] : "train";
        String preset = args.length > 1 ? args[1] : "small";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        if (!mode.equals("train") && !mode.equals("infer")) {
            throw new IllegalArgumentException("mode must be train or infer, got " + mode);
        }
        Path shared = Path.of(System.getProperty("mlsm.shared", "../shared"));
        Path peerScript = mode.equals("train") ? shared.resolve("peers/deberta_train_ref.py")
                : Path.of("scripts/deberta_infer_ref.py");
        boolean peer = Files.isRegularFile(peerScript) && python("import torch");
        DebertaConfig cfg = switch (preset) {
            case "small" -> DebertaConfig.small();
            case "base" -> DebertaConfig.base();
            default -> throw new IllegalArgumentException("preset must be small or base, got " + preset);
        };
        int batch = preset.equals("small") ? 32 : 8;
        int seq = 128;
        String load0 = loadAverage();
        double nd4jGemm = nd4jGemmGflops();
        Side ours = mode.equals("train") ? new TrainSide(cfg, batch, seq) : new InferSide(cfg, batch, seq);
        for (int i = 0; i < warmup; i++) {
            ours.step();
        }
        List<Double> oursTps = new ArrayList<>();
        Map<PeerMalloc, List<Double>> peerTps = new EnumMap<>(PeerMalloc.class);
        double torchGemm = Double.NaN;
        for (int round = 0; round < rounds; round++) {
            for (PeerMalloc m : peer ? PeerMalloc.values() : new PeerMalloc[0]) {
                PeerResult p = runPeer(peerScript, preset, steps, warmup, shared, m);
                peerTps.computeIfAbsent(m, k -> new ArrayList<>()).add(p.tokensPerSecond());
                if (!Double.isNaN(p.gemm())) {
                    torchGemm = p.gemm();
                }
                System.out.printf(Locale.ROOT, "round %d peer (%s): %.1f tokens/s (median of %d)%n", round,
                        m.description, p.tokensPerSecond(), steps);
            }
            double[] times = new double[steps];
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                ours.step();
                times[s] = (System.nanoTime() - t0) / 1e9;
            }
            double tps = batch * seq / median(times);
            oursTps.add(tps);
            System.out.printf(Locale.ROOT, "round %d ours: %.1f tokens/s (median of %d; step times %s)%n", round, tps,
                    steps, Arrays.toString(Arrays.stream(times).map(x -> Math.round(x * 1000) / 1000.0).toArray()));
        }
        double o = median(oursTps.stream().mapToDouble(Double::doubleValue).toArray());
        double flops = (mode.equals("train") ? 3 : 1) * DebertaTrainingBenchmark.forwardFlops(cfg, batch, seq,
                mode.equals("train") ? 0.15 : 0.0);
        System.out.printf(Locale.ROOT, "%n%s %s B=%d T=%d, %d rounds x %d steps, load average before %s, after %s%n",
                mode, preset, batch, seq, rounds, steps, load0, loadAverage());
        System.out.printf(Locale.ROOT, "ours: median %.1f tokens/s, %.1f GFLOP/s = %.0f%% of ND4J sgemm "
                + "(%.1f GFLOP/s), peak RSS %d MiB%n", o, flops / (batch * seq / o) / 1e9,
                100 * flops / (batch * seq / o) / 1e9 / nd4jGemm, nd4jGemm, DebertaTrainingBenchmark.peakRssMiB());
        if (peer) {
            double best = 0;
            for (PeerMalloc m : PeerMalloc.values()) {
                double p = median(peerTps.get(m).stream().mapToDouble(Double::doubleValue).toArray());
                System.out.printf(Locale.ROOT, "peer (%s): median %.1f tokens/s, ours/peer %.2fx%n", m.description,
                        p, o / p);
                best = Math.max(best, p);
            }
            System.out.printf(Locale.ROOT, "torch sgemm %.1f GFLOP/s%n", torchGemm);
            System.out.printf(Locale.ROOT, "ratio ours/peer (the peer's faster setting): %.2fx%n", o / best);
        } else {
            System.out.println("peer: skipped (" + peerScript + " missing or /usr/bin/python3 lacks torch; "
                    + "see ../shared/peers/README.md)");
        }
    }

    /** One side's unit of work. */
    private interface Side {
        void step();
    }

    /** Forward with dropout + backward + AdamW, MLM at 15% targets of random ids (a fresh batch per step). */
    private static final class TrainSide implements Side {
        private final DebertaConfig cfg;
        private final int batch;
        private final int seq;
        private final DebertaModel model;
        private final AdamW adam = new AdamW(AdamW.Options.defaults());
        private final java.util.Map<String, INDArray> sums = new java.util.HashMap<>();    // as the Trainer keeps them
        private final Random random = new Random(7);
        private int step;

        TrainSide(DebertaConfig cfg, int batch, int seq) {
            this.cfg = cfg;
            this.batch = batch;
            this.seq = seq;
            this.model = DebertaModel.initialize(cfg, 1L);
        }

        @Override
        public void step() {
            TrainingBatch b = DebertaTrainingBenchmark.randomBatch(random, cfg, batch, seq);
            sums.values().forEach(g -> g.assign(0));
            StepResult r = model.accumulateGradients(TrainingObjective.mlm(), b, step++, sums, 1.0);
            adam.step(model.parameters(), r.gradients(), 1e-4);
        }
    }

    /** All hidden states of one batch, no dropout (what the teacher pass of target computation runs). */
    private static final class InferSide implements Side {
        private final DebertaModel model;
        private final INDArray ids;
        private final INDArray mask;

        InferSide(DebertaConfig cfg, int batch, int seq) {
            this.model = DebertaModel.initialize(cfg, 1L);
            Random r = new Random(1);
            int[][] i = new int[batch][seq];
            int[][] m = new int[batch][seq];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < seq; t++) {
                    i[b][t] = 5 + r.nextInt(cfg.vocabSize() - 5);
                    m[b][t] = 1;
                }
            }
            this.ids = Nd4j.createFromArray(i);
            this.mask = Nd4j.createFromArray(m);
        }

        @Override
        public void step() {
            model.hiddenStates(ids, mask);
        }
    }

    private record PeerResult(double tokensPerSecond, double gemm) {
    }

    /**
     * The peer's allocator setting. torch frees its large per-step tensors (the {@code [B·T, V]} logits and their
     * gradients) to glibc, which returns blocks this large to the kernel at once, so every step pays fresh page
     * faults; on the 2-core VM these benchmarks were taken on that made the HF step up to 2.6× slower. With mmap off
     * and trimming disabled glibc keeps the pages and the next step reuses them. The peer runs both ways and the
     * ratio is taken against its faster run.
     */
    private enum PeerMalloc {
        GLIBC_DEFAULTS("glibc defaults", Map.of()),
        HEAP_REUSE("glibc heap reuse", Map.of("MALLOC_MMAP_MAX_", "0", "MALLOC_TRIM_THRESHOLD_", "68719476736",
                "MALLOC_TOP_PAD_", "1073741824"));

        final String description;
        final Map<String, String> env;

        PeerMalloc(String description, Map<String, String> env) {
            this.description = description;
            this.env = env;
        }
    }

    private static PeerResult runPeer(Path script, String preset, int steps, int warmup, Path shared,
                                      PeerMalloc malloc) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "--preset", preset,
                "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup),
                "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().putAll(malloc.env);
        pb.environment().putIfAbsent("HF_SRC", shared.resolve("peers/hf-src").toAbsolutePath().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        double tps = Double.NaN;
        double gemm = Double.NaN;
        StringBuilder all = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                all.append(line).append('\n');
                Matcher m = PEER_TOKENS.matcher(line);
                if (m.find()) {
                    tps = Double.parseDouble(m.group(2));
                }
                Matcher g = PEER_GEMM.matcher(line);
                if (g.find()) {
                    gemm = Double.parseDouble(g.group(1));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || Double.isNaN(tps)) {
            throw new IOException("peer " + script + " failed (exit " + rc + "):\n" + all);
        }
        return new PeerResult(tps, gemm);
    }

    /** ND4J's sgemm rate on 1024³ (median of 20 after 3 warm-up products), GFLOP/s. */
    static double nd4jGemmGflops() {
        int n = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double[] t = new double[20];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return 2.0 * n * n * n / median(t) / 1e9;
    }

    private static boolean python(String code) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
