package io.mlsm.models.direct;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatKernelsTest {

    /** erf by its Maclaurin series in double (|x| ≤ 4: about 1e-9 absolute after cancellation), 1 − tiny beyond. */
    private static double erfReference(double x) {
        double ax = Math.abs(x);
        if (ax > 4.5) {
            return Math.signum(x);                       // 1 − erf(4.5) = 2e-10
        }
        double term = ax;
        double sum = ax;
        for (int n = 1; n < 200; n++) {
            term *= -ax * ax / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18) {
                break;
            }
        }
        return Math.signum(x) * sum * 2 / Math.sqrt(Math.PI);
    }

    @Test
    void expIsWithinTwoTenthsOfAMillionthRelative() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87f * i / (n - 1);
        }
        float[] out = new float[n];
        FloatKernels.exp(x, out, new float[n], n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(out[i] / Math.exp(x[i]) - 1));
        }
        assertTrue(worst < 2e-7, "worst relative error " + worst);
        float[] below = {-100f, -1e9f, Float.NEGATIVE_INFINITY};
        FloatKernels.exp(below, below, new float[3], 3);
        for (float v : below) {
            assertEquals(Math.exp(FloatKernels.EXP_MIN), v, 1e-44, "arguments below the floor are clamped");
        }
    }

    @Test
    void erfAndGeluMatchTheSeries() {
        double worstErf = 0;
        double worstGelu = 0;
        int n = 120_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -6f + 12f * i / (n - 1);
            worstErf = Math.max(worstErf, Math.abs(FloatKernels.erf(x[i]) - erfReference(x[i])));
        }
        float[] g = x.clone();
        FloatKernels.gelu(g, n);
        for (int i = 0; i < n; i++) {
            double exact = 0.5 * x[i] * (1 + erfReference(x[i] / Math.sqrt(2)));
            worstGelu = Math.max(worstGelu, Math.abs(g[i] - exact) / Math.max(1, Math.abs(exact)));
        }
        assertTrue(worstErf < 5e-7, "worst erf error " + worstErf);
        assertTrue(worstGelu < 2e-6, "worst GELU error " + worstGelu);
        assertEquals(0f, FloatKernels.erf(0f));
        assertEquals(-FloatKernels.erf(1.3f), FloatKernels.erf(-1.3f), "odd");
    }

    @Test
    void biasGeluAddsTheBiasOfEachColumnAcrossRowBoundaries() {
        float[] bias = {0.5f, -1f, 2f};
        int offset = 5;                                  // starts at column 2 of a 3-column matrix
        float[] x = new float[7];
        float[] expected = new float[7];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.1f * i - 0.3f;
            float v = x[i] + bias[(offset + i) % 3];
            expected[i] = 0.5f * v * (1f + FloatKernels.erf(v * 0.70710678f));
        }
        FloatKernels.biasGelu(x, x.length, bias, offset);
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], x[i], 1e-6f, "element " + i);
        }
    }
}
