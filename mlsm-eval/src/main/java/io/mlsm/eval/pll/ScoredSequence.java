package io.mlsm.eval.pll;

import java.util.Arrays;

/**
 * A sequence to score by pseudo-log-likelihood: its ids (special tokens included) and the positions whose tokens
 * are masked in turn and summed.
 *
 * <pre>{@code
 * int[] ids = tok.encodeSingle(tok.encode("The cat sat."), 128);   // [CLS] ... [SEP]
 * ScoredSequence s = ScoredSequence.allButEnds(ids);              // positions 1 .. n-2
 * }</pre>
 *
 * @param ids       token ids, non-empty
 * @param positions distinct positions in {@code [0, ids.length)}, in increasing order
 */
public record ScoredSequence(int[] ids, int[] positions) {

    public ScoredSequence {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("ids must be non-empty");
        }
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= ids.length) {
                throw new IllegalArgumentException("position " + positions[i] + " outside [0, " + ids.length + ")");
            }
            if (i > 0 && positions[i] <= positions[i - 1]) {
                throw new IllegalArgumentException("positions must be strictly increasing, got "
                        + Arrays.toString(positions));
            }
        }
        ids = ids.clone();
        positions = positions.clone();
    }

    /** @return a sequence scored at every position but the first and the last ({@code [CLS]}, {@code [SEP]}) */
    public static ScoredSequence allButEnds(int[] ids) {
        int n = Math.max(0, ids.length - 2);
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            pos[i] = i + 1;
        }
        return new ScoredSequence(ids, pos);
    }

    /** @return the ids (a copy) */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** @return the positions (a copy) */
    @Override
    public int[] positions() {
        return positions.clone();
    }

    int length() {
        return ids.length;
    }

    int id(int t) {
        return ids[t];
    }

    int positionCount() {
        return positions.length;
    }

    int position(int j) {
        return positions[j];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoredSequence s && Arrays.equals(ids, s.ids) && Arrays.equals(positions, s.positions);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "ScoredSequence[ids=" + Arrays.toString(ids) + ", positions=" + Arrays.toString(positions) + "]";
    }
}
