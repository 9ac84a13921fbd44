package io.mlsm.examples;

import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.OnlineDictionaryLearner;
import io.mlsm.sparse.SparseCodes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

/**
 * The sparse-coding engine on planted data: a random dictionary D of {@code k} unit atoms in {@code R^d}, signals
 * {@code h = Dα + noise} with {@code s} positive non-zeros per α; then
 * <ol>
 *   <li>solve — non-negative lasso codes by FISTA with the true D: how much of the planted support is recovered and
 *   the relative reconstruction error;</li>
 *   <li>learn — online dictionary learning (Mairal et al. 2009) from the signals alone: how many planted atoms have a
 *   learned atom within cosine 0.9 (and the mean best cosine).</li>
 * </ol>
 *
 * <pre>{@code
 * var r = SparseDemoExample.run(SparseDemoExample.Options.defaults());
 * System.out.println(r.supportRecall() + " " + r.atomsRecovered());
 * }</pre>
 * Command line: {@code mlsm sparse-demo --dim 32 --atoms 16 --nonzeros 3}.
 */
public final class SparseDemoExample {

    private static final Logger LOG = LoggerFactory.getLogger(SparseDemoExample.class);

    /** A learned atom within this cosine of a planted atom recovers it. */
    public static final double RECOVERY_COSINE = 0.9;

    private SparseDemoExample() {
    }

    /**
     * @param dimension  d, signal dimension
     * @param atoms      k, planted atoms (and atoms learned)
     * @param nonZeros   s, non-zeros per planted code, in {@code [1, k]}
     * @param signals    n, planted signals
     * @param noise      standard deviation of the added Gaussian noise, {@code >= 0}
     * @param lambda     ℓ1 weight λ
     * @param passes     dictionary-learning passes over the signals (mini-batches of 100)
     * @param seed       seed of the planted data and of the learner
     */
    public record Options(int dimension, int atoms, int nonZeros, int signals, double noise, double lambda,
                          int passes, long seed) {
        public Options {
            if (dimension < 2) {
                throw new IllegalArgumentException("dimension must be >= 2, got " + dimension);
            }
            if (atoms < 1) {
                throw new IllegalArgumentException("atoms must be >= 1, got " + atoms);
            }
            if (nonZeros < 1 || nonZeros > atoms) {
                throw new IllegalArgumentException("nonZeros must be in [1, atoms=" + atoms + "], got " + nonZeros);
            }
            if (signals < 1) {
                throw new IllegalArgumentException("signals must be >= 1, got " + signals);
            }
            if (!(noise >= 0) || !Double.isFinite(noise)) {
                throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
            }
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
            }
            if (passes < 1) {
                throw new IllegalArgumentException("passes must be >= 1, got " + passes);
            }
        }

        /** d 32, k 16, s 3, 4000 signals, noise 0.01, λ 0.1, 4 passes. */
        public static Options defaults() {
            return new Options(32, 16, 3, 4000, 0.01, 0.1, 4, 42);
        }
    }

    /**
     * @param supportRecall      fraction of planted non-zeros that are among the {@code s} largest solved coefficients
     * @param relativeError      ‖H − αDᵀ‖ / ‖H‖ of the solved codes
     * @param meanNonZeros       mean non-zeros per solved code
     * @param atomsRecovered     planted atoms with a learned atom of cosine ≥ {@link #RECOVERY_COSINE}
     * @param meanBestCosine     mean over planted atoms of the best cosine with a learned atom
     * @param atoms              k
     * @param solveMillis        wall time of the solve
     * @param learnMillis        wall time of the learning
     */
    public record Result(double supportRecall, double relativeError, double meanNonZeros, int atomsRecovered,
                         double meanBestCosine, int atoms, long solveMillis, long learnMillis) {
    }

    /** Plants, solves and learns; logs the figures. */
    public static Result run(Options o) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        INDArray atoms = Dictionary.randomUnitAtoms(o.dimension(), o.atoms(), o.seed(), DataType.FLOAT);   // [d, k]
        Dictionary planted = Dictionary.of(atoms, DictionaryProvenance.of(o.lambda(), o.atoms(), o.dimension(),
                "planted random unit atoms, seed " + o.seed()));
        float[][] codes = new float[o.signals()][o.atoms()];
        int[][] support = new int[o.signals()][];
        for (int i = 0; i < o.signals(); i++) {
            support[i] = rng.ints(0, o.atoms()).distinct().limit(o.nonZeros()).toArray();
            for (int j : support[i]) {
                codes[i][j] = (float) (0.5 + rng.nextDouble());   // in [0.5, 1.5)
            }
        }
        INDArray alpha = Nd4j.createFromArray(codes);                              // [n, k]
        INDArray h = alpha.mmul(atoms.transpose());                                 // [n, d]
        if (o.noise() > 0) {
            float[][] eps = new float[o.signals()][o.dimension()];
            java.util.Random g = new java.util.Random(rng.nextLong());
            for (float[] row : eps) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = (float) (o.noise() * g.nextGaussian());
                }
            }
            h.addi(Nd4j.createFromArray(eps));
        }

        long t0 = System.nanoTime();
        SparseCodes solved = NonNegativeFista.builder(planted).lambda(o.lambda()).maxIterations(200).build().solve(h);
        long solveMillis = (System.nanoTime() - t0) / 1_000_000;
        INDArray a = solved.codes();                                                // [n, k]
        long hit = 0;
        for (int i = 0; i < o.signals(); i++) {
            float[] row = a.getRow(i).toFloatVector();
            int[] top = java.util.stream.IntStream.range(0, row.length).boxed()
                    .sorted((x, y) -> Float.compare(row[y], row[x])).limit(o.nonZeros())
                    .mapToInt(Integer::intValue).toArray();
            for (int j : support[i]) {
                for (int t : top) {
                    if (t == j && row[t] > 0) {
                        hit++;
                    }
                }
            }
        }
        double recall = hit / (double) ((long) o.signals() * o.nonZeros());
        double relErr = h.sub(a.mmul(atoms.transpose())).norm2Number().doubleValue() / h.norm2Number().doubleValue();

        t0 = System.nanoTime();
        Dictionary learned = OnlineDictionaryLearner.builder().atoms(o.atoms()).lambda(o.lambda())
                // ρ = 4 (the learner's default before it became the reference's 0): with ρ = 0 the default 4 passes
                // recover only 10/16 atoms (mean best cosine 0.926, SparseDemoExampleTest)
                .forgetting(4)
                .batchSize(Math.min(100, o.signals())).maxIterations(0).passes(o.passes()).seed(o.seed() + 1)
                .normaliseInput(false).dataDescription("planted signals").build().fit(h);
        long learnMillis = (System.nanoTime() - t0) / 1_000_000;
        INDArray cos = atoms.transpose().mmul(unitColumns(learned.atoms()));       // [k, k]
        INDArray best = cos.max(1);                                                 // [k]
        int recovered = best.gte(RECOVERY_COSINE).castTo(DataType.INT32).sumNumber().intValue();
        double meanBest = best.meanNumber().doubleValue();

        Result r = new Result(recall, relErr, solved.meanNonZeros(), recovered, meanBest, o.atoms(), solveMillis,
                learnMillis);
        LOG.info("solve: support recall {}, relative error {}, {} non-zeros per code, {} ms", fmt(recall),
                fmt(relErr), fmt(solved.meanNonZeros()), solveMillis);
        LOG.info("learn: {}/{} planted atoms recovered (cosine >= {}), mean best cosine {}, {} ms", recovered,
                o.atoms(), RECOVERY_COSINE, fmt(meanBest), learnMillis);
        return r;
    }

    private static INDArray unitColumns(INDArray d) {
        INDArray norms = d.norm2(0).addi(1e-12);                                    // [k]
        return d.divRowVector(norms);
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
