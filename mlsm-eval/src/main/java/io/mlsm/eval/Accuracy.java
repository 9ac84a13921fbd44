package io.mlsm.eval;

import java.util.Collection;

/**
 * A count of correct answers out of a total.
 *
 * <pre>{@code
 * Accuracy a = new Accuracy(3, 4);   // a.value() == 0.75
 * }</pre>
 *
 * @param correct number of correct answers, in {@code [0, total]}
 * @param total   number of answers
 */
public record Accuracy(long correct, long total) {

    public Accuracy {
        if (correct < 0 || total < 0 || correct > total) {
            throw new IllegalArgumentException("need 0 <= correct <= total, got " + correct + "/" + total);
        }
    }

    /** @return {@code correct / total}, {@code NaN} when there are no answers */
    public double value() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** @return this count with one more answer */
    public Accuracy add(boolean isCorrect) {
        return new Accuracy(correct + (isCorrect ? 1 : 0), total + 1);
    }

    /** @return the unweighted mean of the values (macro average), {@code NaN} for none */
    public static double macroMean(Collection<Accuracy> parts) {
        return parts.stream().mapToDouble(Accuracy::value).average().orElse(Double.NaN);
    }

    /** @return the pooled count (micro average) */
    public static Accuracy pooled(Collection<Accuracy> parts) {
        long c = 0;
        long t = 0;
        for (Accuracy a : parts) {
            c += a.correct;
            t += a.total;
        }
        return new Accuracy(c, t);
    }
}
