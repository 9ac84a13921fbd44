package io.mlsm.eval.pll;

/**
 * Options of pseudo-log-likelihood scoring.
 *
 * @param maxBatchRows   most masked copies in one forward pass (bounded by memory), >= 1
 * @param maxBatchTokens most tokens ({@code rows × padded length}) in one forward pass, >= the longest sequence
 * @param maxLength      most ids of an encoded sentence, {@code [CLS]} and {@code [SEP]} included; longer
 *                       sentences are truncated (BLiMP's never are at 128), >= 3
 * @param normaliser     the rows the log-softmax is taken over ({@link Normaliser#ALL_OUTPUTS}: the BabyLM
 *                       pipeline's choice)
 */
public record PllOptions(int maxBatchRows, int maxBatchTokens, int maxLength, Normaliser normaliser)
        implements java.io.Serializable {

    public PllOptions {
        if (normaliser == null) {
            throw new IllegalArgumentException("normaliser is required (ALL_OUTPUTS or VOCABULARY)");
        }
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("maxBatchRows must be >= 1, got " + maxBatchRows);
        }
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be >= 3, got " + maxLength);
        }
        if (maxBatchTokens < maxLength) {
            throw new IllegalArgumentException("maxBatchTokens (" + maxBatchTokens + ") must be >= maxLength ("
                    + maxLength + ") so that one sequence always fits");
        }
    }

    /** Batching limits with the default normaliser, {@link Normaliser#ALL_OUTPUTS}. */
    public PllOptions(int maxBatchRows, int maxBatchTokens, int maxLength) {
        this(maxBatchRows, maxBatchTokens, maxLength, Normaliser.ALL_OUTPUTS);
    }

    /** @return 128 rows, 16384 tokens, length 128 (BabyLM's sequence length), {@link Normaliser#ALL_OUTPUTS} */
    public static PllOptions defaults() {
        return new PllOptions(128, 128 * 128, 128, Normaliser.ALL_OUTPUTS);
    }

    /** @return a copy with another row limit */
    public PllOptions withMaxBatchRows(int rows) {
        return new PllOptions(rows, maxBatchTokens, maxLength, normaliser);
    }

    /** @return a copy with another normaliser */
    public PllOptions withNormaliser(Normaliser n) {
        return new PllOptions(maxBatchRows, maxBatchTokens, maxLength, n);
    }
}
