package io.mlsm.spark;

import org.apache.spark.TaskContext;

import java.io.Serializable;
import java.util.Set;

/**
 * Faults injected into the tasks of a job, to test that Spark's retries and the jobs' atomic commits keep the output
 * complete and identical. Production jobs use {@link #NONE}.
 *
 * @param firstAttempt tasks (by index in the job) that fail on their first attempt only
 * @param always       tasks that fail on every attempt (the job fails once Spark gives up)
 */
record TaskFaults(Set<Integer> firstAttempt, Set<Integer> always) implements Serializable {

    static final TaskFaults NONE = new TaskFaults(Set.of(), Set.of());

    TaskFaults {
        firstAttempt = Set.copyOf(firstAttempt);
        always = Set.copyOf(always);
    }

    /** Throws for an injected fault of {@code task} on this attempt. */
    void check(int task) {
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        if (always.contains(task) || (attempt == 0 && firstAttempt.contains(task))) {
            throw new InjectedFault("injected fault in task " + task + ", attempt " + attempt);
        }
    }

    /** The failure {@link #check} throws. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String message) {
            super(message);
        }
    }
}
