package io.mlsm.sparse;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns non-negative codes α into MLSM target distributions p = α/‖α‖₁ (Berend 2023, "Masked latent semantic
 * modeling"), dense or in a compact top-n form for caching.
 *
 * <p>A row whose code is all zero has no distribution: it is returned as an all-zero row and flagged, and the caller
 * decides how it counts (the MLSM loss gives such tokens no loss).
 *
 * <pre>{@code
 * SparseCodes r = fista.solve(hidden);                          // [n, k]
 * TargetDistributions p = SparseTargets.distributions(r.codes());
 * CompactTargets cache = SparseTargets.compact(r.codes(), 32);  // int ids + float values per row
 * }</pre>
 */
public final class SparseTargets {

    private SparseTargets() {
    }

    /**
     * ℓ1-normalises every row.
     *
     * @param codes [n, k] codes, finite and ≥ 0
     * @return distributions in the codes' data type, plus the all-zero flags
     * @throws IllegalArgumentException on an empty batch, NaN/Inf or negative entries
     */
    public static TargetDistributions distributions(INDArray codes) {
        checkCodes(codes);
        DataType type = codes.dataType();
        INDArray sums = codes.sum(1).reshape(codes.rows(), 1);     // [n, 1]
        INDArray zero = sums.eq(0).castTo(type);                    // [n, 1]
        INDArray p = codes.divColumnVector(sums.add(zero));         // [n, k]
        boolean[] flags = toFlags(zero);
        return new TargetDistributions(p, flags);
    }

    /**
     * The n largest entries of each row's distribution, sorted by decreasing value, renormalised to sum to 1.
     *
     * @param codes [n, k] codes, finite and ≥ 0
     * @param topN  slots per row (≥ 1; may exceed k, extra slots stay empty)
     * @return compact targets
     * @throws IllegalArgumentException on bad codes or topN &lt; 1
     */
    public static CompactTargets compact(INDArray codes, int topN) {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        checkCodes(codes);
        int n = (int) codes.rows();
        int k = (int) codes.columns();
        float[] v = codes.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] indices = new int[n * topN];
        float[] values = new float[n * topN];
        boolean[] zero = new boolean[n];
        float[] dropped = new float[n];
        java.util.Arrays.fill(indices, -1);
        int[] nzIdx = new int[k];
        for (int r = 0; r < n; r++) {
            int base = r * k;
            int nz = 0;
            double total = 0;
            for (int j = 0; j < k; j++) {
                float x = v[base + j];
                if (x > 0) {
                    nzIdx[nz++] = j;
                    total += x;
                }
            }
            if (nz == 0) {
                zero[r] = true;
                continue;
            }
            int keep = Math.min(nz, topN);
            // partial selection sort of the `keep` largest (nz is small for sparse codes); ties: lower atom id first
            for (int s = 0; s < keep; s++) {
                int best = s;
                for (int q = s + 1; q < nz; q++) {
                    float a = v[base + nzIdx[q]];
                    float b = v[base + nzIdx[best]];
                    if (a > b || (a == b && nzIdx[q] < nzIdx[best])) {
                        best = q;
                    }
                }
                int tmp = nzIdx[s];
                nzIdx[s] = nzIdx[best];
                nzIdx[best] = tmp;
            }
            double kept = 0;
            for (int s = 0; s < keep; s++) {
                kept += v[base + nzIdx[s]];
            }
            for (int s = 0; s < keep; s++) {
                indices[r * topN + s] = nzIdx[s];
                values[r * topN + s] = (float) (v[base + nzIdx[s]] / kept);
            }
            dropped[r] = (float) ((total - kept) / total);
        }
        return new CompactTargets(n, topN, indices, values, zero, dropped);
    }

    private static void checkCodes(INDArray codes) {
        InputChecks.finiteMatrix(codes, "codes", -1);
        if (codes.minNumber().doubleValue() < 0) {
            throw new IllegalArgumentException("codes must be non-negative, found minimum "
                    + codes.minNumber().doubleValue());
        }
    }

    private static boolean[] toFlags(INDArray zero) {
        double[] z = zero.castTo(DataType.DOUBLE).toDoubleVector();
        boolean[] flags = new boolean[z.length];
        for (int i = 0; i < z.length; i++) {
            flags[i] = z[i] != 0;
        }
        return flags;
    }
}
