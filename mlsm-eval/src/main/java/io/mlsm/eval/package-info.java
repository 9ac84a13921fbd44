/**
 * BabyLM-style evaluation of masked language models (module {@code mlsm-eval}, on top of {@code mlsm-core} for the
 * tokenizer and {@code mlsm-models} for the model): zero-shot BLiMP / BLiMP supplement / EWoK by
 * pseudo-log-likelihood (sub-package {@code pll}), (Super)GLUE fine-tuning (sub-package {@code finetune}), data
 * readers for the shared data sets ({@code data}), adapters from the DeBERTa model and a one-call facade
 * ({@code model}), checkpoint sweeps ({@code sweep}) and result tables and plots ({@code report}).
 *
 * <p>This package holds what they share: the deterministic {@link io.mlsm.eval.EvalLimit subset limit} and
 * progress reporting ({@link io.mlsm.eval.EvalProgressListener}, {@link io.mlsm.eval.ProgressMeter}). The
 * checkpoint sweep that turns a list of intermediate checkpoints into tables and a curve is
 * {@link io.mlsm.eval.sweep.CheckpointSweep}.
 */
package io.mlsm.eval;
