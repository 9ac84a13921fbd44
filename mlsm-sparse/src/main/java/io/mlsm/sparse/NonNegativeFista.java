package io.mlsm.sparse;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batched non-negative lasso: for every row h of H [n, d] solves
 * <pre>  α* = argmin_{α ≥ 0} ½‖h − Dα‖² + λ‖α‖₁</pre>
 * with a fixed {@link Dictionary} D [d, k], by projected FISTA (Beck &amp; Teboulle 2009, "A fast iterative
 * shrinkage-thresholding algorithm for linear inverse problems") in Gram form: DᵀD and L = λ_max(DᵀD) are computed
 * once per dictionary (cached in it), the step is 1/L, and each iteration over a chunk of rows is one GEMM with the
 * precomputed I − DᵀD/L plus in-place element-wise work on ND4J arrays (no per-row Java loops), so it runs on any
 * ND4J backend.
 *
 * <p>Stopping: after {@code maxIterations}, or per row when its relative change ‖α⁺ − α‖/‖α⁺‖ falls to
 * {@code tolerance} (the row is then frozen; 0 disables). Optional adaptive restart of the momentum (O'Donoghue
 * &amp; Candès 2015) and warm start. Float32 by default, float64 supported. Thread-safe: {@link #solve} allocates its
 * own buffers.
 *
 * <pre>{@code
 * NonNegativeFista fista = NonNegativeFista.builder(dict).lambda(0.05).maxIterations(100).normaliseInput(true).build();
 * SparseCodes r = fista.solve(h);                   // h [n, d]
 * INDArray alpha = r.codes();                       // [n, k], α ≥ 0
 * }</pre>
 *
 * Complexity per iteration: 2·n·k² flops (GEMM) + O(n·k) element-wise; memory 6 buffers of [chunk, k].
 */
public final class NonNegativeFista implements NonNegativeLassoSolver {

    /**
     * Solver settings.
     *
     * @param lambda          ℓ1 weight λ ≥ 0
     * @param maxIterations   iteration cap ≥ 1 (reference: 100)
     * @param tolerance       per-row relative-change tolerance ≥ 0 (0 = always run maxIterations)
     * @param adaptiveRestart restart the momentum of a row when it stops descending
     * @param normaliseInput  L2-normalise every input row first (all-zero rows stay zero)
     * @param dataType        FLOAT (default) or DOUBLE
     * @param chunkRows       rows solved together (memory ≈ 6·chunkRows·k values)
     */
    public record Options(double lambda, int maxIterations, double tolerance, boolean adaptiveRestart,
                          boolean normaliseInput, DataType dataType, int chunkRows) {

        /** Validates every field. */
        public Options {
            InputChecks.lambda(lambda);
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
            }
            if (dataType == null) {
                throw new IllegalArgumentException("dataType must not be null");
            }
            InputChecks.floatType(dataType, "dataType");
            if (chunkRows < 1) {
                throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
            }
        }

        /**
         * The papers' setting: zero init, step 1/L, exactly 100 iterations (no tolerance, no restart), normalised
         * input, float32.
         *
         * @param lambda λ
         * @return options
         */
        public static Options reference(double lambda) {
            return new Options(lambda, 100, 0.0, false, true, DataType.FLOAT, 2048);
        }

        /**
         * Fast defaults: up to 100 iterations, adaptive restart, per-row tolerance 1e-4, no normalisation, float32.
         *
         * @param lambda λ
         * @return options
         */
        public static Options defaults(double lambda) {
            return new Options(lambda, 100, 1e-4, true, false, DataType.FLOAT, 2048);
        }
    }

    private final Dictionary dictionary;
    private final Options options;
    private volatile FistaKernel kernel;

    /**
     * @param dictionary the fixed dictionary
     * @param options    solver settings
     */
    public NonNegativeFista(Dictionary dictionary, Options options) {
        if (dictionary == null || options == null) {
            throw new IllegalArgumentException("dictionary and options must not be null");
        }
        this.dictionary = dictionary;
        this.options = options;
    }

    /**
     * @param dictionary the dictionary the solver will use
     * @return a builder starting from {@link Options#defaults(double)} with the dictionary's λ
     */
    public static Builder builder(Dictionary dictionary) {
        return new Builder(dictionary);
    }

    /** @return the settings */
    public Options options() {
        return options;
    }

    @Override
    public Dictionary dictionary() {
        return dictionary;
    }

    @Override
    public double lambda() {
        return options.lambda();
    }

    /**
     * Solves every row of {@code h} from zero.
     *
     * @param h [n, d] input, one vector per row, finite (any floating type; converted to the solver's type)
     * @return codes [n, k], per-row objective and iterations
     * @throws IllegalArgumentException on null, an empty batch, a dimension mismatch or NaN/Inf
     */
    @Override
    public SparseCodes solve(INDArray h) {
        return solve(h, null);
    }

    /**
     * Solves every row of {@code h}, starting from {@code warmStart} (negative entries are clipped to 0).
     *
     * @param h         [n, d] input
     * @param warmStart [n, k] start codes, or null for zero init
     * @return codes, per-row objective and iterations
     * @throws IllegalArgumentException on bad shapes or values
     */
    @Override
    public SparseCodes solve(INDArray h, INDArray warmStart) {
        InputChecks.finiteMatrix(h, "input H", dictionary.dimension());
        INDArray warm = null;
        if (warmStart != null) {
            InputChecks.finiteMatrix(warmStart, "warm start", dictionary.size());
            if (warmStart.rows() != h.rows()) {
                throw new IllegalArgumentException("warm start has " + warmStart.rows() + " rows but H has "
                        + h.rows());
            }
            warm = warmStart.castTo(options.dataType());
        }
        INDArray x = prepare(h, options.dataType(), options.normaliseInput());
        return kernel().solve(x, warm);
    }

    /** Converts to {@code type} and optionally L2-normalises rows (never modifies the caller's array). */
    static INDArray prepare(INDArray h, DataType type, boolean normalise) {
        INDArray x = h.dataType() == type ? h : h.castTo(type);
        if (normalise) {
            INDArray norms = x.norm2(1).reshape(x.rows(), 1);                   // [n, 1]
            norms.addi(norms.eq(0).castTo(type));                                 // zero rows: divide by 1
            x = x.divColumnVector(norms);
        }
        return x;
    }

    private FistaKernel kernel() {
        FistaKernel k = kernel;
        if (k == null) {
            synchronized (this) {
                k = kernel;
                if (k == null) {
                    DataType t = options.dataType();
                    k = new FistaKernel(dictionary.atomsShared(t), dictionary.gram(t), dictionary.lipschitzConstant(),
                            options.lambda(), options.maxIterations(), options.tolerance(), options.adaptiveRestart(),
                            options.chunkRows());
                    kernel = k;
                }
            }
        }
        return k;
    }

    /** Fluent construction of a {@link NonNegativeFista}. */
    public static final class Builder {
        private final Dictionary dictionary;
        private double lambda;
        private int maxIterations = 100;
        private double tolerance = 1e-4;
        private boolean adaptiveRestart = true;
        private boolean normaliseInput;
        private DataType dataType = DataType.FLOAT;
        private int chunkRows = 2048;

        private Builder(Dictionary dictionary) {
            if (dictionary == null) {
                throw new IllegalArgumentException("dictionary must not be null");
            }
            this.dictionary = dictionary;
            this.lambda = dictionary.provenance().lambda();
        }

        /** Copies every setting from {@code o}. @param o options @return this */
        public Builder options(Options o) {
            lambda = o.lambda();
            maxIterations = o.maxIterations();
            tolerance = o.tolerance();
            adaptiveRestart = o.adaptiveRestart();
            normaliseInput = o.normaliseInput();
            dataType = o.dataType();
            chunkRows = o.chunkRows();
            return this;
        }

        /** @param v λ ≥ 0 @return this */
        public Builder lambda(double v) {
            lambda = v;
            return this;
        }

        /** @param v iteration cap @return this */
        public Builder maxIterations(int v) {
            maxIterations = v;
            return this;
        }

        /** @param v per-row relative-change tolerance (0 = run every iteration) @return this */
        public Builder tolerance(double v) {
            tolerance = v;
            return this;
        }

        /** @param v adaptive momentum restart @return this */
        public Builder adaptiveRestart(boolean v) {
            adaptiveRestart = v;
            return this;
        }

        /** @param v L2-normalise input rows @return this */
        public Builder normaliseInput(boolean v) {
            normaliseInput = v;
            return this;
        }

        /** @param v FLOAT or DOUBLE @return this */
        public Builder dataType(DataType v) {
            dataType = v;
            return this;
        }

        /** @param v rows per chunk @return this */
        public Builder chunkRows(int v) {
            chunkRows = v;
            return this;
        }

        /** @return the validated solver */
        public NonNegativeFista build() {
            return new NonNegativeFista(dictionary, new Options(lambda, maxIterations, tolerance, adaptiveRestart,
                    normaliseInput, dataType, chunkRows));
        }
    }
}
