package io.mlsm.models.optim;

import io.mlsm.models.io.CheckpointFormatException;
import io.mlsm.models.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    /** Parameter names and whether the Hugging Face rule decays them (decided here by hand, not by the code). */
    private static final Map<String, Boolean> DECAYS = new LinkedHashMap<>();

    static {
        DECAYS.put("deberta.encoder.layer.0.attention.self.in_proj.weight", true);
        DECAYS.put("deberta.encoder.layer.0.attention.self.q_bias", false);
        DECAYS.put("deberta.encoder.layer.0.attention.self.v_bias", false);
        DECAYS.put("deberta.encoder.layer.0.output.LayerNorm.weight", false);
        DECAYS.put("deberta.encoder.layer.0.output.LayerNorm.bias", false);
        DECAYS.put("cls.predictions.bias", false);
        DECAYS.put("deberta.embeddings.word_embeddings.weight", true);
    }

    private static final long[][] SHAPES = {{6, 2}, {2}, {2}, {2}, {2}, {5}, {5, 2}};

    @Test
    void noDecayRuleFollowsHuggingFaceNames() {
        AdamW opt = new AdamW(AdamW.Options.defaults());
        DECAYS.forEach((name, decays) -> assertEquals(decays, opt.decays(name), name));
    }

    @Test
    void decayAllDecaysBiasesAndLayerNormToo() {
        // zero gradient: the Adam part is 0, so one step is exactly p (1 - lr λ) where decay applies, p elsewhere
        double lr = 0.1;
        double wd = 0.5;
        for (boolean all : new boolean[]{true, false}) {
            AdamW opt = new AdamW(AdamW.Options.torchDefaults().withWeightDecay(wd),
                    all ? AdamW.DECAY_ALL : AdamW.HF_NO_DECAY);
            Map<String, INDArray> params = new LinkedHashMap<>();
            Map<String, INDArray> grads = new LinkedHashMap<>();
            for (String name : DECAYS.keySet()) {
                params.put(name, Nd4j.createFromArray(1.0, -2.0));
                grads.put(name, Nd4j.zeros(DataType.DOUBLE, 2));
            }
            opt.step(params, grads, lr);
            DECAYS.forEach((name, hfDecays) -> {
                boolean decays = all || hfDecays;
                assertEquals(decays, opt.decays(name), name);
                double f = decays ? 1 - lr * wd : 1;
                assertEquals(1.0 * f, params.get(name).getDouble(0), 1e-15, name);
                assertEquals(-2.0 * f, params.get(name).getDouble(1), 1e-15, name);
            });
        }
    }

    @Test
    void torchEpsilonChangesTheStepOfTinyGradients() {
        // step 1: p1 = p0 - lr g / (|g| + ε); with g = 1e-6 that is lr/2 at ε 1e-6 and lr/1.01 at ε 1e-8
        for (double eps : new double[]{1e-6, 1e-8}) {
            INDArray p = Nd4j.createFromArray(0.0);
            new AdamW(AdamW.Options.defaults().withEpsilon(eps).withWeightDecay(0))
                    .step(Map.of("w", p), Map.of("w", Nd4j.createFromArray(1e-6)), 1.0);
            assertEquals(-1e-6 / (1e-6 + eps), p.getDouble(0), 1e-12, "eps " + eps);
        }
        assertEquals(1e-8, AdamW.Options.torchDefaults().epsilon());
    }

    @Test
    void firstStepMatchesTheClosedForm() {
        // step 1: m̂ = g, v̂ = g², so p1 = p0 (1 - lr λ) - lr g / (|g| + ε)
        double lr = 1e-2;
        AdamW.Options o = new AdamW.Options(0.9, 0.999, 1e-6, 0.1);
        INDArray p = Nd4j.createFromArray(1.5, -2.0, 0.25);
        INDArray g = Nd4j.createFromArray(0.3, -4.0, 1e-7);
        Map<String, INDArray> params = Map.of("w", p);
        new AdamW(o).step(params, Map.of("w", g), lr);
        double[] p0 = {1.5, -2.0, 0.25};
        double[] g0 = {0.3, -4.0, 1e-7};
        for (int i = 0; i < 3; i++) {
            double want = p0[i] * (1 - lr * 0.1) - lr * g0[i] / (Math.abs(g0[i]) + 1e-6);
            assertEquals(want, p.getDouble(i), Math.abs(want) * 1e-14, "element " + i);
        }
    }

    @Test
    void severalStepsMatchAPlainJavaReferenceInDouble() {
        AdamW.Options o = new AdamW.Options(0.9, 0.98, 1e-8, 0.01);
        LearningRateSchedule lr = LearningRateSchedule.linearWarmupDecay(1e-2, 2, 10);
        Random rnd = new Random(11);
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, double[]> ref = new LinkedHashMap<>();
        Map<String, double[]> refM = new LinkedHashMap<>();
        Map<String, double[]> refV = new LinkedHashMap<>();
        int i = 0;
        for (String name : DECAYS.keySet()) {
            long[] shape = SHAPES[i++];
            INDArray p = Nd4j.randn(DataType.DOUBLE, shape);
            params.put(name, p);
            ref.put(name, p.dup('c').data().asDouble());
            refM.put(name, new double[(int) p.length()]);
            refV.put(name, new double[(int) p.length()]);
        }
        AdamW opt = new AdamW(o);
        for (int step = 0; step < 6; step++) {
            Map<String, INDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                if (step == 2 && e.getKey().endsWith("v_bias")) {
                    continue; // a parameter without gradient in one step is left alone
                }
                double[] g = new double[(int) e.getValue().length()];
                for (int k = 0; k < g.length; k++) {
                    g[k] = rnd.nextGaussian() * (k + 1);
                }
                grads.put(e.getKey(), Nd4j.create(g, e.getValue().shape(), 'c'));
                referenceStep(ref.get(e.getKey()), g, refM.get(e.getKey()), refV.get(e.getKey()), step + 1,
                        lr.at(step), o, DECAYS.get(e.getKey()));
            }
            opt.step(params, grads, lr.at(opt.step()));
        }
        assertEquals(6, opt.step());
        for (String name : params.keySet()) {
            double[] got = params.get(name).dup('c').data().asDouble();
            double[] want = ref.get(name);
            for (int k = 0; k < want.length; k++) {
                assertEquals(want[k], got[k], Math.abs(want[k]) * 1e-12 + 1e-300, name + "[" + k + "]");
            }
        }
    }

    @Test
    void float32FusedPathIsBitExactAgainstAFloatReference() {
        float[][] r = runFloat(false);
        for (int k = 0; k < r[0].length; k++) {
            assertEquals(Float.floatToRawIntBits(r[1][k]), Float.floatToRawIntBits(r[0][k]),
                    "[" + k + "] got " + r[0][k] + " want " + r[1][k]);
        }
    }

    @Test
    void float32OpPathForViewsMatchesTheFloatReferenceToAFewUlps() {
        float[][] r = runFloat(true);
        for (int k = 0; k < r[0].length; k++) {
            assertTrue(Math.abs(r[0][k] - r[1][k]) <= 2 * Math.ulp(r[1][k]),
                    "[" + k + "] got " + r[0][k] + " want " + r[1][k]);
        }
    }

    /** Four float32 updates of 40 000 elements (several chunks); returns {got, reference}. */
    private static float[][] runFloat(boolean asView) {
        int n = 40_000;
        AdamW.Options o = AdamW.Options.defaults();
        Random rnd = new Random(5);
        float[] p0 = new float[n];
        for (int k = 0; k < n; k++) {
            p0[k] = (float) rnd.nextGaussian();
        }
        INDArray p;
        if (asView) {
            INDArray holder = Nd4j.create(DataType.FLOAT, 2, n);
            holder.getRow(1).assign(Nd4j.create(p0.clone(), new long[] {n}, 'c'));
            p = holder.getRow(1);   // a view: the ND4J op path
            assertTrue(p.isView() || p.offset() != 0);
        } else {
            p = Nd4j.create(p0.clone(), new long[] {n}, 'c');
        }
        float[] ref = p0.clone();
        float[] m = new float[n];
        float[] v = new float[n];
        AdamW opt = new AdamW(o);
        for (int step = 1; step <= 4; step++) {
            float[] g = new float[n];
            for (int k = 0; k < g.length; k++) {
                g[k] = (float) (rnd.nextGaussian() * 1e-2);
            }
            double lr = 1e-3 * step;
            INDArray ga = Nd4j.create(g, new long[] {n}, 'c');
            opt.step(Map.of("w", p), Map.of("w", asView ? Nd4j.create(DataType.FLOAT, 2, n).getRow(0).assign(ga) : ga),
                    lr);
            float decay = (float) (1.0 - lr * o.weightDecay());
            float b1 = (float) o.beta1();
            float b2 = (float) o.beta2();
            float c1 = (float) (1.0 - o.beta1());
            float c2 = (float) (1.0 - o.beta2());
            float bc2 = (float) Math.sqrt(1.0 - Math.pow(o.beta2(), step));
            float stepSize = (float) (lr / (1.0 - Math.pow(o.beta1(), step)));
            float eps = (float) o.epsilon();
            for (int k = 0; k < ref.length; k++) {
                ref[k] = ref[k] * decay;
                m[k] = m[k] * b1 + g[k] * c1;
                v[k] = v[k] * b2 + (g[k] * g[k]) * c2;
                float denom = (float) Math.sqrt(v[k]) / bc2 + eps;
                ref[k] = ref[k] - (m[k] / denom) * stepSize;
            }
        }
        return new float[][] {p.dup('c').data().asFloat(), ref};
    }

    @Test
    void savedStateResumesBitForBit(@TempDir Path dir) throws Exception {
        Nd4j.getRandom().setSeed(21);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("a.weight", Nd4j.randn(DataType.FLOAT, 4, 3));
        params.put("a.bias", Nd4j.randn(DataType.FLOAT, 3));
        List<Map<String, INDArray>> grads = List.of(grads(params, 1), grads(params, 2), grads(params, 3),
                grads(params, 4), grads(params, 5));
        AdamW opt = new AdamW(AdamW.Options.defaults());
        for (int s = 0; s < 3; s++) {
            opt.step(params, grads.get(s), 1e-3 * (s + 1));
        }
        Path f = dir.resolve("optimizer.safetensors");
        opt.save(f);
        Map<String, INDArray> copy = new LinkedHashMap<>();
        params.forEach((k, a) -> copy.put(k, a.dup()));
        AdamW resumed = new AdamW(AdamW.Options.defaults());
        resumed.load(f, copy);
        assertEquals(3, resumed.step());
        for (int s = 3; s < 5; s++) {
            opt.step(params, grads.get(s), 1e-3 * (s + 1));
            resumed.step(copy, grads.get(s), 1e-3 * (s + 1));
        }
        for (String k : params.keySet()) {
            assertEquals(params.get(k), copy.get(k), k);
            float[] a = params.get(k).data().asFloat();
            float[] b = copy.get(k).data().asFloat();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k + "[" + i + "]");
            }
        }
    }

    @Test
    void restoreRejectsMismatchedState(@TempDir Path dir) throws Exception {
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("a.weight", Nd4j.randn(DataType.FLOAT, 4, 3));
        AdamW opt = new AdamW(AdamW.Options.defaults());
        opt.step(params, grads(params, 1), 1e-3);
        Path f = dir.resolve("optimizer.safetensors");
        opt.save(f);

        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> new AdamW(AdamW.Options.torchDefaults()).load(f, params));
        assertTrue(e.getMessage().contains("epsilon is 1.0E-6 in the state but 1.0E-8"), e.getMessage());
        e = assertThrows(CheckpointFormatException.class,
                () -> new AdamW(AdamW.Options.defaults()).load(f, Map.of("a.weight", Nd4j.ones(DataType.FLOAT, 3, 4))));
        assertTrue(e.getMessage().contains("'exp_avg.a.weight' is FLOAT[4, 3] but parameter 'a.weight' is FLOAT[3, 4]"),
                e.getMessage());
        e = assertThrows(CheckpointFormatException.class,
                () -> new AdamW(AdamW.Options.defaults()).load(f, Map.of("b", Nd4j.ones(2))));
        assertTrue(e.getMessage().contains("unknown parameter 'a.weight'"), e.getMessage());

        Map<String, INDArray> onlyM = new LinkedHashMap<>(opt.stateTensors());
        onlyM.remove("exp_avg_sq.a.weight");
        Safetensors.write(f, onlyM, opt.stateMetadata());
        e = assertThrows(CheckpointFormatException.class, () -> new AdamW(AdamW.Options.defaults()).load(f, params));
        assertTrue(e.getMessage().contains("different parameters"), e.getMessage());
    }

    @Test
    void badCallsAreRejected() {
        AdamW opt = new AdamW(AdamW.Options.defaults());
        Map<String, INDArray> params = Map.of("w", Nd4j.ones(DataType.FLOAT, 2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> opt.step(params, Map.of("x", Nd4j.ones(DataType.FLOAT, 2, 2)), 1e-3));
        assertTrue(e.getMessage().contains("'x' has no parameter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> opt.step(params, Map.of("w", Nd4j.ones(DataType.FLOAT, 4)), 1e-3));
        assertTrue(e.getMessage().contains("FLOAT[4] but the parameter is FLOAT[2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> opt.step(params, Map.of("w", Nd4j.ones(DataType.FLOAT, 2, 2)), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(0.9, 0.999, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(0.9, 0.999, 1e-8, -1));
        assertEquals(0, opt.step(), "failed calls do not advance the step");
        assertFalse(opt.firstMoments().containsKey("w"));
    }

    private static Map<String, INDArray> grads(Map<String, INDArray> params, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> g = new LinkedHashMap<>();
        params.forEach((k, a) -> g.put(k, Nd4j.randn(a.dataType(), a.shape())));
        return g;
    }

    /** torch.optim.AdamW, one element at a time, in double. */
    private static void referenceStep(double[] p, double[] g, double[] m, double[] v, long t, double lr,
                                      AdamW.Options o, boolean decay) {
        double bc1 = 1 - Math.pow(o.beta1(), t);
        double bc2 = 1 - Math.pow(o.beta2(), t);
        for (int i = 0; i < p.length; i++) {
            if (decay) {
                p[i] *= 1 - lr * o.weightDecay();
            }
            m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g[i];
            v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g[i] * g[i];
            double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + o.epsilon();
            p[i] -= lr / bc1 * m[i] / denom;
        }
    }
}
