package io.mlsm.models.direct;

/**
 * Float32 elementwise kernels written so that HotSpot's C2 compiler turns their loops into SIMD code: straight-line
 * arithmetic over {@code float[]} ranges, no calls and no branches in the loop body. {@link Math#exp} is not
 * vectorised by C2 (measured 15 ns per element in a float loop on the build machine against 1.1 ns for
 * {@link #exp}), and a direct {@link java.nio.FloatBuffer} loop is not vectorised either, so callers copy chunks of
 * native memory into a scratch array, run these, and copy back.
 *
 * <p>Accuracy (checked against double-precision references by {@code FloatKernelsTest}): {@link #exp} within
 * 2e-7 relative on [−87, 0]; {@link #erf} within 5e-7 absolute everywhere (float32 evaluation of a rational
 * approximation whose own error is 6e-8).
 */
final class FloatKernels {

    /** 1.5 · 2²³: adding it rounds a float of magnitude below 2²² to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LOG2E = 1.44269504089f;
    /** ln 2 split so that {@code n · LN2_HI} is exact for |n| < 2⁹ (Cody and Waite's reduction). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Smallest argument {@link #exp} takes: e⁻⁸⁷ is still a normal float. */
    static final float EXP_MIN = -87f;

    /*
     * erf(x) ≈ x · P(x²) / Q(x²) on |x| ≤ 4 (erf(4) rounds to 1 in float32), coefficients fitted for this library by
     * iteratively reweighted least squares (Lawson's weights towards the minimax error) in double precision with
     * scipy's erf as the reference: maximum error 5.9e-8 before rounding to float. {@code scripts/fit_erf.py}.
     */
    private static final float ERF_CLAMP = 4f;
    private static final float P0 = 1.128378685173393f;
    private static final float P1 = 0.21397427779608644f;
    private static final float P2 = 0.052438218262962057f;
    private static final float P3 = 0.0042944585928943292f;
    private static final float P4 = 0.00015557220563361049f;
    private static final float P5 = -1.9905038736549308e-06f;
    private static final float P6 = 1.9217093055745593e-08f;
    private static final float Q1 = 0.52295748007458343f;
    private static final float Q2 = 0.12081247801844511f;
    private static final float Q3 = 0.015554074453750939f;
    private static final float Q4 = 0.0010983792586199297f;
    private static final float INV_SQRT2 = 0.70710678118654752f;

    private FloatKernels() {
    }

    /**
     * {@code out[i] = exp(max(x[i], −87))} for {@code i < n}, through a scratch array of at least {@code n}.
     * Range reduction {@code x = n ln 2 + g} with |g| ≤ ln2 / 2, a degree-7 Taylor polynomial for {@code e^g}
     * (truncation error below 6e-9) and the scale {@code 2ⁿ} built in the exponent bits. The two passes keep the
     * float-to-bits step out of the polynomial loop, so both loops vectorise.
     *
     * @param x       arguments; arguments above 88 overflow (softmax passes values ≤ 0)
     * @param out     results (may be {@code x})
     * @param scratch at least {@code n} floats, overwritten
     */
    static void exp(float[] x, float[] out, float[] scratch, int n) {
        for (int i = 0; i < n; i++) {
            float v = Math.max(x[i], EXP_MIN);
            float m = v * LOG2E + ROUNDER;
            float r = m - ROUNDER;                                  // nearest integer to v·log2(e)
            float g = (v - r * LN2_HI) - r * LN2_LO;                // |g| ≤ 0.35
            float p = 1.98412698e-4f;                               // 1/5040
            p = p * g + 1.38888889e-3f;                             // 1/720
            p = p * g + 8.33333333e-3f;                             // 1/120
            p = p * g + 4.16666667e-2f;                             // 1/24
            p = p * g + 1.66666667e-1f;                             // 1/6
            p = p * g + 0.5f;
            p = p * g + 1f;
            p = p * g + 1f;
            out[i] = p;
            scratch[i] = m;
        }
        for (int i = 0; i < n; i++) {
            int e = Float.floatToRawIntBits(scratch[i]) - ROUNDER_BITS;     // the integer r
            out[i] *= Float.intBitsToFloat((e + 127) << 23);                // 2^r
        }
    }

    /** @return erf(x) by the float32 rational approximation of this class (scalar; tests and odd lengths) */
    static float erf(float x) {
        float c = Math.min(Math.max(x, -ERF_CLAMP), ERF_CLAMP);
        float u = c * c;
        float p = ((((((P6 * u + P5) * u + P4) * u + P3) * u + P2) * u + P1) * u + P0) * c;
        float q = (((Q4 * u + Q3) * u + Q2) * u + Q1) * u + 1f;
        return p / q;
    }

    /**
     * Exact-form GELU {@code 0.5 x (1 + erf(x / √2))} (Hendrycks and Gimpel 2016) on {@code x[0..n)}, in place, after
     * adding the bias {@code bias[(offset + i) % bias.length]} (a row-major matrix chunk that starts at column
     * {@code offset % bias.length}). The bias runs and the GELU are separate loops: C2 did not vectorise the fused
     * form (26 ms against 2.4 ms for 4M elements).
     */
    static void biasGelu(float[] x, int n, float[] bias, int offset) {
        int cols = bias.length;
        int col = offset % cols;
        int i = 0;
        while (i < n) {
            int run = Math.min(n - i, cols - col);
            addRange(x, i, bias, col, run);
            i += run;
            col = 0;
        }
        gelu(x, n);
    }

    private static void addRange(float[] x, int from, float[] v, int vFrom, int len) {
        for (int j = 0; j < len; j++) {
            x[from + j] += v[vFrom + j];
        }
    }

    /** GELU of {@code x[0..n)} in place. */
    static void gelu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float c = Math.min(Math.max(v * INV_SQRT2, -ERF_CLAMP), ERF_CLAMP);
            float u = c * c;
            float p = ((((((P6 * u + P5) * u + P4) * u + P3) * u + P2) * u + P1) * u + P0) * c;
            float q = (((Q4 * u + Q3) * u + Q2) * u + Q1) * u + 1f;
            x[i] = 0.5f * v * (1f + p / q);
        }
    }

    /**
     * GELU and its derivative at {@code x[0..n)}: {@code g = x Φ(x)} and {@code dg = Φ(x) + x φ(x)}, with
     * {@code Φ(x) = (1 + erf(x / √2)) / 2} by this class's erf and {@code φ(x) = exp(−x² / 2) / √(2π)} by its exp.
     *
     * @param tmp     at least {@code n} floats, overwritten
     * @param scratch at least {@code n} floats, overwritten
     */
    static void geluWithGrad(float[] x, float[] g, float[] dg, float[] tmp, float[] scratch, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float c = Math.min(Math.max(v * INV_SQRT2, -ERF_CLAMP), ERF_CLAMP);
            float u = c * c;
            float p = ((((((P6 * u + P5) * u + P4) * u + P3) * u + P2) * u + P1) * u + P0) * c;
            float q = (((Q4 * u + Q3) * u + Q2) * u + Q1) * u + 1f;
            float e = p / q;
            g[i] = 0.5f * v * (1f + e);                             // as gelu() rounds it
            dg[i] = 0.5f * (1f + e);
            tmp[i] = -0.5f * v * v;
        }
        exp(tmp, tmp, scratch, n);
        for (int i = 0; i < n; i++) {
            dg[i] += x[i] * INV_SQRT_2PI * tmp[i];
        }
    }

    private static final float INV_SQRT_2PI = 0.3989422804014327f;
}
