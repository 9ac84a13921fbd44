/**
 * Adapters from the DeBERTa model of {@code mlsm-models} to the evaluation contracts, and a facade.
 *
 * <ul>
 *   <li>{@link io.mlsm.eval.model.DebertaMaskedLmScorer}: {@link io.mlsm.eval.pll.MaskedLmScorer} through
 *   the MLM head or the phase-3 latent-to-vocabulary head ({@link io.mlsm.eval.model.ScoringHead}), gathering
 *   only the scored positions;</li>
 *   <li>{@link io.mlsm.eval.model.DebertaClassifier}: {@link io.mlsm.eval.finetune.TrainableClassifier}
 *   with the classification head and AdamW, and its per-seed factory over a pre-trained directory;</li>
 *   <li>{@link io.mlsm.eval.model.Evaluations}: BLiMP, EWoK, GLUE and checkpoint sweeps in one call.</li>
 * </ul>
 *
 * <pre>{@code
 * BlimpResult r = Evaluations.blimp(modelDir, tokenizer, Path.of("../shared/data"), EvalLimit.firstN(100));
 * System.out.println(MarkdownTable.render(Evaluations.blimpTable(r, "model"), 3));
 * }</pre>
 */
package io.mlsm.eval.model;
