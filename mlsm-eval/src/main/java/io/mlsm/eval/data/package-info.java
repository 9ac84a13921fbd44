/**
 * Readers for the evaluation data in {@code ../shared/data}: BLiMP (filtered) and the BLiMP supplement
 * ({@link io.mlsm.eval.data.BlimpReader}), EWoK from its encrypted zips, read in memory only
 * ({@link io.mlsm.eval.data.EwokReader}), and the (Super)GLUE fine-tuning sets
 * ({@link io.mlsm.eval.data.GlueReader}, task definitions in {@link io.mlsm.eval.data.GlueTask}).
 * Every reader validates its input and names the file, line and field of a bad record.
 */
package io.mlsm.eval.data;
