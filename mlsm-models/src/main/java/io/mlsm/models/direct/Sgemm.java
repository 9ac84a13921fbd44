package io.mlsm.models.direct;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major {@code cblas_sgemm} on sub-matrices of dense float32 ND4J arrays, addressed by element offset and
 * leading dimension: {@code C = A·B + beta·C} with optional transposes. This is the OpenBLAS that ND4J's CPU backend
 * itself calls (same library, same thread setting), reached without an INDArray view per operand, so a head's
 * columns of a {@code [N, 3A]} projection are a plain strided operand.
 *
 * <p>Every call checks that the addressed elements lie inside the arrays (a wrong offset would otherwise read or
 * write native memory out of bounds).
 */
final class Sgemm {

    private Sgemm() {
    }

    /**
     * @param transA use Aᵀ ({@code A} stored {@code [k, m]})
     * @param transB use Bᵀ ({@code B} stored {@code [n, k]})
     * @param m      rows of C
     * @param n      columns of C
     * @param k      inner dimension
     * @param a      dense float32 array holding A at element {@code aOff} with row stride {@code lda}
     * @param beta   0 overwrites C, 1 accumulates into it
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     INDArray a, long aOff, int lda, INDArray b, long bOff, int ldb,
                     float beta, INDArray c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        check("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        check("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        check("C", c, cOff, ldc, m, n);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    private static FloatPointer at(INDArray x, long offset) {
        Pointer base = x.data().addressPointer();
        return new FloatPointer(base).position(offset);
    }

    private static void check(String which, INDArray x, long off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || ld < cols || last >= x.length()) {
            throw new IllegalStateException("sgemm operand " + which + " [" + rows + ", " + cols + "] at offset " + off
                    + " with row stride " + ld + " does not fit an array of " + x.length() + " elements");
        }
    }
}
