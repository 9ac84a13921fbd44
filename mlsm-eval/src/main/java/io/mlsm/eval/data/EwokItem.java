package io.mlsm.eval.data;

/**
 * One EWoK item (Ivanova et al. 2024): two contexts and two targets; {@code target1} fits {@code context1} and
 * {@code target2} fits {@code context2}. {@link #toString()} does not print the texts (EWoK's terms forbid
 * plain-text redistribution, so they should not end up in logs).
 *
 * @param domain      the domain, e.g. {@code "social-relations"}
 * @param conceptA    first concept
 * @param conceptB    second concept
 * @param contextType context type
 * @param contextDiff how the contexts differ
 * @param targetDiff  how the targets differ
 * @param context1    first context
 * @param context2    second context
 * @param target1     the target that fits {@code context1}
 * @param target2     the target that fits {@code context2}
 * @param where       {@code zip!entry:line}
 */
public record EwokItem(String domain, String conceptA, String conceptB, String contextType, String contextDiff,
                       String targetDiff, String context1, String context2, String target1, String target2,
                       String where) implements java.io.Serializable {

    public EwokItem {
        for (String[] f : new String[][] {{"Domain", domain}, {"Context1", context1}, {"Context2", context2},
                {"Target1", target1}, {"Target2", target2}}) {
            if (f[1] == null || f[1].isBlank()) {
                throw new IllegalArgumentException("EWoK item at " + where + ": " + f[0] + " is blank");
            }
        }
    }

    @Override
    public String toString() {
        return "EwokItem[" + domain + " at " + where + "]";
    }
}
