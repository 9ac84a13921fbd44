package io.mlsm.eval;

import java.util.List;

/**
 * How many items of each paradigm / task / domain to evaluate: the first {@code perGroup} items in file order
 * (deterministic, and the same items for every checkpoint, so curves compare like with like).
 *
 * <pre>{@code
 * EvalLimit quick = EvalLimit.firstN(50);   // --limit 50
 * EvalLimit full = EvalLimit.all();
 * }</pre>
 *
 * @param perGroup maximum number of items per group, at least 1; {@link Integer#MAX_VALUE} means all
 */
public record EvalLimit(int perGroup) {

    public EvalLimit {
        if (perGroup < 1) {
            throw new IllegalArgumentException("limit per group must be >= 1, got " + perGroup);
        }
    }

    /** @return no limit: every item is evaluated */
    public static EvalLimit all() {
        return new EvalLimit(Integer.MAX_VALUE);
    }

    /** @return the first {@code n} items of each group */
    public static EvalLimit firstN(int n) {
        return new EvalLimit(n);
    }

    /** @return whether this limit keeps every item */
    public boolean isAll() {
        return perGroup == Integer.MAX_VALUE;
    }

    /**
     * Parses a command-line value: {@code all} (any case) or a positive integer, as for a {@code --limit} option.
     *
     * @throws IllegalArgumentException naming the value when it is neither
     */
    public static EvalLimit parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("all")) {
            return all();
        }
        try {
            return firstN(Integer.parseInt(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be 'all' or a positive integer, got '" + value + "'");
        }
    }

    /** @return the first {@link #perGroup()} items of {@code items} (a sub-list view when the list is longer) */
    public <T> List<T> apply(List<T> items) {
        return items.size() <= perGroup ? items : items.subList(0, perGroup);
    }

    @Override
    public String toString() {
        return isAll() ? "all" : "first " + perGroup;
    }
}
