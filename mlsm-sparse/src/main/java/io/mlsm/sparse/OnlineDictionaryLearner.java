package io.mlsm.sparse;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Online dictionary learning for non-negative sparse coding (Mairal, Bach, Ponce &amp; Sapiro 2009, "Online
 * dictionary learning for sparse coding", ICML, Algorithms 1 and 2, with the mini-batch extension of §3.4.3):
 * <pre>  min_{D ∈ C, α ≥ 0}  Σ_j ½‖h_j − Dα_j‖² + λ‖α_j‖₁,   C = {D : ‖d_j‖₂ ≤ 1 (and d_j ≥ 0 if asked)}</pre>
 *
 * <p>Each mini-batch X_t is coded on the current dictionary, by default with working-set coordinate descent to the
 * optimum ({@link NonNegativeCoordinateDescent}; {@link CodeSolver#FISTA} keeps the batched ND4J iteration for other
 * backends); the sufficient statistics
 * are updated as A ← βA + αᵀα/η and B ← βB + αᵀX/η from the non-zeros of the codes (η the batch size,
 * β = (θ + 1 − η)/(θ + 1) · (t/(t + 1))^ρ with θ = tη for t &lt; η and η² + t − η after; the forgetting exponent ρ
 * defaults to 0, the weights of the paper and of the reference implementation, SPAMS {@code trainDL}; ρ &gt; 0 lets the
 * statistics of the first, poorly coded batches fade, see {@link Options#forgetting()}); then one pass of
 * block-coordinate descent updates every atom,
 * u_j = d_j + (b_j − D a_j)/A_jj, projected onto the unit ball (after clipping to ≥ 0 for non-negative atoms). An atom
 * whose A_jj falls below a threshold (never or almost never used) is re-initialised from a random row of the batch.
 *
 * <p>{@link #fit(INDArray)} learns as the reference does: from the whole sample in memory (any floating type, e.g.
 * float16 for a large one), its rows permuted (seeded) before every pass and the atoms started from random rows of the
 * whole sample. For data that cannot sit in memory, {@link #fit(Iterator)} streams batches one at a time, in the order
 * given (so the stream should already be shuffled), with the atoms started from rows of the first batches;
 * {@link #fit(Iterable)} makes several passes. Every random choice comes from the seed. Progress goes to the listener
 * and to SLF4J.
 *
 * <pre>{@code
 * Dictionary dict = OnlineDictionaryLearner.builder()
 *     .atoms(1500).lambda(0.05).batchSize(400).maxIterations(1000)
 *     .normaliseInput(true).seed(42).dataDescription("teacher layer 12, 1M tokens")
 *     .listener(p -> log.info("{} {}", p.iteration(), p.batchObjective()))
 *     .build()
 *     .fit(hiddenStateBatches);      // Iterator<INDArray>, each [rows, d]
 * }</pre>
 */
public final class OnlineDictionaryLearner {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineDictionaryLearner.class);
    /** Atoms per GEMM block in the dictionary update. */
    static final int BLOCK = 64;
    /** Working-set rounds per row of the coordinate-descent code solver. */
    static final int CD_MAX_ROUNDS = 200;
    /** Coordinate sweeps per round of the coordinate-descent code solver. */
    static final int CD_MAX_SWEEPS = 1000;

    /** How the codes of each mini-batch are computed. */
    public enum CodeSolver {
        /** {@link NonNegativeCoordinateDescent}: working-set coordinate descent to the optimum (fast on a CPU). */
        COORDINATE_DESCENT,
        /** {@link NonNegativeFista}: batched projected FISTA on ND4J arrays (any backend). */
        FISTA
    }

    /** How the atoms start. */
    public enum Initialisation {
        /** k distinct random data rows (normalised); random Gaussian atoms when the data has fewer than k rows. */
        DATA,
        /** Random unit-norm Gaussian atoms (absolute values for non-negative atoms). */
        RANDOM
    }

    /**
     * Learning settings.
     *
     * @param atoms            k ≥ 1
     * @param lambda           λ ≥ 0
     * @param batchSize        rows per mini-batch η ≥ 1 (larger incoming batches are split; smaller ones are used
     *                         as they come)
     * @param maxIterations    cap on mini-batch updates (0 = no cap; then passes decide)
     * @param passes           passes over the data ≥ 1 ({@link #fit(Iterator)} always makes one)
     * @param seed             seed for initialisation, shuffling and re-initialisation
     * @param nonNegativeAtoms also constrain atoms to be ≥ 0
     * @param normaliseInput   L2-normalise every input row (the MLSM method normalises teacher states)
     * @param codeSolver       how the codes of each batch are computed
     * @param codeIterations   FISTA iteration cap for the codes of each batch (FISTA only)
     * @param codeTolerance    FISTA per-row relative-change tolerance, or the coordinate-descent KKT tolerance
     *                         relative to ‖h‖
     * @param threads          threads of the coordinate-descent code solver
     * @param forgetting       ρ ≥ 0: the statistics decay by an extra (t/(t+1))^ρ at iteration t, so the early,
     *                         poorly coded batches fade (in the spirit of Mairal et al. 2010, JMLR, §3.4.3); 0 (the
     *                         default) = the 2009 weights, as the reference SPAMS {@code trainDL} uses. Measured effect
     *                         ({@code OnlineDictionaryLearnerTest#forgettingTheFirstBatchesLowersTheObjectiveOfOnePass}:
     *                         48 planted atoms in d = 40, one pass of 60 batches of 50 rows, objective re-encoded to the
     *                         optimum; planted dictionary 0.1336): ρ = 0 gives 0.1888 streamed / 0.1893 as a shuffled
     *                         whole sample, ρ = 4 gives 0.1552 / 0.1578. On planted data ρ = 4 converges faster; the
     *                         default stays at the reference's 0 so that dictionaries match the papers' procedure
     * @param initialisation   DATA or RANDOM
     * @param unusedThreshold  A_jj below this re-initialises atom j (A is normalised per row)
     * @param dataDescription  free text recorded in the provenance
     * @param logEvery         log a progress line every this many iterations (0 = never)
     */
    public record Options(int atoms, double lambda, int batchSize, long maxIterations, int passes, long seed,
                          boolean nonNegativeAtoms, boolean normaliseInput, CodeSolver codeSolver,
                          int codeIterations, double codeTolerance, int threads, double forgetting,
                          Initialisation initialisation,
                          double unusedThreshold, String dataDescription, int logEvery) {

        /** Validates every field. */
        public Options {
            if (atoms < 1) {
                throw new IllegalArgumentException("atoms (k) must be >= 1, got " + atoms);
            }
            InputChecks.lambda(lambda);
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            if (maxIterations < 0) {
                throw new IllegalArgumentException("maxIterations must be >= 0 (0 = no cap), got " + maxIterations);
            }
            if (passes < 1) {
                throw new IllegalArgumentException("passes must be >= 1, got " + passes);
            }
            if (codeIterations < 1) {
                throw new IllegalArgumentException("codeIterations must be >= 1, got " + codeIterations);
            }
            if (codeSolver == null) {
                throw new IllegalArgumentException("codeSolver must not be null");
            }
            if (!(codeTolerance >= 0) || codeSolver == CodeSolver.COORDINATE_DESCENT
                    && !(codeTolerance > 0 && codeTolerance < 1)) {
                throw new IllegalArgumentException("codeTolerance must be " + (codeSolver == CodeSolver.FISTA
                        ? ">= 0" : "in (0, 1) for coordinate descent") + ", got " + codeTolerance);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            if (!(forgetting >= 0) || Double.isInfinite(forgetting)) {
                throw new IllegalArgumentException("forgetting (rho) must be finite and >= 0, got " + forgetting);
            }
            if (initialisation == null) {
                throw new IllegalArgumentException("initialisation must not be null");
            }
            if (!(unusedThreshold >= 0)) {
                throw new IllegalArgumentException("unusedThreshold must be >= 0, got " + unusedThreshold);
            }
            if (logEvery < 0) {
                throw new IllegalArgumentException("logEvery must be >= 0, got " + logEvery);
            }
            dataDescription = dataDescription == null ? "" : dataDescription;
        }
    }

    private final Options options;
    private final DictionaryLearningListener listener;
    /** Test hook: sees a copy of the atoms [k·d, atom-major] after every update. */
    private java.util.function.Consumer<float[]> atomObserver;
    /** Test hook: sees the initial rows and atoms of a whole-sample fit. */
    private java.util.function.BiConsumer<int[], float[]> initialisationObserver;

    /**
     * @param options  settings
     * @param listener progress listener, or null
     */
    public OnlineDictionaryLearner(Options options, DictionaryLearningListener listener) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options;
        this.listener = listener;
    }

    /** @return a builder with the papers' defaults (λ 0.05, batch 400, 1000 iterations, normalised input) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the settings */
    public Options options() {
        return options;
    }

    void observeAtoms(java.util.function.Consumer<float[]> observer) {
        this.atomObserver = observer;
    }

    /** Test hook: sees the sample rows the atoms start from (−1 = random atom) and the atoms [k·d, atom-major]. */
    void observeInitialisation(java.util.function.BiConsumer<int[], float[]> observer) {
        this.initialisationObserver = observer;
    }

    /**
     * One pass over a stream of batches (stops early at {@code maxIterations}).
     *
     * @param batches batches [rows, d] (any floating type), read one at a time
     * @return the learned dictionary
     * @throws IllegalArgumentException on an empty stream or batch, a dimension mismatch or NaN/Inf
     */
    public Dictionary fit(Iterator<INDArray> batches) {
        if (batches == null) {
            throw new IllegalArgumentException("batches must not be null");
        }
        Run run = new Run();
        run.pass(batches, 1);
        return run.finish();
    }

    /**
     * Up to {@code passes} passes over the batches (each pass calls {@code iterator()} again).
     *
     * @param batches re-iterable batches [rows, d]
     * @return the learned dictionary
     */
    public Dictionary fit(Iterable<INDArray> batches) {
        if (batches == null) {
            throw new IllegalArgumentException("batches must not be null");
        }
        Run run = new Run();
        for (int p = 1; p <= options.passes() && !run.capReached(); p++) {
            run.pass(batches.iterator(), p);
        }
        return run.finish();
    }

    /**
     * Learns from a whole sample held in memory, as the reference (SPAMS {@code trainDL}) does: the atoms start from k
     * distinct rows drawn at random from the <em>whole</em> sample (seeded; normalised), and every pass visits all
     * rows in a new seeded random permutation, cut into mini-batches of {@code batchSize} rows (stopping early at
     * {@code maxIterations}). Consecutive rows of the sample may therefore be as correlated as they like (the tokens of
     * one sentence, one document); the mini-batches are not. Each mini-batch is pulled out of the sample and converted
     * to float32 on its own, so the sample may be stored in any floating type, e.g. float16 ({@code HALF}) for a
     * large sample; it is never copied as a whole.
     *
     * <pre>{@code
     * INDArray sample = ...;                       // [n, d], e.g. 1M teacher hidden states
     * Dictionary dict = OnlineDictionaryLearner.builder().atoms(1500).passes(1).seed(42).build().fit(sample);
     * }</pre>
     *
     * @param sample [n, d] (any floating type; not modified)
     * @return the learned dictionary; its provenance records the sampling ({@code sampling}, {@code sampleRows},
     *         {@code sampleType})
     * @throws IllegalArgumentException on an empty sample, NaN/Inf, or more than {@code Integer.MAX_VALUE} rows
     */
    public Dictionary fit(INDArray sample) {
        InputChecks.finiteMatrix(sample, "sample", -1);
        if (sample.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sample has " + sample.rows() + " rows; at most "
                    + Integer.MAX_VALUE + " are supported");
        }
        int n = (int) sample.rows();
        int eta = options.batchSize();
        SplittableRandom order = new SplittableRandom(options.seed() ^ 0x9E3779B97F4A7C15L);
        Run run = new Run();
        run.sampling = "whole sample, seeded permutation of all rows every pass";
        run.sampleRows = n;
        run.sampleType = sample.dataType();
        if (options.initialisation() == Initialisation.DATA) {
            run.initialiseFromSample(sample);
        }
        for (int p = 1; p <= options.passes() && !run.capReached(); p++) {
            int[] perm = permutation(n, order);
            Iterator<INDArray> batches = new Iterator<>() {
                int next;

                @Override
                public boolean hasNext() {
                    return next < n;
                }

                @Override
                public INDArray next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int[] idx = Arrays.copyOfRange(perm, next, Math.min(n, next + eta));
                    next += idx.length;
                    return Nd4j.pullRows(sample, 1, idx);                                // [η, d]
                }
            };
            run.pass(batches, p);
        }
        return run.finish();
    }

    static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** State of one {@code fit} call. */
    private final class Run {
        private final SplittableRandom rnd = new SplittableRandom(options.seed());
        private final long start = System.nanoTime();
        private final int k = options.atoms();
        private int d = -1;
        private float[] atoms;          // k·d, atom j at [j·d, (j+1)·d)
        private float[] statA;          // k·k  A = Σ ααᵀ (decayed, per row), row-major
        private float[] statB;          // k·d  B = Σ α xᵀ (decayed, per row), atom-major
        private double[] eigenvector;   // power-iteration warm start
        private int[] initialRows;      // sample rows the atoms started from (−1 = random atom), whole-sample fits
        private long iteration;
        private long rowsSeen;
        private int pass;
        private double passObjectiveSum;
        private long passBatches;
        private long codingNanos;
        private long statisticsNanos;
        private long updateNanos;
        private String sampling = "streamed batches, in the order given";
        private long sampleRows = -1;
        private DataType sampleType;

        boolean capReached() {
            return options.maxIterations() > 0 && iteration >= options.maxIterations();
        }

        void pass(Iterator<INDArray> source, int passNumber) {
            pass = passNumber;
            passObjectiveSum = 0;
            passBatches = 0;
            Iterator<INDArray> batches = new Rechunker(source, options.batchSize());
            if (atoms == null) {
                batches = initialise(batches);
            }
            while (batches.hasNext() && !capReached()) {
                step(batches.next());
            }
        }

        /** Reads batches until k rows are buffered, initialises the atoms, and returns the replaying iterator. */
        private Iterator<INDArray> initialise(Iterator<INDArray> batches) {
            List<INDArray> buffered = new ArrayList<>();
            long rows = 0;
            if (!batches.hasNext()) {
                throw new IllegalArgumentException("no data: the batch stream is empty");
            }
            while (batches.hasNext() && (options.initialisation() == Initialisation.DATA ? rows < k : rows == 0)) {
                INDArray b = prepare(batches.next());
                buffered.add(b);
                rows += b.rows();
            }
            atoms = new float[k * d];
            int fromData = 0;
            if (options.initialisation() == Initialisation.DATA) {
                INDArray pool = buffered.size() == 1 ? buffered.get(0) : Nd4j.vstack(buffered); // [rows, d]
                int[] perm = permutation((int) pool.rows(), rnd);
                float[] v = pool.castTo(DataType.FLOAT).dup('c').data().asFloat();
                for (int p = 0; p < perm.length && fromData < k; p++) {
                    if (setAtomFromRow(fromData, v, perm[p])) {
                        fromData++;
                    }
                }
                if (fromData < k) {
                    LOG.warn("only {} usable data rows to initialise {} atoms; the rest start random", fromData, k);
                }
            }
            for (int j = fromData; j < k; j++) {
                randomAtom(j);
            }
            allocateStatistics();
            Deque<INDArray> replay = new ArrayDeque<>(buffered);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return !replay.isEmpty() || batches.hasNext();
                }

                @Override
                public INDArray next() {
                    return replay.isEmpty() ? batches.next() : replay.poll();
                }
            };
        }

        /**
         * k distinct rows drawn at random from the whole sample (a seeded permutation of all n rows, read in
         * order until k usable — non-zero — rows are found), normalised; random atoms fill up when there are fewer.
         */
        void initialiseFromSample(INDArray sample) {
            d = (int) sample.columns();
            int n = (int) sample.rows();
            int[] perm = permutation(n, rnd);
            atoms = new float[k * d];
            int fromData = 0;
            initialRows = new int[k];
            Arrays.fill(initialRows, -1);
            for (int p0 = 0; p0 < n && fromData < k; ) {
                int p1 = Math.min(n, p0 + Math.max(64, 2 * (k - fromData)));
                int[] idx = Arrays.copyOfRange(perm, p0, p1);
                float[] v = prepare(Nd4j.pullRows(sample, 1, idx)).dup('c').data().asFloat();  // [p1 − p0, d]
                for (int q = 0; q < idx.length && fromData < k; q++) {
                    if (setAtomFromRow(fromData, v, q)) {
                        initialRows[fromData++] = idx[q];
                    }
                }
                p0 = p1;
            }
            if (fromData < k) {
                LOG.warn("only {} usable sample rows to initialise {} atoms; the rest start random", fromData, k);
            }
            for (int j = fromData; j < k; j++) {
                randomAtom(j);
            }
            allocateStatistics();
            if (initialisationObserver != null) {
                initialisationObserver.accept(initialRows.clone(), atoms.clone());
            }
        }

        private void allocateStatistics() {
            statA = new float[k * k];
            statB = new float[k * d];
        }

        /** Validates, converts to float32 and optionally normalises a batch; fixes d on the first batch. */
        private INDArray prepare(INDArray batch) {
            if (batch != null && batch.rank() == 2 && d < 0) {
                d = (int) batch.columns();
            }
            InputChecks.finiteMatrix(batch, "batch " + (iteration + 1), d);
            return NonNegativeFista.prepare(batch, DataType.FLOAT, options.normaliseInput());
        }

        private boolean setAtomFromRow(int j, float[] rows, int row) {
            double n2 = 0;
            int off = row * d;
            for (int i = 0; i < d; i++) {
                float x = rows[off + i];
                if (options.nonNegativeAtoms() && x < 0) {
                    x = 0;
                }
                n2 += (double) x * x;
            }
            if (n2 < 1e-20) {
                return false;
            }
            float inv = (float) (1 / Math.sqrt(n2));
            for (int i = 0; i < d; i++) {
                float x = rows[off + i];
                atoms[j * d + i] = options.nonNegativeAtoms() && x < 0 ? 0 : x * inv;
            }
            return true;
        }

        private void randomAtom(int j) {
            double n2 = 0;
            for (int i = 0; i < d; i++) {
                double g = Dictionary.gaussian(rnd);
                if (options.nonNegativeAtoms()) {
                    g = Math.abs(g);
                }
                atoms[j * d + i] = (float) g;
                n2 += g * g;
            }
            float inv = (float) (1 / Math.sqrt(n2));
            for (int i = 0; i < d; i++) {
                atoms[j * d + i] *= inv;
            }
        }

        private void step(INDArray raw) {
            long t0 = System.nanoTime();
            INDArray x = prepare(raw);                                                  // [η, d]
            int eta = (int) x.rows();
            INDArray byAtom = Nd4j.createFromArray(atoms).reshape(k, d);                // [k, d]
            INDArray gram = Nd4j.create(DataType.FLOAT, k, k);
            Nd4j.gemm(byAtom, byAtom, gram, false, true, 1.0, 0.0);                     // [k, k] DᵀD
            int[][] ids = new int[eta][];                                               // non-zeros of each code
            float[][] vals = new float[eta][];
            double obj;
            if (options.codeSolver() == CodeSolver.FISTA) {
                PowerIteration.Estimate e = PowerIteration.largestEigenvalue(gram, eigenvector);
                eigenvector = e.vector();
                double lipschitz = Math.max(e.value() * PowerIteration.SAFETY, 1e-12);
                FistaKernel kernel = new FistaKernel(byAtom.transpose().dup('c'), gram, lipschitz, options.lambda(),
                        options.codeIterations(), options.codeTolerance(), true, eta);
                SparseCodes codes = kernel.solve(x, null);
                float[] alpha = codes.codes().data().asFloat();                         // η·k
                for (int r = 0; r < eta; r++) {
                    int s = 0;
                    for (int j = 0; j < k; j++) {
                        s += alpha[r * k + j] != 0f ? 1 : 0;
                    }
                    ids[r] = new int[s];
                    vals[r] = new float[s];
                    for (int j = 0, q = 0; j < k; j++) {
                        if (alpha[r * k + j] != 0f) {
                            ids[r][q] = j;
                            vals[r][q++] = alpha[r * k + j];
                        }
                    }
                }
                obj = codes.meanObjective();
            } else {
                CoordinateDescentKernel kernel = new CoordinateDescentKernel(gram.data().asFloat(), k,
                        options.lambda(), options.codeTolerance(), CD_MAX_ROUNDS, CD_MAX_SWEEPS);
                double[] objective = new double[eta];
                NonNegativeCoordinateDescent.solveInto(kernel, byAtom, true, x, null, eta, options.threads(),
                        (row, atomIds, values, count) -> {
                            ids[row] = Arrays.copyOf(atomIds, count);
                            float[] v = new float[count];
                            for (int i = 0; i < count; i++) {
                                v[i] = (float) values[i];
                            }
                            vals[row] = v;
                        }, objective, new int[eta]);
                obj = Arrays.stream(objective).average().orElse(Double.NaN);
            }
            long t1 = System.nanoTime();
            codingNanos += t1 - t0;
            iteration++;
            rowsSeen += eta;
            // Mairal et al. 2009 §3.4.3: β = (θ + 1 − η)/(θ + 1), θ = tη if t < η else η² + t − η,
            // times (t/(t+1))^ρ to forget the statistics of the first iterations (codes of a poor dictionary)
            double t = iteration;
            double theta = t < eta ? t * eta : (double) eta * eta + t - eta;
            double beta = (theta + 1 - eta) / (theta + 1) * Math.pow(t / (t + 1), options.forgetting());
            int used = accumulate(ids, vals, x.dup('c').data().asFloat(), eta, (float) beta);
            long t2 = System.nanoTime();
            statisticsNanos += t2 - t1;
            int reinit = updateAtoms(x);
            updateNanos += System.nanoTime() - t2;
            if (atomObserver != null) {
                atomObserver.accept(atoms.clone());
            }
            passObjectiveSum += obj;
            passBatches++;
            LearningProgress p = new LearningProgress(iteration, pass, rowsSeen, obj, passObjectiveSum / passBatches,
                    used, reinit, (System.nanoTime() - start) / 1e9);
            if (listener != null) {
                listener.onIteration(p);
            }
            if (options.logEvery() > 0 && iteration % options.logEvery() == 0) {
                LOG.info("dictionary learning: iteration {} pass {} rows {} objective {} (pass mean {}), atoms used "
                                + "{}/{}, re-initialised {}, {} s (codes {} s, statistics {} s, atom update {} s)",
                        iteration, pass, rowsSeen, String.format("%.6f", obj),
                        String.format("%.6f", p.averageObjective()), used, k, reinit,
                        String.format("%.1f", p.elapsedSeconds()), String.format("%.1f", codingNanos / 1e9),
                        String.format("%.1f", statisticsNanos / 1e9), String.format("%.1f", updateNanos / 1e9));
            }
        }

        /**
         * A ← βA + αᵀα/η and B ← βB + αᵀX/η from the non-zeros of each code row (codes are sparse, so this costs
         * O(η·(s² + s·d)) for s non-zeros per row instead of two dense GEMMs).
         *
         * @return atoms used by at least one row of the batch
         */
        private int accumulate(int[][] ids, float[][] vals, float[] rows, int eta, float beta) {
            for (int i = 0; i < statA.length; i++) {
                statA[i] *= beta;
            }
            for (int i = 0; i < statB.length; i++) {
                statB[i] *= beta;
            }
            float inv = 1f / eta;
            boolean[] usedAtom = new boolean[k];
            for (int r = 0; r < eta; r++) {
                int[] nz = ids[r];
                float[] val = vals[r];
                int s = nz.length;
                int xo = r * d;
                for (int p = 0; p < s; p++) {
                    int jp = nz[p];
                    usedAtom[jp] = true;
                    float vp = val[p] * inv;
                    int ao = jp * k;
                    for (int q = 0; q < s; q++) {
                        statA[ao + nz[q]] += vp * val[q];
                    }
                    int bo = jp * d;
                    for (int i = 0; i < d; i++) {
                        statB[bo + i] += vp * rows[xo + i];
                    }
                }
            }
            int used = 0;
            for (boolean u : usedAtom) {
                used += u ? 1 : 0;
            }
            return used;
        }

        /**
         * Algorithm 2: one block-coordinate pass over the atoms, j = 0..k−1 in order; returns the number
         * re-initialised. Exact Gauss–Seidel computed in blocks of {@link #BLOCK} atoms: D·a_j for a whole block is
         * one GEMM on the atoms as they stand when the block starts, and the in-block updates made before atom j are
         * added back as a small correction, so the result equals the atom-by-atom sweep.
         */
        private int updateAtoms(INDArray x) {
            float[] a = statA;                                                          // k·k (symmetric)
            float[] b = statB;                                                          // k·d
            INDArray current = Nd4j.createFromArray(atoms).reshape(k, d);               // [k, d]
            float[] delta = new float[BLOCK * d];
            float[] u = new float[d];
            float[] rows = null;
            int reinit = 0;
            boolean nonNeg = options.nonNegativeAtoms();
            for (int j0 = 0; j0 < k; j0 += BLOCK) {
                int j1 = Math.min(k, j0 + BLOCK);
                int s = j1 - j0;
                INDArray aBlock = Nd4j.createFromArray(Arrays.copyOfRange(a, j0 * k, j1 * k)).reshape(s, k);
                float[] p = Nd4j.gemm(aBlock, current, false, false).data().asFloat();          // [s, d] = A_J·D
                for (int q = 0; q < s; q++) {
                    int j = j0 + q;
                    int offJ = j * d;
                    float ajj = a[j * k + j];
                    if (ajj < options.unusedThreshold()) {
                        if (rows == null) {
                            rows = x.dup('c').data().asFloat();
                        }
                        System.arraycopy(atoms, offJ, u, 0, d);
                        int eta = (int) x.rows();
                        boolean ok = false;
                        for (int tries = 0; tries < 8 && !ok; tries++) {
                            ok = setAtomFromRow(j, rows, rnd.nextInt(eta));
                        }
                        if (!ok) {
                            randomAtom(j);
                        }
                        for (int i = 0; i < d; i++) {
                            delta[q * d + i] = atoms[offJ + i] - u[i];
                        }
                        reinit++;
                        continue;
                    }
                    // acc = D a_j with the atoms updated so far = A_J·D_old + Σ_{r<q} A_{j, j0+r} Δ_r
                    int pq = q * d;
                    for (int r = 0; r < q; r++) {
                        float c = a[j * k + j0 + r];
                        if (c != 0f) {
                            int dr = r * d;
                            for (int i = 0; i < d; i++) {
                                p[pq + i] += c * delta[dr + i];
                            }
                        }
                    }
                    float inv = 1f / ajj;
                    double n2 = 0;
                    for (int i = 0; i < d; i++) {
                        float v = atoms[offJ + i] + (b[offJ + i] - p[pq + i]) * inv;
                        if (nonNeg && v < 0) {
                            v = 0;
                        }
                        u[i] = v;
                        n2 += (double) v * v;
                    }
                    float scale = n2 > 1 ? (float) (1 / Math.sqrt(n2)) : 1f;
                    for (int i = 0; i < d; i++) {
                        float v = u[i] * scale;
                        delta[q * d + i] = v - atoms[offJ + i];
                        atoms[offJ + i] = v;
                    }
                }
                float[] block = java.util.Arrays.copyOfRange(atoms, j0 * d, j1 * d);
                current.get(NDArrayIndex.interval(j0, j1), NDArrayIndex.all())
                        .assign(Nd4j.createFromArray(block).reshape(s, d));
            }
            return reinit;
        }

        Dictionary finish() {
            if (atoms == null) {
                throw new IllegalArgumentException("no data: the batch stream is empty");
            }
            INDArray m = Nd4j.createFromArray(atoms).reshape(k, d).transpose().dup('c');   // [d, k]
            // rounding can leave a norm a few ulps above 1
            INDArray norms = m.norm2(0).reshape(1, k);
            INDArray over = norms.gt(1.0).castTo(DataType.FLOAT);
            m.diviRowVector(norms.mul(over).addi(over.rsub(1)));
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("batchSize", Integer.toString(options.batchSize()));
            attrs.put("passes", Integer.toString(pass));
            attrs.put("nonNegativeAtoms", Boolean.toString(options.nonNegativeAtoms()));
            attrs.put("normaliseInput", Boolean.toString(options.normaliseInput()));
            attrs.put("codeSolver", options.codeSolver().name());
            attrs.put("forgetting", Double.toString(options.forgetting()));
            attrs.put("codeIterations", Integer.toString(options.codeIterations()));
            attrs.put("codeTolerance", Double.toString(options.codeTolerance()));
            attrs.put("initialisation", options.initialisation().name());
            attrs.put("sampling", sampling);
            if (sampleRows >= 0) {
                attrs.put("sampleRows", Long.toString(sampleRows));
                attrs.put("sampleType", sampleType.name());
            }
            attrs.put("algorithm", "Mairal et al. 2009 online dictionary learning, non-negative "
                    + (options.codeSolver() == CodeSolver.FISTA ? "FISTA" : "working-set coordinate-descent")
                    + " codes");
            DictionaryProvenance prov = new DictionaryProvenance(options.lambda(), k, d, iteration, rowsSeen,
                    options.seed(), options.dataDescription(), SparseLibrary.VERSION, Instant.now().toString(), attrs);
            LOG.info("dictionary learning done: {} iterations, {} rows, {} passes, {} s (codes {} s, statistics {} s, "
                            + "atom update {} s)", iteration, rowsSeen, pass,
                    String.format("%.1f", (System.nanoTime() - start) / 1e9), String.format("%.1f", codingNanos / 1e9),
                    String.format("%.1f", statisticsNanos / 1e9), String.format("%.1f", updateNanos / 1e9));
            return Dictionary.of(m, prov);
        }
    }

    /** Splits incoming batches larger than the batch size into row views. */
    private static final class Rechunker implements Iterator<INDArray> {
        private final Iterator<INDArray> source;
        private final int size;
        private INDArray current;
        private long offset;

        Rechunker(Iterator<INDArray> source, int size) {
            this.source = source;
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return (current != null && offset < current.rows()) || source.hasNext();
        }

        @Override
        public INDArray next() {
            if (current == null || offset >= current.rows()) {
                current = source.next();
                offset = 0;
                if (current == null || current.rank() != 2 || current.rows() <= size) {
                    INDArray whole = current;
                    current = null;
                    return whole;
                }
            }
            long end = Math.min(current.rows(), offset + size);
            INDArray view = current.get(NDArrayIndex.interval(offset, end), NDArrayIndex.all());
            offset = end;
            return view;
        }
    }

    /** Fluent construction of an {@link OnlineDictionaryLearner}. */
    public static final class Builder {
        private int atoms = 1500;
        private double lambda = 0.05;
        private int batchSize = 400;
        private long maxIterations = 1000;
        private int passes = 1;
        private long seed;
        private boolean nonNegativeAtoms;
        private boolean normaliseInput = true;
        private CodeSolver codeSolver = CodeSolver.COORDINATE_DESCENT;
        private int codeIterations = 100;
        private Double codeTolerance;
        private int threads = Runtime.getRuntime().availableProcessors();
        private double forgetting = 0;
        private Initialisation initialisation = Initialisation.DATA;
        private double unusedThreshold = 1e-6;
        private String dataDescription = "";
        private int logEvery = 100;
        private DictionaryLearningListener listener;

        private Builder() {
        }

        /** @param v k @return this */
        public Builder atoms(int v) {
            atoms = v;
            return this;
        }

        /** @param v λ @return this */
        public Builder lambda(double v) {
            lambda = v;
            return this;
        }

        /** @param v rows per mini-batch @return this */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** @param v cap on updates (0 = none) @return this */
        public Builder maxIterations(long v) {
            maxIterations = v;
            return this;
        }

        /** @param v passes over the data @return this */
        public Builder passes(int v) {
            passes = v;
            return this;
        }

        /** @param v seed @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v constrain atoms to be non-negative @return this */
        public Builder nonNegativeAtoms(boolean v) {
            nonNegativeAtoms = v;
            return this;
        }

        /** @param v L2-normalise input rows @return this */
        public Builder normaliseInput(boolean v) {
            normaliseInput = v;
            return this;
        }

        /** @param v how the codes of each batch are computed @return this */
        public Builder codeSolver(CodeSolver v) {
            codeSolver = v;
            return this;
        }

        /** @param v threads of the coordinate-descent code solver @return this */
        public Builder threads(int v) {
            threads = v;
            return this;
        }

        /**
         * @param v forgetting exponent ρ ≥ 0 of the early statistics (default 0: the weights of Mairal et al. 2009 and
         *          of the reference, SPAMS {@code trainDL}; see {@link Options#forgetting()} for the measured effect of
         *          ρ &gt; 0)
         * @return this
         */
        public Builder forgetting(double v) {
            forgetting = v;
            return this;
        }

        /** @param v FISTA iteration cap per batch @return this */
        public Builder codeIterations(int v) {
            codeIterations = v;
            return this;
        }

        /**
         * @param v FISTA relative-change tolerance per batch (default 1e-3), or the coordinate-descent KKT tolerance
         *          relative to ‖h‖ (default 1e-4)
         * @return this
         */
        public Builder codeTolerance(double v) {
            codeTolerance = v;
            return this;
        }

        /** @param v how atoms start @return this */
        public Builder initialisation(Initialisation v) {
            initialisation = v;
            return this;
        }

        /** @param v A_jj threshold for re-initialising an unused atom @return this */
        public Builder unusedThreshold(double v) {
            unusedThreshold = v;
            return this;
        }

        /** @param v description of the data for the provenance @return this */
        public Builder dataDescription(String v) {
            dataDescription = v;
            return this;
        }

        /** @param v log every this many iterations (0 = never) @return this */
        public Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        /** @param v progress listener @return this */
        public Builder listener(DictionaryLearningListener v) {
            listener = v;
            return this;
        }

        /** @return the options these settings make (validated) */
        public Options options() {
            double tol = codeTolerance != null ? codeTolerance : codeSolver == CodeSolver.FISTA ? 1e-3 : 1e-4;
            return new Options(atoms, lambda, batchSize, maxIterations, passes, seed, nonNegativeAtoms,
                    normaliseInput, codeSolver, codeIterations, tol, threads, forgetting, initialisation, unusedThreshold,
                    dataDescription, logEvery);
        }

        /** @return the validated learner */
        public OnlineDictionaryLearner build() {
            return new OnlineDictionaryLearner(options(), listener);
        }
    }
}
