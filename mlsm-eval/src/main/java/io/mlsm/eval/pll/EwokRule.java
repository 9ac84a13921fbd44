package io.mlsm.eval.pll;

/**
 * How an EWoK item is judged from the scores {@code s(T|C)} (PLL of target {@code T} after context {@code C}).
 * Ties count as wrong under both rules (BabyLM 2024 fixed its EWoK scoring this way, see Berend 2024, Sect. 4.3).
 */
public enum EwokRule {
    /**
     * BabyLM pipeline (2024/2025) for the filtered data: correct iff {@code s(T1|C1) > s(T2|C1)}. Each item is
     * stored twice with contexts and targets swapped, so the second copy checks {@code s(T2|C2) > s(T1|C2)}.
     */
    TARGETS_UNDER_CONTEXT1,
    /**
     * Both context comparisons: correct iff {@code s(T1|C1) > s(T1|C2)} and {@code s(T2|C2) > s(T2|C1)}
     * (four scores per item).
     */
    CONTEXTS_PER_TARGET
}
