package io.mlsm.core.data;

/**
 * How lines become model inputs.
 *
 * <pre>{@code
 * SequenceOptions opts = SequenceOptions.defaults();             // pairs, 128 ids, at least 4 content ids
 * SequenceOptions single = new SequenceOptions(64, 1, false);    // one line per sequence, 64 ids
 * }</pre>
 *
 * @param maxLength        maximum number of ids per sequence, special tokens included (at least 3 for pairs, 2 for
 *                         single lines); longer inputs are truncated longest-first
 * @param minContentTokens sequences with fewer content ids (A and B together, before truncation, special tokens not
 *                         counted) are dropped; at least 1
 * @param pairLines        {@code true}: {@code [CLS] A [SEP] B [SEP]} from pairs of consecutive non-blank lines of a
 *                         file (lines 1+2, 3+4, ...; a file's last unpaired line becomes {@code [CLS] A [SEP]});
 *                         {@code false}: every non-blank line alone as {@code [CLS] A [SEP]}
 * @param windowLongLines  {@code true}: a line with more content ids than one sequence holds ({@code maxLength - 2})
 *                         is cut into consecutive windows of {@code maxLength - 2} ids, each its own
 *                         {@code [CLS] window [SEP]} (a last window shorter than {@code minContentTokens} is dropped),
 *                         so a corpus of a few very long lines (e.g. a book on one line) trains on all of its text;
 *                         {@code false}: such a line is truncated (the default, as the papers' pipelines do)
 */
public record SequenceOptions(int maxLength, int minContentTokens, boolean pairLines, boolean windowLongLines)
        implements java.io.Serializable {

    /** Sequence length of the papers. */
    public static final int DEFAULT_MAX_LENGTH = 128;
    /** Default minimum of content ids per sequence. */
    public static final int DEFAULT_MIN_CONTENT_TOKENS = 4;

    public SequenceOptions {
        if (maxLength < (pairLines ? 3 : 2)) {
            throw new IllegalArgumentException("maxLength must be >= " + (pairLines ? 3 : 2) + " for "
                    + (pairLines ? "[CLS] A [SEP] B [SEP]" : "[CLS] A [SEP]") + ", got " + maxLength);
        }
        if (minContentTokens < 1) {
            throw new IllegalArgumentException("minContentTokens must be >= 1, got " + minContentTokens);
        }
    }

    /** Pairs or single lines, long lines truncated. */
    public SequenceOptions(int maxLength, int minContentTokens, boolean pairLines) {
        this(maxLength, minContentTokens, pairLines, false);
    }

    /** @return pairs of lines, 128 ids, at least 4 content ids */
    public static SequenceOptions defaults() {
        return new SequenceOptions(DEFAULT_MAX_LENGTH, DEFAULT_MIN_CONTENT_TOKENS, true);
    }

    /** @return a copy with another maximum length */
    public SequenceOptions withMaxLength(int length) {
        return new SequenceOptions(length, minContentTokens, pairLines, windowLongLines);
    }

    /** @return a copy with another minimum number of content ids */
    public SequenceOptions withMinContentTokens(int min) {
        return new SequenceOptions(maxLength, min, pairLines, windowLongLines);
    }

    /** @return a copy that cuts over-long lines into windows ({@code true}) or truncates them ({@code false}) */
    public SequenceOptions withWindowLongLines(boolean window) {
        return new SequenceOptions(maxLength, minContentTokens, pairLines, window);
    }
}
