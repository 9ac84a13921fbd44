package io.mlsm.sparse;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A solver of the batched non-negative lasso
 * <pre>  α* = argmin_{α ≥ 0} ½‖h − Dα‖² + λ‖α‖₁</pre>
 * for every row h of H [n, d] with a fixed {@link Dictionary} D [d, k]. Two implementations:
 * <ul>
 *   <li>{@link NonNegativeFista} — projected FISTA in Gram form, one GEMM per iteration on ND4J arrays: runs on any
 *   backend (the GPU path) and is the papers' reference (100 iterations from zero);</li>
 *   <li>{@link NonNegativeCoordinateDescent} — coordinate descent on a growing working set of atoms with a full KKT
 *   check, solved to the optimum; the correlations H·D are one ND4J GEMM and the rest runs in Java over rows in
 *   parallel, so it is the fast path on a CPU when codes are sparse.</li>
 * </ul>
 *
 * <pre>{@code
 * NonNegativeLassoSolver solver = NonNegativeCoordinateDescent.builder(dict).lambda(0.05).build();
 * SparseCodes r = solver.solve(h);        // codes [n, k] ≥ 0, per-row objective and iterations
 * }</pre>
 */
public interface NonNegativeLassoSolver {

    /** @return the fixed dictionary */
    Dictionary dictionary();

    /** @return the ℓ1 weight λ */
    double lambda();

    /**
     * Solves every row of {@code h} from zero.
     *
     * @param h [n, d] input, one vector per row, finite
     * @return codes [n, k], per-row objective and iterations
     * @throws IllegalArgumentException on null, an empty batch, a dimension mismatch or NaN/Inf
     */
    default SparseCodes solve(INDArray h) {
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
    SparseCodes solve(INDArray h, INDArray warmStart);
}
