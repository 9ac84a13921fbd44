/**
 * Zero-shot evaluation by pseudo-log-likelihood (Salazar, Liang, Nguyen, Kirchhoff 2020, "Masked Language Model
 * Scoring"): {@link io.mlsm.eval.pll.PseudoLogLikelihood} masks each scored token in turn, batching the masked
 * copies of many sentences into few forward passes; {@link io.mlsm.eval.pll.BlimpEvaluator} and
 * {@link io.mlsm.eval.pll.EwokEvaluator} turn the scores into BLiMP / supplement / EWoK accuracies. Models plug
 * in through {@link io.mlsm.eval.pll.MaskedLmScorer}, for MLM models and for phase-3 models (latent concepts →
 * vocabulary head) alike.
 */
package io.mlsm.eval.pll;
