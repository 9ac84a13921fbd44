package io.mlsm.eval.data;

/**
 * One BLiMP-style minimal pair: an acceptable and an unacceptable sentence.
 *
 * @param benchmark  {@code "blimp"} or {@code "supplement"}
 * @param paradigm   the paradigm (BLiMP {@code UID}) or supplement task, e.g. {@code "adjunct_island"}
 * @param phenomenon the row of the papers' table, e.g. {@code "island effects"} or {@code "hypernym"}
 * @param good       the acceptable sentence
 * @param bad        the unacceptable sentence
 * @param where      {@code file:line} it came from
 */
public record MinimalPair(String benchmark, String paradigm, String phenomenon, String good, String bad,
                          String where) implements java.io.Serializable {

    public MinimalPair {
        for (String[] f : new String[][] {{"benchmark", benchmark}, {"paradigm", paradigm},
                {"phenomenon", phenomenon}, {"good", good}, {"bad", bad}}) {
            if (f[1] == null || f[1].isBlank()) {
                throw new IllegalArgumentException("minimal pair at " + where + ": " + f[0] + " is blank");
            }
        }
    }
}
