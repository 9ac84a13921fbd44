package io.mlsm.eval.finetune;

import io.mlsm.eval.data.GlueMetric;

/**
 * Classification metrics with scikit-learn's conventions: accuracy; Matthews correlation coefficient (multi-class
 * form of Gorodkin 2004, equal to the binary formula for two classes; 0 when a denominator is 0, e.g. when all
 * predictions are one class); F1 of class 1 ({@code 2TP / (2TP + FP + FN)}, 0 when there is no positive at all).
 *
 * <pre>{@code
 * double mcc = ClassificationMetrics.mcc(gold, predicted);
 * double s = ClassificationMetrics.score(GlueMetric.F1, gold, predicted);
 * }</pre>
 */
public final class ClassificationMetrics {

    private ClassificationMetrics() {
    }

    /** @return the value of {@code metric} */
    public static double score(GlueMetric metric, int[] gold, int[] predicted) {
        return switch (metric) {
            case ACCURACY -> accuracy(gold, predicted);
            case MCC -> mcc(gold, predicted);
            case F1 -> f1(gold, predicted);
        };
    }

    /** @return the fraction of equal labels */
    public static double accuracy(int[] gold, int[] predicted) {
        check(gold, predicted);
        int c = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] == predicted[i]) {
                c++;
            }
        }
        return (double) c / gold.length;
    }

    /** @return the F1 score of the positive class 1 */
    public static double f1(int[] gold, int[] predicted) {
        check(gold, predicted);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < gold.length; i++) {
            boolean g = gold[i] == 1;
            boolean p = predicted[i] == 1;
            if (g && p) {
                tp++;
            } else if (p) {
                fp++;
            } else if (g) {
                fn++;
            }
        }
        long den = 2 * tp + fp + fn;
        return den == 0 ? 0.0 : 2.0 * tp / den;
    }

    /** @return the Matthews correlation coefficient in [-1, 1] */
    public static double mcc(int[] gold, int[] predicted) {
        check(gold, predicted);
        int k = 0;
        for (int i = 0; i < gold.length; i++) {
            k = Math.max(k, Math.max(gold[i], predicted[i]) + 1);
        }
        long[] t = new long[k];   // true count per class
        long[] p = new long[k];   // predicted count per class
        long c = 0;
        for (int i = 0; i < gold.length; i++) {
            t[gold[i]]++;
            p[predicted[i]]++;
            if (gold[i] == predicted[i]) {
                c++;
            }
        }
        double s = gold.length;
        double tp = 0;
        double pp = 0;
        double tt = 0;
        for (int j = 0; j < k; j++) {
            tp += (double) t[j] * p[j];
            pp += (double) p[j] * p[j];
            tt += (double) t[j] * t[j];
        }
        double cov = c * s - tp;
        double den = Math.sqrt((s * s - pp) * (s * s - tt));
        return den == 0 ? 0.0 : cov / den;
    }

    private static void check(int[] gold, int[] predicted) {
        if (gold.length != predicted.length) {
            throw new IllegalArgumentException("gold has " + gold.length + " labels but predictions "
                    + predicted.length);
        }
        if (gold.length == 0) {
            throw new IllegalArgumentException("no labels to score");
        }
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || predicted[i] < 0) {
                throw new IllegalArgumentException("labels must be >= 0, got gold " + gold[i] + " predicted "
                        + predicted[i] + " at " + i);
            }
        }
    }
}
