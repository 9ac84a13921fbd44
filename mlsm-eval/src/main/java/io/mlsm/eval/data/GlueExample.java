package io.mlsm.eval.data;

/**
 * One labelled fine-tuning example: one text ({@code textB == null}) or a pair, encoded as
 * {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}.
 *
 * @param textA first text
 * @param textB second text or {@code null}
 * @param label class index in {@code [0, numLabels)}
 * @param where {@code file:line} it came from
 */
public record GlueExample(String textA, String textB, int label, String where) {

    public GlueExample {
        if (textA == null) {
            throw new IllegalArgumentException("example at " + where + ": textA is null");
        }
        if (label < 0) {
            throw new IllegalArgumentException("example at " + where + ": label must be >= 0, got " + label);
        }
    }

    /** @return whether the example is a text pair */
    public boolean isPair() {
        return textB != null;
    }
}
