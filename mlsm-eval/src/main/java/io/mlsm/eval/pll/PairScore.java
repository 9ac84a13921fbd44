package io.mlsm.eval.pll;

import io.mlsm.eval.data.MinimalPair;

/**
 * The PLLs of a minimal pair. The pair is solved when the acceptable sentence has the strictly higher PLL; a tie
 * counts as wrong.
 *
 * @param pair    the pair
 * @param goodPll PLL of the acceptable sentence
 * @param badPll  PLL of the unacceptable sentence
 */
public record PairScore(MinimalPair pair, double goodPll, double badPll) {

    /** @return whether {@code goodPll > badPll} */
    public boolean correct() {
        return goodPll > badPll;
    }
}
