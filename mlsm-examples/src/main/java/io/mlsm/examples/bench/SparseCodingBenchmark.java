package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.runtime.OpenBlasCoreType;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeCoordinateDescent;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.OnlineDictionaryLearner;
import io.mlsm.sparse.SparseCodes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sparse-coding benchmark: mlsm-sparse against scikit-learn on the data of {@code ../shared/peers/sparse_ref.py}
 * (unit-norm Gaussian dictionary, 10 atoms per row with coefficients U(0.1, 1), noise 0.01, seed 0).
 *
 * <ul>
 *   <li>solver: non-negative lasso codes of the first {@code --encode-n} rows with the true dictionary
 *       ({@link NonNegativeCoordinateDescent} at {@code --cd-tolerance}, and {@link NonNegativeFista} at
 *       {@code --tolerance} unless {@code --no-fista}, vs {@code sparse_encode(lasso_cd, positive=True)}); ours is
 *       timed {@code --repeat} times (default 3) after a JIT warm-up on other data and the median is reported with
 *       the first run and the range, the peer's script times one call;</li>
 *   <li>dictionary learning: one pass over {@code --n} rows in mini-batches of {@code --batch}
 *       ({@link OnlineDictionaryLearner} with coordinate-descent codes at {@code --fit-tolerance}, by default as the
 *       pretraining pipeline learns: the whole sample in a seeded permutation, atoms from random rows, forgetting
 *       {@code --forgetting 0}; {@code --sampling STREAM} takes the batches in the data's order instead, vs
 *       {@code MiniBatchDictionaryLearning}), then the objective of the learned dictionary on the first
 *       {@code --encode-n} rows, both re-encoded to the optimum (coordinate descent vs {@code lasso_cd}).</li>
 * </ul>
 * Data: when {@code /usr/bin/python3} has numpy, the peer's own {@code make_data} writes it to .npy files (identical
 * draws); otherwise Java generates statistically identical data (different draws) and says so. The peer runs first
 * when {@code /usr/bin/python3} has scikit-learn. Not a test: figures depend on the machine and its load.
 *
 * <pre>
 * mvn -B -q -pl mlsm-examples -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java -Xmx12g \
 *     -cp mlsm-examples/target/classes:$(cat mlsm-examples/target/cp.txt) \
 *     io.mlsm.examples.bench.SparseCodingBenchmark --n 100000 --encode-n 20000
 * </pre>
 */
public final class SparseCodingBenchmark {

    private SparseCodingBenchmark() {
    }

    /** Parsed command line. */
    record Args(int n, int encodeN, int d, int k, double lambda, long seed, int batch, double tolerance,
                double cdTolerance, double fitTolerance, OnlineDictionaryLearner.Initialisation init,
                double forgetting, boolean wholeSample, int repeat, boolean fista, boolean peer, Path shared,
                Path work) {
        Args {
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat must be >= 1, got " + repeat);
            }
        }

        static Args parse(String[] a) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < a.length; i++) {
                if (!a[i].startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument " + a[i]);
                }
                String key = a[i].substring(2);
                if (key.equals("no-peer") || key.equals("no-fista")) {
                    m.put(key, "true");
                } else {
                    if (i + 1 >= a.length) {
                        throw new IllegalArgumentException("missing value for " + a[i]);
                    }
                    m.put(key, a[++i]);
                }
            }
            Path shared = Path.of(m.getOrDefault("shared", System.getProperty("mlsm.shared.dir", "../shared")));
            Path work = Path.of(m.getOrDefault("work", System.getProperty("java.io.tmpdir") + "/mlsm-sparse-bench"));
            return new Args(Integer.parseInt(m.getOrDefault("n", "100000")),
                    Integer.parseInt(m.getOrDefault("encode-n", "20000")),
                    Integer.parseInt(m.getOrDefault("d", "768")), Integer.parseInt(m.getOrDefault("k", "1024")),
                    Double.parseDouble(m.getOrDefault("lambda", "0.05")), Long.parseLong(m.getOrDefault("seed", "0")),
                    Integer.parseInt(m.getOrDefault("batch", "512")),
                    Double.parseDouble(m.getOrDefault("tolerance", "1e-3")),
                    Double.parseDouble(m.getOrDefault("cd-tolerance", "1e-5")),
                    Double.parseDouble(m.getOrDefault("fit-tolerance", "1e-4")),
                    OnlineDictionaryLearner.Initialisation.valueOf(m.getOrDefault("init", "DATA")),
                    // 0 and WHOLE: what the pretraining pipeline does (the reference's settings); the figures of
                    // 2026-11-22 in docs/benchmarks.md were taken with --forgetting 4 --sampling STREAM
                    Double.parseDouble(m.getOrDefault("forgetting", "0")),
                    sampling(m.getOrDefault("sampling", "WHOLE")),
                    Integer.parseInt(m.getOrDefault("repeat", "3")),
                    !m.containsKey("no-fista"), !m.containsKey("no-peer"), shared, work);
        }
    }

    private static boolean sampling(String v) {
        return switch (v) {
            case "WHOLE" -> true;
            case "STREAM" -> false;
            default -> throw new IllegalArgumentException("--sampling must be WHOLE or STREAM, got " + v);
        };
    }

    /**
     * Runs the benchmark and prints the table.
     *
     * @param argv see {@link Args}
     * @throws Exception on I/O or peer failure
     */
    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        Files.createDirectories(a.work());
        System.out.println("load before: " + load());
        System.out.println("OpenBLAS core type: " + OpenBlasCoreType.apply().coreType());
        System.out.println("BLAS threads: " + BlasThreads.apply());
        Path peer = a.shared().resolve("peers/sparse_ref.py");
        boolean numpy = python("import numpy");
        boolean sklearn = a.peer() && python("import sklearn") && Files.isRegularFile(peer);

        // ---- peer first (it also shows the data are the same when numpy generated them)
        Map<String, Double> ref = Map.of();
        if (sklearn) {
            ref = runPeer(a, peer);
        } else {
            System.out.println("peer: skipped (" + (a.peer() ? "/usr/bin/python3 lacks scikit-learn or "
                    + peer + " is missing; apt-get install python3-sklearn" : "--no-peer") + ")");
        }

        // ---- data
        INDArray x;
        INDArray atoms;
        if (numpy && Files.isRegularFile(peer)) {
            exportWithNumpy(a, peer);
            x = Nd4j.createFromNpyFile(a.work().resolve("X.npy").toFile());                   // [n, d]
            atoms = Nd4j.createFromNpyFile(a.work().resolve("D0.npy").toFile()).transpose().dup('c'); // [d, k]
            System.out.println("data: sparse_ref.make_data via /usr/bin/python3 + numpy default_rng (the peer's "
                    + "exact draws), read from .npy");
        } else {
            INDArray[] gen = generateInJava(a);
            x = gen[0];
            atoms = gen[1];
            System.out.println("data: generated in Java (same distribution as sparse_ref.make_data, NOT the same "
                    + "draws: numpy is unavailable)");
        }
        INDArray xe = x.get(NDArrayIndex.interval(0, a.encodeN()), NDArrayIndex.all()).dup();  // [encodeN, d]

        // ---- solvers with the true dictionary (Gram computed inside the timing, as sklearn does)
        warmUp(atoms, a);
        // each repetition starts from a new Dictionary, so the Gram matrix is computed inside the timing
        double[] times = new double[a.repeat()];
        SparseCodes codes = null;
        for (int rep = 0; rep < a.repeat(); rep++) {
            long t0 = System.nanoTime();
            Dictionary truth = Dictionary.of(atoms, DictionaryProvenance.of(a.lambda(), a.k(), a.d(), "planted D0"));
            codes = NonNegativeCoordinateDescent.builder(truth).tolerance(a.cdTolerance()).build().solve(xe);
            times[rep] = (System.nanoTime() - t0) / 1e9;
        }
        double[] sorted = times.clone();
        java.util.Arrays.sort(sorted);
        double solveS = sorted[sorted.length / 2];
        double solveObj = codes.meanObjective();
        System.out.printf(Locale.ROOT, "mlsm coordinate descent: %d rows, median of %d runs %.2f s (%.0f rows/s; "
                        + "first run %.0f, range %.0f–%.0f rows/s), obj/row %.6f, nnz/row %.2f, sweeps mean %.1f max "
                        + "%d%n", a.encodeN(), a.repeat(), solveS, a.encodeN() / solveS, a.encodeN() / times[0],
                a.encodeN() / sorted[sorted.length - 1], a.encodeN() / sorted[0], solveObj, codes.meanNonZeros(),
                codes.meanIterations(), codes.maxIterations());
        double fistaS = Double.NaN;
        double fistaObj = Double.NaN;
        if (a.fista()) {
            long t0 = System.nanoTime();
            Dictionary truth2 = Dictionary.of(atoms, DictionaryProvenance.of(a.lambda(), a.k(), a.d(), "planted D0"));
            SparseCodes fc = NonNegativeFista.builder(truth2).tolerance(a.tolerance()).build().solve(xe);
            fistaS = (System.nanoTime() - t0) / 1e9;
            fistaObj = fc.meanObjective();
            System.out.printf(Locale.ROOT, "mlsm FISTA: %d rows in %.2f s (%.0f rows/s), obj/row %.6f, nnz/row %.2f, "
                            + "iterations mean %.1f max %d%n", a.encodeN(), fistaS, a.encodeN() / fistaS, fistaObj,
                    fc.meanNonZeros(), fc.meanIterations(), fc.maxIterations());
        }

        // ---- dictionary learning: one pass, streamed in batches
        System.out.println("load before fit: " + load());
        List<INDArray> batches = new ArrayList<>();
        for (int r = 0; r < a.n(); r += a.batch()) {
            batches.add(x.get(NDArrayIndex.interval(r, Math.min(a.n(), r + a.batch())), NDArrayIndex.all()));
        }
        OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(a.k()).lambda(a.lambda())
                .batchSize(a.batch()).maxIterations(0).passes(1).seed(a.seed()).normaliseInput(false)
                .codeTolerance(a.fitTolerance()).initialisation(a.init()).forgetting(a.forgetting())
                .dataDescription("sparse_ref make_data n=" + a.n()).logEvery(50).build();
        System.out.println("dictionary learning: " + (a.wholeSample()
                ? "whole sample, a seeded permutation of all rows (the pipeline's path)"
                : "streamed in the data's order") + ", forgetting rho " + a.forgetting() + ", init " + a.init());
        long t0 = System.nanoTime();
        Dictionary learned = a.wholeSample() ? learner.fit(x.get(NDArrayIndex.interval(0, a.n()), NDArrayIndex.all()))
                : learner.fit((Iterator<INDArray>) batches.iterator());
        double fitS = (System.nanoTime() - t0) / 1e9;
        SparseCodes re = NonNegativeCoordinateDescent.builder(learned).tolerance(a.cdTolerance()).build().solve(xe);
        double fitObj = re.meanObjective();
        System.out.printf(Locale.ROOT, "mlsm dictionary learning: %d rows in %.1f s (%.0f rows/s); learned D on the "
                + "first %d rows: obj/row %.6f, nnz/row %.2f%n", a.n(), fitS, a.n() / fitS, a.encodeN(), fitObj,
                re.meanNonZeros());
        System.out.println("load after: " + load());

        // ---- table
        System.out.println();
        System.out.println("| task | mlsm rows/s | mlsm obj/row | sklearn rows/s | sklearn obj/row | speed ratio | "
                + "obj mlsm/sklearn − 1 |");
        System.out.println("|---|---|---|---|---|---|---|");
        row("solver (coordinate descent), " + a.encodeN() + " rows", a.encodeN() / solveS, solveObj,
                ref.containsKey("encode_s") ? a.encodeN() / ref.get("encode_s") : Double.NaN,
                ref.getOrDefault("encode_obj_per_row", Double.NaN));
        if (a.fista()) {
            row("solver (FISTA, any backend), " + a.encodeN() + " rows", a.encodeN() / fistaS, fistaObj,
                    ref.containsKey("encode_s") ? a.encodeN() / ref.get("encode_s") : Double.NaN,
                    ref.getOrDefault("encode_obj_per_row", Double.NaN));
        }
        row("dictionary learning, 1 pass over " + a.n(), a.n() / fitS, fitObj,
                ref.containsKey("fit_s") ? a.n() / ref.get("fit_s") : Double.NaN,
                ref.getOrDefault("learned_obj_per_row", Double.NaN));
    }

    private static void row(String task, double rate, double obj, double peerRate, double peerObj) {
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.6f | %.0f | %.6f | %.2f× | %+.4f%% |%n", task, rate, obj,
                peerRate, peerObj, rate / peerRate, 100 * (obj / peerObj - 1));
    }

    /** Loads native code and JIT-compiles both solvers on a small unrelated problem. */
    private static void warmUp(INDArray atoms, Args a) {
        INDArray small = Dictionary.randomUnitAtoms((int) atoms.rows(), 64, 1, DataType.FLOAT);
        Dictionary d = Dictionary.of(small, DictionaryProvenance.of(a.lambda(), 64, (int) atoms.rows(), "warm-up"));
        NonNegativeFista.builder(d).build().solve(Nd4j.rand(DataType.FLOAT, 256, atoms.rows()));
        // the coordinate-descent loops are Java: let the JIT compile them before the clock starts (scikit-learn's
        // Cython is compiled ahead of time); 4000 rows of another problem, nothing is cached between the two
        INDArray h = Nd4j.rand(DataType.FLOAT, 4000, atoms.rows()).subi(0.5);
        for (int i = 0; i < 3; i++) {
            NonNegativeCoordinateDescent.builder(d).lambda(0.5).build().solve(h);
        }
    }

    private static Map<String, Double> runPeer(Args a, Path peer) throws IOException, InterruptedException {
        Path dir = a.work().resolve("peer");
        Files.createDirectories(dir);
        System.out.println("peer: /usr/bin/python3 " + peer + " (scikit-learn), load " + load());
        List<String> cmd = List.of("/usr/bin/python3", peer.toAbsolutePath().toString(), "--n", Integer.toString(a.n()),
                "--d", Integer.toString(a.d()), "--k", Integer.toString(a.k()), "--lam", Double.toString(a.lambda()),
                "--seed", Long.toString(a.seed()), "--encode_n", Integer.toString(a.encodeN()));
        String out = exec(cmd, dir, 3600);
        System.out.print(out.lines().map(l -> "  peer> " + l + "\n").reduce("", String::concat));
        Path json = dir.resolve("sparse_result_d" + a.d() + "_n" + a.n() + ".json");
        String text = Files.readString(json);
        Map<String, Double> r = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([a-z_]+)\":\\s*(-?[0-9.eE+-]+)").matcher(text);
        while (m.find()) {
            try {
                r.put(m.group(1), Double.parseDouble(m.group(2)));
            } catch (NumberFormatException ignored) {
                // non-numeric field
            }
        }
        return r;
    }

    private static void exportWithNumpy(Args a, Path peer) throws IOException, InterruptedException {
        String script = String.join("\n",
                "import sys, importlib.util, numpy as np",
                "spec = importlib.util.spec_from_file_location('sparse_ref', sys.argv[1])",
                "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
                "X, D0 = m.make_data(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), 10, 0.01, int(sys.argv[5]))",
                "np.save(sys.argv[6] + '/X.npy', np.ascontiguousarray(X))",
                "np.save(sys.argv[6] + '/D0.npy', np.ascontiguousarray(D0))", "");
        Path py = a.work().resolve("export_data.py");
        Files.writeString(py, script);
        exec(List.of("/usr/bin/python3", py.toString(), peer.toAbsolutePath().toString(), Integer.toString(a.n()),
                Integer.toString(a.d()), Integer.toString(a.k()), Long.toString(a.seed()), a.work().toString()),
                a.work(), 600);
    }

    /** Same distribution as make_data (unit-norm Gaussian atoms, 10 distinct atoms per row, U(0.1, 1), noise). */
    private static INDArray[] generateInJava(Args a) {
        INDArray atoms = Dictionary.randomUnitAtoms(a.d(), a.k(), a.seed(), DataType.FLOAT);      // [d, k]
        SplittableRandom rnd = new SplittableRandom(a.seed() + 1);
        float[] codes = new float[a.n() * a.k()];
        int[] pool = new int[a.k()];
        for (int r = 0; r < a.n(); r++) {
            for (int j = 0; j < a.k(); j++) {
                pool[j] = j;
            }
            for (int s = 0; s < 10; s++) {
                int pick = s + rnd.nextInt(a.k() - s);
                int t = pool[s];
                pool[s] = pool[pick];
                pool[pick] = t;
                codes[r * a.k() + pool[s]] = (float) (0.1 + 0.9 * rnd.nextDouble());
            }
        }
        INDArray x = Nd4j.createFromArray(codes).reshape(a.n(), a.k()).mmul(atoms.transpose());      // [n, d]
        float[] noise = new float[a.n() * a.d()];
        for (int i = 0; i < noise.length; i++) {
            double u1 = rnd.nextDouble();
            double u2 = rnd.nextDouble();
            noise[i] = (float) (0.01 * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
        }
        x.addi(Nd4j.createFromArray(noise).reshape(a.n(), a.d()));
        return new INDArray[]{x, atoms};
    }

    private static boolean python(String statement) {
        if (!new File("/usr/bin/python3").canExecute()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", statement).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String exec(List<String> cmd, Path dir, long timeoutS) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("command failed: " + String.join(" ", cmd) + "\n" + out);
        }
        return out;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
