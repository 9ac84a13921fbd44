package io.mlsm.models.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The loss terms of the objectives, as SameDiff sub-graphs over rows that are already restricted to target positions.
 * Built only from ops whose gradients pass in ND4J 1.0.0-M2.1 ({@code logSoftmax} on the last axis, no
 * {@code where}, no sparse cross-entropy).
 * <ul>
 *   <li>{@link #crossEntropy}: MLM / classification, mean over rows;</li>
 *   <li>{@link #klDivergenceMean}: KD, {@code KL(p_teacher ‖ softmax(logits))} averaged over target rows
 *   (Hinton et al. 2015, temperature 1);</li>
 *   <li>{@link #klDivergenceOverNonEmpty}: MLSM, {@code KL(p ‖ softmax(concept logits))} summed over rows and divided
 *   by the number of rows whose target is not all-zero ("batchmean" over real targets; an all-zero row contributes
 *   nothing and is not counted; a batch without any real target has loss 0).</li>
 * </ul>
 *
 * <pre>{@code
 * SDVariable mlm = ObjectiveLosses.crossEntropy(sd, logits, labels, vocabSize);   // scalar
 * }</pre>
 */
public final class ObjectiveLosses {

    private ObjectiveLosses() {
    }

    /**
     * @param logits {@code [N, C]}
     * @param labels class ids {@code [N]} (int)
     * @param classes C
     * @return mean over rows of {@code −log softmax(logits)[label]} (scalar)
     */
    public static SDVariable crossEntropy(SameDiff sd, SDVariable logits, SDVariable labels, int classes) {
        return crossEntropyRows(sd, logits, labels, classes).mean();                                   // []
    }

    /**
     * @param weights row weights {@code [N]} (1 real, 0 padding: {@link LossGraph#targetWeights})
     * @return {@code Σ w·(−log softmax(logits)[label]) / Σ w} (scalar)
     */
    public static SDVariable crossEntropy(SameDiff sd, SDVariable logits, SDVariable labels, int classes,
                                          SDVariable weights) {
        return weightedMean(sd, crossEntropyRows(sd, logits, labels, classes), weights);              // []
    }

    /** @return per-row {@code −log softmax(logits)[label]} {@code [N, 1]} */
    private static SDVariable crossEntropyRows(SameDiff sd, SDVariable logits, SDVariable labels, int classes) {
        SDVariable oneHot = sd.oneHot(labels, classes, -1, 1.0, 0.0, logits.dataType());            // [N, C]
        SDVariable shifted = logits.sub(logits.max(true, 1));                                       // [N, C]
        SDVariable logSumExp = sd.math.log(sd.math.exp(shifted).sum(true, 1));                      // [N, 1]
        SDVariable picked = oneHot.mul(shifted).sum(true, 1);                                        // [N, 1]
        // log-sum-exp from elementwise ops: libnd4j's log_softmax (and the fused softmax_cross_entropy_loss) took
        // 0.45 s (1.4 s) of a 4.4 s small-preset step over [N, V]; these run at memory speed
        return logSumExp.sub(picked);                                                                 // [N, 1]
    }

    /** @return {@code Σ w·rows / Σ w} over rows {@code [N]} or {@code [N, 1]} with weights {@code [N]} */
    public static SDVariable weightedMean(SameDiff sd, SDVariable rows, SDVariable weights) {
        SDVariable flat = sd.reshape(rows, -1);                                                        // [N]
        return flat.mul(weights).sum().div(weights.sum());                                            // []
    }

    /**
     * @param logits  {@code [N, C]}
     * @param targets probability rows {@code [N, C]}
     * @return per-row {@code KL(target ‖ softmax(logits))} {@code [N]}
     */
    public static SDVariable klDivergenceRows(SameDiff sd, SDVariable logits, SDVariable targets) {
        SDVariable logq = sd.nn.logSoftmax(logits);                                                   // [N, C]
        SDVariable zero = sd.eq(targets, 0.0).castTo(targets.dataType());                            // [N, C]
        SDVariable entropyTerm = targets.mul(sd.math.log(targets.add(zero)));                        // [N, C]
        return entropyTerm.sub(targets.mul(logq)).sum(1);                                             // [N]
    }

    /** @return {@code KL} averaged over all rows (KD) */
    public static SDVariable klDivergenceMean(SameDiff sd, SDVariable logits, SDVariable targets) {
        return klDivergenceRows(sd, logits, targets).mean(0);                                          // []
    }

    /** @return {@code KL} averaged over rows weighted by {@code weights} {@code [N]} (1 real, 0 padding) */
    public static SDVariable klDivergenceMean(SameDiff sd, SDVariable logits, SDVariable targets,
                                              SDVariable weights) {
        return weightedMean(sd, klDivergenceRows(sd, logits, targets), weights);                     // []
    }

    /** @return {@code KL} summed over rows / number of rows with a non-zero target (MLSM) */
    public static SDVariable klDivergenceOverNonEmpty(SameDiff sd, SDVariable logits, SDVariable targets) {
        SDVariable rows = klDivergenceRows(sd, logits, targets);                                       // [N]
        SDVariable nonEmpty = sd.gt(targets.sum(1), 0.0).castTo(targets.dataType());                  // [N]
        SDVariable count = sd.math.max(nonEmpty.sum(0), sd.constant(1.0).castTo(targets.dataType())); // []
        return rows.sum(0).div(count);                                                                 // []
    }
}
