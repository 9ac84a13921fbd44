package io.mlsm.eval.pll;

/**
 * Options of pseudo-log-likelihood scoring.
 *
 * @param maxBatchRows   most masked copies in one forward pass (bounded by memory), >= 1
 * @param maxBatchTokens most tokens ({@code rows × padded length}) in one forward pass, >= the longest sequence
 * @param maxLength      most ids of an encoded sentence, {@code [CLS]} and {@code [SEP]} included; longer
 *                       sentences are truncated (BLiMP's never are at 128), >= 3
 */
public record PllOptions(int maxBatchRows, int maxBatchTokens, int maxLength) {

    public PllOptions {
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

    /** @return 128 rows, 16384 tokens, length 128 (BabyLM's sequence length) */
    public static PllOptions defaults() {
        return new PllOptions(128, 128 * 128, 128);
    }

    /** @return a copy with another row limit */
    public PllOptions withMaxBatchRows(int rows) {
        return new PllOptions(rows, maxBatchTokens, maxLength);
    }
}
