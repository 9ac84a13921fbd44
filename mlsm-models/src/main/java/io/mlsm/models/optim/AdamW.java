package io.mlsm.models.optim;

import io.mlsm.models.io.CheckpointFormatException;
import io.mlsm.models.io.Safetensors;
import io.mlsm.models.io.SafetensorsReader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization"; Kingma &amp;
 * Ba 2015, "Adam"), computed exactly as {@code torch.optim.AdamW}: for an update with rate {@code lr} at step
 * {@code t} (counting from 1),
 * <pre>
 *   p ← p · (1 − lr·λ)                     (only parameters that take decay)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 * </pre>
 * Parameters and gradients are {@code Map<String, INDArray>} by name, updated in place; parameters without a gradient
 * in a call are left alone. By default biases and LayerNorm gains take no decay ({@link #HF_NO_DECAY}: names containing
 * {@code bias} — which covers DeBERTa's {@code q_bias}/{@code v_bias} — or {@code LayerNorm.weight}, as the Hugging
 * Face training scripts). The state (step, first and second moments) is saved to and restored from safetensors
 * exactly.
 *
 * <pre>{@code
 * AdamW opt = new AdamW(AdamW.Options.defaults().withWeightDecay(0.01));
 * LearningRateSchedule lr = LearningRateSchedule.linearWarmupDecay(1e-4, 100, 10_000);
 * opt.step(params, grads, lr.at(opt.step()));
 * opt.save(dir.resolve("optimizer.safetensors"));
 * }</pre>
 */
public final class AdamW {

    /** Hugging Face's no-decay rule: names containing {@code bias} or {@code LayerNorm.weight}. */
    public static final Predicate<String> HF_NO_DECAY = n -> n.contains("bias") || n.contains("LayerNorm.weight");

    /** No exclusion: weight decay on every parameter, as {@code torch.optim.AdamW(model.parameters(), …)}. */
    public static final Predicate<String> DECAY_ALL = n -> false;

    /** Name prefix of first-moment tensors in the saved state. */
    public static final String M_PREFIX = "exp_avg.";
    /** Name prefix of second-moment tensors in the saved state. */
    public static final String V_PREFIX = "exp_avg_sq.";

    /**
     * Hyper-parameters.
     *
     * @param beta1       first-moment decay (default 0.9)
     * @param beta2       second-moment decay (default 0.999)
     * @param epsilon     added to the denominator (default 1e-6, DeBERTa's pre-training setting; PyTorch's default
     *                    is 1e-8, see {@link #torchDefaults()})
     * @param weightDecay decoupled decay λ (default 0.01, the papers)
     */
    public record Options(double beta1, double beta2, double epsilon, double weightDecay) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite value > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be a finite value >= 0, got " + weightDecay);
            }
        }

        /** @return β1 0.9, β2 0.999, ε 1e-6, λ 0.01 */
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-6, 0.01);
        }

        /** @return {@code torch.optim.AdamW} defaults: β1 0.9, β2 0.999, ε 1e-8, λ 0.01 */
        public static Options torchDefaults() {
            return new Options(0.9, 0.999, 1e-8, 0.01);
        }

        /** @param wd decay @return a copy with it */
        public Options withWeightDecay(double wd) {
            return new Options(beta1, beta2, epsilon, wd);
        }

        /** @param eps epsilon @return a copy with it */
        public Options withEpsilon(double eps) {
            return new Options(beta1, beta2, eps, weightDecay);
        }

        /** @param b1 β1 @param b2 β2 @return a copy with them */
        public Options withBetas(double b1, double b2) {
            return new Options(b1, b2, epsilon, weightDecay);
        }
    }

    private final Options options;
    private final Predicate<String> noDecay;
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long step;

    /** @param options hyper-parameters; no decay for {@link #HF_NO_DECAY} */
    public AdamW(Options options) {
        this(options, HF_NO_DECAY);
    }

    /**
     * @param options hyper-parameters
     * @param noDecay which parameter names take no weight decay
     */
    public AdamW(Options options, Predicate<String> noDecay) {
        if (options == null || noDecay == null) {
            throw new IllegalArgumentException("options and noDecay must not be null");
        }
        this.options = options;
        this.noDecay = noDecay;
    }

    /** @return the hyper-parameters */
    public Options options() {
        return options;
    }

    /** @return updates made so far */
    public long step() {
        return step;
    }

    /**
     * @param name parameter name
     * @return whether it takes weight decay
     */
    public boolean decays(String name) {
        return !noDecay.test(name);
    }

    /** @return first moments by parameter name (live, read-only view) */
    public Map<String, INDArray> firstMoments() {
        return Collections.unmodifiableMap(m);
    }

    /** @return second moments by parameter name (live, read-only view) */
    public Map<String, INDArray> secondMoments() {
        return Collections.unmodifiableMap(v);
    }

    /**
     * One update of every parameter that has a gradient.
     *
     * @param params parameters by name (updated in place)
     * @param grads  gradients by name (not modified); every name must be a parameter of the same shape and type
     * @param lr     learning rate of this update
     * @throws IllegalArgumentException naming a gradient without parameter, or a shape/type mismatch
     */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite value >= 0, got " + lr);
        }
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray p = params.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("gradient '" + e.getKey() + "' has no parameter");
            }
            INDArray g = e.getValue();
            if (!Arrays.equals(p.shape(), g.shape()) || p.dataType() != g.dataType()) {
                throw new IllegalArgumentException("gradient '" + e.getKey() + "' is " + g.dataType()
                        + Arrays.toString(g.shape()) + " but the parameter is " + p.dataType()
                        + Arrays.toString(p.shape()));
            }
            INDArray mi = m.get(e.getKey());
            if (mi != null && (!Arrays.equals(mi.shape(), p.shape()) || mi.dataType() != p.dataType())) {
                throw new IllegalArgumentException("optimizer state of '" + e.getKey() + "' is " + mi.dataType()
                        + Arrays.toString(mi.shape()) + " but the parameter is " + p.dataType()
                        + Arrays.toString(p.shape()));
            }
        }
        long t = step + 1;
        double b1 = options.beta1();
        double b2 = options.beta2();
        double bc1 = 1.0 - Math.pow(b1, t);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(b2, t));
        double stepSize = lr / bc1;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            String name = e.getKey();
            INDArray p = params.get(name);
            INDArray g = e.getValue();
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));   // same shape as p
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            double decay = decays(name) ? 1.0 - lr * options.weightDecay() : 1.0;
            if (fusable(p, g, mi, vi)) {
                fusedUpdate(p, g, mi, vi, decay, bc2Sqrt, stepSize);
            } else {
                if (decay != 1.0) {
                    p.muli(decay);
                }
                mi.muli(b1).addi(g.mul(1.0 - b1));
                INDArray gg = g.mul(g);
                vi.muli(b2).addi(gg.muli(1.0 - b2));
                INDArray denom = Transforms.sqrt(vi, true).divi(bc2Sqrt).addi(options.epsilon());
                p.subi(mi.div(denom).muli(stepSize));
            }
        }
        step = t;
    }

    /** Elements per chunk of the fused float32 update (4 scratch arrays of this size stay in L2). */
    private static final int CHUNK = 16_384;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    /**
     * Whether the fused CPU path applies: float32, compact 'c'-ordered host buffers (parameters, fresh gradients and
     * this optimizer's moments are).
     */
    private static boolean fusable(INDArray... arrays) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.isView() || a.ordering() != 'c' || a.offset() != 0
                    || a.data().length() != a.length() || a.length() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /**
     * The update in one pass over memory, in float32 arithmetic with the same operation order as the ND4J path
     * (Java never contracts to FMA, so results are reproducible): chunks are copied in bulk from the arrays' native
     * buffers, updated, and copied back; chunks run in parallel.
     */
    private void fusedUpdate(INDArray p, INDArray g, INDArray mi, INDArray vi, double decay, double bc2Sqrt,
                             double stepSize) {
        FloatBuffer pb = p.data().asNioFloat();
        FloatBuffer gb = g.data().asNioFloat();
        FloatBuffer mb = mi.data().asNioFloat();
        FloatBuffer vb = vi.data().asNioFloat();
        int n = (int) p.length();
        float decayF = (float) decay;
        boolean applyDecay = decay != 1.0;
        float b1 = (float) options.beta1();
        float c1 = (float) (1.0 - options.beta1());
        float b2 = (float) options.beta2();
        float c2 = (float) (1.0 - options.beta2());
        float bc2 = (float) bc2Sqrt;
        float eps = (float) options.epsilon();
        float ss = (float) stepSize;
        int chunks = (n + CHUNK - 1) / CHUNK;
        IntStream range = IntStream.range(0, chunks);
        (chunks > 4 ? range.parallel() : range).forEach(c -> {
            int from = c * CHUNK;
            int len = Math.min(CHUNK, n - from);
            float[][] s = SCRATCH.get();
            float[] pa = s[0];
            float[] ga = s[1];
            float[] ma = s[2];
            float[] va = s[3];
            pb.get(from, pa, 0, len);
            gb.get(from, ga, 0, len);
            mb.get(from, ma, 0, len);
            vb.get(from, va, 0, len);
            for (int i = 0; i < len; i++) {
                float pi = applyDecay ? pa[i] * decayF : pa[i];
                float gi = ga[i];
                float mNew = ma[i] * b1 + gi * c1;
                float vNew = va[i] * b2 + (gi * gi) * c2;
                float denom = (float) Math.sqrt(vNew) / bc2 + eps;
                pa[i] = pi - (mNew / denom) * ss;
                ma[i] = mNew;
                va[i] = vNew;
            }
            pb.put(from, pa, 0, len);
            mb.put(from, ma, 0, len);
            vb.put(from, va, 0, len);
        });
    }

    // ------------------------------------------------------------------ state

    /**
     * @return the moments as tensors named {@value #M_PREFIX}{@code <param>} and {@value #V_PREFIX}{@code <param>}
     *         (live arrays)
     */
    public Map<String, INDArray> stateTensors() {
        Map<String, INDArray> out = new TreeMap<>();
        m.forEach((k, a) -> out.put(M_PREFIX + k, a));
        v.forEach((k, a) -> out.put(V_PREFIX + k, a));
        return out;
    }

    /** @return step and hyper-parameters as strings (saved as safetensors metadata) */
    public Map<String, String> stateMetadata() {
        Map<String, String> md = new LinkedHashMap<>();
        md.put("optimizer", "AdamW");
        md.put("step", Long.toString(step));
        md.put("beta1", Double.toString(options.beta1()));
        md.put("beta2", Double.toString(options.beta2()));
        md.put("epsilon", Double.toString(options.epsilon()));
        md.put("weight_decay", Double.toString(options.weightDecay()));
        return md;
    }

    /**
     * Writes the state atomically to a safetensors file.
     *
     * @param file target
     * @throws IOException on failure (no partial file)
     */
    public void save(Path file) throws IOException {
        Safetensors.write(file, stateTensors(), stateMetadata());
    }

    /**
     * Restores a state saved by {@link #save(Path)}, replacing the current one. The file's hyper-parameters must equal
     * this optimizer's; every moment must belong to a parameter of the same shape and type.
     *
     * @param file   a file written by {@link #save(Path)}
     * @param params the parameters the state is for
     * @throws CheckpointFormatException naming the file and what is wrong
     * @throws IOException               on read failure
     */
    public void load(Path file, Map<String, INDArray> params) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            restore(r.readAll(), r.metadata(), params, file.toString());
        }
    }

    /**
     * Restores a state from tensors and metadata (see {@link #stateTensors()}, {@link #stateMetadata()}).
     *
     * @param tensors  moments
     * @param metadata step and hyper-parameters
     * @param params   the parameters the state is for
     * @param source   where the state came from, for messages
     * @throws CheckpointFormatException naming what is wrong (nothing is changed then)
     */
    public void restore(Map<String, INDArray> tensors, Map<String, String> metadata, Map<String, INDArray> params,
                        String source) throws CheckpointFormatException {
        if (!"AdamW".equals(metadata.get("optimizer"))) {
            throw new CheckpointFormatException(source + ": not an AdamW state (optimizer="
                    + metadata.get("optimizer") + ")");
        }
        long savedStep;
        try {
            savedStep = Long.parseLong(String.valueOf(metadata.get("step")));
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(source + ": optimizer step '" + metadata.get("step")
                    + "' is not an integer");
        }
        if (savedStep < 0) {
            throw new CheckpointFormatException(source + ": optimizer step " + savedStep + " < 0");
        }
        Map<String, String> mine = stateMetadata();
        for (String k : new String[] {"beta1", "beta2", "epsilon", "weight_decay"}) {
            if (!mine.get(k).equals(metadata.get(k))) {
                throw new CheckpointFormatException(source + ": optimizer " + k + " is " + metadata.get(k)
                        + " in the state but " + mine.get(k) + " in this optimizer");
            }
        }
        Map<String, INDArray> newM = new LinkedHashMap<>();
        Map<String, INDArray> newV = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String k = e.getKey();
            Map<String, INDArray> target;
            String name;
            if (k.startsWith(M_PREFIX)) {
                target = newM;
                name = k.substring(M_PREFIX.length());
            } else if (k.startsWith(V_PREFIX)) {
                target = newV;
                name = k.substring(V_PREFIX.length());
            } else {
                throw new CheckpointFormatException(source + ": unexpected optimizer tensor '" + k + "'");
            }
            INDArray p = params.get(name);
            if (p == null) {
                throw new CheckpointFormatException(source + ": optimizer state for unknown parameter '" + name
                        + "'");
            }
            INDArray a = e.getValue();
            if (!Arrays.equals(a.shape(), p.shape()) || a.dataType() != p.dataType()) {
                throw new CheckpointFormatException(source + ": optimizer tensor '" + k + "' is " + a.dataType()
                        + Arrays.toString(a.shape()) + " but parameter '" + name + "' is " + p.dataType()
                        + Arrays.toString(p.shape()));
            }
            target.put(name, a.dup('c'));
        }
        if (!newM.keySet().equals(newV.keySet())) {
            throw new CheckpointFormatException(source + ": first and second moments cover different parameters: "
                    + newM.keySet() + " vs " + newV.keySet());
        }
        m.clear();
        v.clear();
        m.putAll(newM);
        v.putAll(newV);
        step = savedStep;
    }
}
