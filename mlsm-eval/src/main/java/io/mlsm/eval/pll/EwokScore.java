package io.mlsm.eval.pll;

import io.mlsm.eval.data.EwokItem;

/**
 * The target scores of one EWoK item: {@code sIJ = s(Target I | Context J)}; scores a rule does not need are
 * {@code NaN}.
 *
 * @param item the item
 * @param rule the rule it is judged by
 * @param s11  s(T1|C1)
 * @param s21  s(T2|C1)
 * @param s12  s(T1|C2)
 * @param s22  s(T2|C2)
 */
public record EwokScore(EwokItem item, EwokRule rule, double s11, double s21, double s12, double s22) {

    /** @return whether the item is solved under {@link #rule()}; ties (and NaN) are wrong */
    public boolean correct() {
        return switch (rule) {
            case TARGETS_UNDER_CONTEXT1 -> s11 > s21;
            case CONTEXTS_PER_TARGET -> s11 > s12 && s22 > s21;
        };
    }
}
