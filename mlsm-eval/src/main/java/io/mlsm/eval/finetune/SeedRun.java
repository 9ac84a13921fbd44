package io.mlsm.eval.finetune;

/**
 * One fine-tuning run.
 *
 * @param seed       its seed
 * @param score      the validation metric of the kept (best) state
 * @param steps      optimizer steps taken
 * @param bestStep   the step of the kept state
 * @param stoppedEarly whether patience ran out before the last epoch
 */
public record SeedRun(long seed, double score, long steps, long bestStep, boolean stoppedEarly) {
}
