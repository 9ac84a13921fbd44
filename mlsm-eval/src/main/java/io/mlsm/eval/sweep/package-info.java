/**
 * Evaluating a list of (intermediate) checkpoints: {@link io.mlsm.eval.sweep.CheckpointSweep} runs an
 * {@link io.mlsm.eval.sweep.Evaluation} on each checkpoint and writes a Markdown and a CSV table (rows = tasks
 * or phenomena, columns = models) and a PNG curve of one row against the update step. Ready-made evaluations:
 * {@link io.mlsm.eval.sweep.ZeroShotSuite} (BLiMP, supplement, EWoK by PLL) and
 * {@link io.mlsm.eval.sweep.GlueSuite} (fine-tuning, seeds averaged).
 */
package io.mlsm.eval.sweep;
