package io.mlsm.eval;

/**
 * A snapshot of a long evaluation's progress.
 *
 * @param task           what is being evaluated (e.g. {@code "blimp"})
 * @param done           items finished so far
 * @param total          items in all
 * @param itemsPerSecond throughput since the start ({@code 0} before the first item)
 * @param etaSeconds     estimated seconds to go ({@code NaN} while unknown)
 */
public record EvalProgress(String task, long done, long total, double itemsPerSecond, double etaSeconds) {

    public EvalProgress {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("task must be named");
        }
        if (done < 0 || total < 0 || done > total) {
            throw new IllegalArgumentException("need 0 <= done <= total, got done=" + done + " total=" + total);
        }
    }

    /** @return the fraction done in [0, 1] ({@code 1} for an empty task) */
    public double fraction() {
        return total == 0 ? 1.0 : (double) done / total;
    }
}
