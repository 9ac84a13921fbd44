package io.mlsm.models.graph;

import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small SameDiff building blocks whose built-in counterparts are wrong or slow in ND4J 1.0.0-M2.1 (see
 * {@code docs/samediff-notes.md}): LayerNorm with epsilon written out, exact (erf) GELU, dense layers on 2-D inputs
 * and dropout as a multiplier fed from outside the graph.
 *
 * <pre>{@code
 * SDVariable y = LayerBlocks.layerNorm(sd, LayerBlocks.linear(sd, x, w, b), g, beta, 1e-7);   // [N, out]
 * }</pre>
 */
public final class LayerBlocks {

    private LayerBlocks() {
    }

    /**
     * Hugging Face {@code DebertaLayerNorm}: {@code g * (x - mean) / sqrt(var + eps) + b} over the last axis of a
     * 2-D input (biased variance).
     *
     * @param x   {@code [N, H]}
     * @param g   gain {@code [H]}
     * @param b   bias {@code [H]}
     * @param eps variance epsilon
     * @return {@code [N, H]}
     */
    public static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable g, SDVariable b, double eps) {
        SDVariable mean = x.mean(true, 1);                           // [N, 1]
        SDVariable centred = x.sub(mean);                           // [N, H]
        SDVariable var = centred.mul(centred).mean(true, 1);        // [N, 1]
        SDVariable inv = sd.math.rsqrt(var.add(eps));               // [N, 1]
        return addRow(sd, mulRow(sd, mulColumn(sd, centred, inv, g.getShape()[0]), g), b);   // [N, H]
    }

    /**
     * {@code x + v} with {@code v} broadcast over the rows, written as {@code x + 1·vᵀ} (an outer product): its
     * gradient for {@code v} is then a matrix-vector product. libnd4j's broadcasting {@code add_bp} sums the column
     * with a strided reduction about ten times slower (34 ms against 3 ms for a [4096, 1024] bias).
     *
     * <p>In a graph that is never differentiated ({@link SameDiffWorkarounds#newInferenceGraph()}) it is the plain
     * broadcast {@code x.add(v)}: one op instead of seven, the same values (a product with a column of ones is exact).
     *
     * @param x {@code [N, C]}
     * @param v {@code [C]}
     * @return {@code [N, C]}, the same values as {@code x.add(v)}
     */
    public static SDVariable addRow(SameDiff sd, SDVariable x, SDVariable v) {
        return SameDiffWorkarounds.isInferenceGraph(sd) ? x.add(v) : x.add(outer(sd, x, v));
    }

    /**
     * {@code x * v} with {@code v} broadcast over the rows, as {@code x * 1·vᵀ} (see {@link #addRow}; the plain
     * broadcast in an inference graph).
     */
    public static SDVariable mulRow(SameDiff sd, SDVariable x, SDVariable v) {
        return SameDiffWorkarounds.isInferenceGraph(sd) ? x.mul(v) : x.mul(outer(sd, x, v));
    }

    /**
     * {@code x * c} with the column {@code c} broadcast over the columns of {@code x}, as {@code x * c·1ᵀ}: the
     * broadcasting {@code multiply_bp} took 25 ms for a [4096, 256] LayerNorm scale, the outer product and a
     * same-shape product 2 ms.
     *
     * @param x    {@code [N, C]}
     * @param c    {@code [N, 1]}
     * @param cols C
     * @return {@code [N, C]}, the same values as {@code x.mul(c)} (which it is in an inference graph)
     */
    public static SDVariable mulColumn(SameDiff sd, SDVariable x, SDVariable c, long cols) {
        if (SameDiffWorkarounds.isInferenceGraph(sd)) {
            return x.mul(c);
        }
        SDVariable ones = sd.constant(Nd4j.ones(x.dataType(), 1, cols));                      // [1, C]
        return x.mul(sd.mmul(c, ones));                                                       // [N, C]
    }

    /** @return {@code 1·vᵀ} with as many rows as {@code x}: {@code [N, C]} */
    private static SDVariable outer(SameDiff sd, SDVariable x, SDVariable v) {
        SDVariable rows = x.shape().get(SDIndex.interval(0L, 1L));                            // [1] int64
        SDVariable shape = sd.concat(0, rows, sd.constant(Nd4j.createFromArray(1L)));         // [2] = {N, 1}
        SDVariable ones = sd.fill(shape, x.dataType(), 1.0);                                  // [N, 1], no gradient
        return sd.mmul(ones, sd.reshape(v, 1, -1));                                           // [N, C]
    }

    /**
     * Exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))} (Hendrycks and Gimpel 2016).
     *
     * @param x any shape
     * @return same shape
     */
    public static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable erf = sd.math.erf(x.mul(1.0 / Math.sqrt(2.0)));
        return x.mul(0.5).mul(erf.add(1.0));
    }

    /**
     * Dense layer in torch layout: {@code x W^T + b}.
     *
     * @param x {@code [N, in]}
     * @param w {@code [out, in]}
     * @param b {@code [out]} or null
     * @return {@code [N, out]}
     */
    public static SDVariable linear(SameDiff sd, SDVariable x, SDVariable w, SDVariable b) {
        SDVariable y = sd.mmul(x, w, false, true, false);           // [N, out]
        return b == null ? y : addRow(sd, y, b);
    }

    /**
     * Inverted dropout with the mask as a placeholder (values 0 or {@code 1/keep}), so the caller draws it from a seed
     * and inference graphs simply do not have it.
     *
     * @param x    activations
     * @param name placeholder name, from {@link VariableNames}
     * @param shape placeholder shape (−1 for the batch-dependent dimension)
     * @return {@code x * mask}
     */
    public static SDVariable dropout(SameDiff sd, SDVariable x, String name, long... shape) {
        SDVariable mask = sd.placeHolder(name, x.dataType(), shape);
        return x.mul(mask);
    }
}
