package io.mlsm.models.runtime;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives OpenBLAS the thread count that {@code OPENBLAS_NUM_THREADS} asks for, which ND4J otherwise overrides.
 *
 * <p>ND4J 1.0.0-M2.1 sets the BLAS thread count once, when its BLAS wrapper is created: to {@code OMP_NUM_THREADS}
 * when that variable is set, else to the number of cores. OpenBLAS's own {@code OPENBLAS_NUM_THREADS} is ignored.
 * So a process that keeps libnd4j's kernels on one OpenMP thread ({@code OMP_NUM_THREADS=1}, as the {@code mlsm}
 * launcher does for bit-reproducible training) also runs every matrix product on one core. On a 2-core machine
 * that halves the GEMM rate: ND4J logs "Number of threads used for OpenMP BLAS: 1". {@link #apply()} then sets the
 * BLAS thread count to {@code OPENBLAS_NUM_THREADS}, if that is set; otherwise it leaves ND4J's choice alone.
 * At a given thread count a product repeats bit for bit, so training stays reproducible; a different count may round
 * differently (one and two threads differ in the last bit), so a resumed run must keep the original's setting.
 *
 * <p>Call it once at the start of a program, after nothing or after any ND4J call (it initialises ND4J itself). The
 * {@code mlsm} command line and the single-process benchmark mains do; the Spark commands do not (one task per core,
 * one BLAS thread each).
 *
 * <pre>{@code
 * BlasThreads.Decision d = BlasThreads.apply();   // e.g. "2 (OPENBLAS_NUM_THREADS=2; ND4J had set 1)"
 * }</pre>
 */
public final class BlasThreads {

    /** The variable read. */
    public static final String VARIABLE = "OPENBLAS_NUM_THREADS";

    private static final Logger LOG = LoggerFactory.getLogger(BlasThreads.class);

    private BlasThreads() {
    }

    /**
     * @param threads BLAS threads in effect after the call
     * @param reason  where that count came from
     */
    public record Decision(int threads, String reason) {
        @Override
        public String toString() {
            return threads + " (" + reason + ")";
        }
    }

    /**
     * Sets the BLAS thread count from {@code OPENBLAS_NUM_THREADS}.
     *
     * @return the count in effect and why
     * @throws IllegalArgumentException if the variable is set but is not a positive integer
     */
    public static synchronized Decision apply() {
        return apply(System.getenv(VARIABLE));
    }

    /** {@link #apply()} with the variable's value given ({@code null}: not set). */
    static synchronized Decision apply(String value) {
        Blas blas = Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        Decision d;
        if (value == null || value.isBlank()) {
            d = new Decision(before, "ND4J's choice; " + VARIABLE + " is not set");
        } else if (blas.getBlasVendor() != Blas.Vendor.OPENBLAS && blas.getBlasVendor() != Blas.Vendor.MKL) {
            d = new Decision(before, "left to ND4J: the BLAS is " + blas.getBlasVendor());
        } else {
            int n = parse(value.strip());
            if (n != before) {
                blas.setMaxThreads(n);
            }
            int now = blas.getMaxThreads();
            if (now != n) {
                throw new IllegalStateException("asked OpenBLAS for " + n + " threads (" + VARIABLE + "), it reports "
                        + now);
            }
            d = new Decision(n, VARIABLE + "=" + n + (n != before ? "; ND4J had set " + before : ""));
        }
        LOG.info("BLAS threads: {}", d);
        return d;
    }

    private static int parse(String value) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VARIABLE + " must be a positive integer, got '" + value + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException(VARIABLE + " must be a positive integer, got " + n);
        }
        return n;
    }
}
