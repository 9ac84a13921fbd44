package io.mlsm.models.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Global gradient-norm clipping (Pascanu, Mikolov, Bengio 2013, "On the difficulty of training recurrent neural
 * networks"), as {@code torch.nn.utils.clip_grad_norm_}: the L2 norm over all gradients together, and when it exceeds
 * {@code maxNorm} every gradient is scaled in place by {@code maxNorm / (norm + 1e-6)}. Non-finite gradients are
 * detected first and reported by parameter name.
 *
 * <pre>{@code
 * double norm = GradientClipping.clipGlobalNorm(grads, 1.0);   // throws NonFiniteValueException naming the NaNs
 * }</pre>
 */
public final class GradientClipping {

    /** Added to the norm before dividing (as PyTorch). */
    public static final double EPSILON = 1e-6;

    private GradientClipping() {
    }

    /**
     * @param grads gradients by parameter name
     * @return the L2 norm of all gradients concatenated (accumulated in double); NaN or infinite if any value is
     */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sumSq = 0;
        for (INDArray g : grads.values()) {
            sumSq += sumOfSquares(g);
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Scales all gradients in place so their global norm is at most {@code maxNorm}.
     *
     * @param grads   gradients by parameter name (modified in place)
     * @param maxNorm the largest norm allowed ({@code > 0})
     * @return the global norm before clipping
     * @throws NonFiniteValueException naming every gradient that holds NaN or infinity (nothing is scaled)
     */
    public static double clipGlobalNorm(Map<String, INDArray> grads, double maxNorm) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be a finite value > 0, got " + maxNorm);
        }
        double sumSq = 0;
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            double ss = sumOfSquares(e.getValue());
            if (!Double.isFinite(ss)) {
                bad.add(e.getKey());
            }
            sumSq += ss;
        }
        if (!bad.isEmpty()) {
            throw new NonFiniteValueException("gradient", bad);
        }
        double norm = Math.sqrt(sumSq);
        double coef = maxNorm / (norm + EPSILON);
        if (coef < 1.0) {
            for (INDArray g : grads.values()) {
                scale(g, coef);
            }
        }
        return norm;
    }

    /**
     * @param tensors tensors by name
     * @return names of those holding NaN or infinity, in map order
     */
    public static List<String> nonFinite(Map<String, INDArray> tensors) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue();
            if (!a.dataType().isFPType()) {
                continue;
            }
            boolean nonFinite = compactFloat(a) ? !Double.isFinite(sumOfSquares(a))
                    : BooleanIndexing.or(a, Conditions.isNan()) || BooleanIndexing.or(a, Conditions.isInfinite());
            if (nonFinite) {
                bad.add(e.getKey());
            }
        }
        return bad;
    }

    /**
     * @param what    what the tensors are (for the message, e.g. "gradient", "parameter")
     * @param tensors tensors by name
     * @throws NonFiniteValueException naming every tensor holding NaN or infinity
     */
    public static void requireFinite(String what, Map<String, INDArray> tensors) {
        List<String> bad = nonFinite(tensors);
        if (!bad.isEmpty()) {
            throw new NonFiniteValueException(what, bad);
        }
    }

    private static final int CHUNK = 16_384;

    /** Compact float32 host arrays are summed in Java (one pass, double accumulation, parallel chunks). */
    private static boolean compactFloat(INDArray a) {
        return Nd4j.getEnvironment().isCPU() && a.dataType() == DataType.FLOAT && !a.isView() && a.ordering() == 'c'
                && a.offset() == 0 && a.data().length() == a.length() && a.length() <= Integer.MAX_VALUE;
    }

    /**
     * @param a an array
     * @return the sum of its squared elements in double precision: NaN or infinite iff an element is (a float32
     *         square cannot overflow a double sum)
     */
    static double sumOfSquares(INDArray a) {
        if (!compactFloat(a)) {
            double n = a.norm2Number().doubleValue();
            return n * n;
        }
        FloatBuffer b = a.data().asNioFloat();
        int n = (int) a.length();
        int chunks = (n + CHUNK - 1) / CHUNK;
        IntStream range = IntStream.range(0, chunks);
        return (chunks > 4 ? range.parallel() : range).mapToDouble(c -> {
            int from = c * CHUNK;
            int len = Math.min(CHUNK, n - from);
            float[] s = SCRATCH.get();
            b.get(from, s, 0, len);
            double acc = 0;
            for (int i = 0; i < len; i++) {
                double x = s[i];
                acc += x * x;
            }
            return acc;
        }).sum();
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private static void scale(INDArray g, double coef) {
        if (!compactFloat(g)) {
            g.muli(coef);
            return;
        }
        FloatBuffer b = g.data().asNioFloat();
        float f = (float) coef;
        int n = (int) g.length();
        int chunks = (n + CHUNK - 1) / CHUNK;
        IntStream range = IntStream.range(0, chunks);
        (chunks > 4 ? range.parallel() : range).forEach(c -> {
            int from = c * CHUNK;
            int len = Math.min(CHUNK, n - from);
            float[] s = SCRATCH.get();
            b.get(from, s, 0, len);
            for (int i = 0; i < len; i++) {
                s[i] *= f;
            }
            b.put(from, s, 0, len);
        });
    }
}
