/**
 * DeBERTa v1 models for MLSM and its relatives.
 *
 * <p>{@link io.mlsm.models.DebertaModel} is the entry point: parameters by Hugging Face name, inference
 * ({@code forward}: logits and all hidden states), and training steps ({@code computeGradients}) for a
 * {@link io.mlsm.models.TrainingObjective} — a weighted set of {@link io.mlsm.models.loss.LossTerm}s (MLM, KD, MLSM,
 * latent-to-vocabulary head with a frozen backbone, sequence classification, or your own) — on a
 * {@link io.mlsm.models.TrainingBatch}, returning losses and gradients by parameter name
 * ({@link io.mlsm.models.StepResult}) for the caller's optimizer. {@link io.mlsm.models.GradientCheck} checks a
 * term's gradients by central differences.
 *
 * <pre>{@code
 * DebertaModel model = DebertaModel.load(Path.of("teacher"));
 * ForwardResult r = model.forward(ids, mask);                       // [B, T, V] logits, hidden states
 * StepResult s = model.computeGradients(TrainingObjective.mlsmPlusMlm(1.0), batch, stepSeed);
 * }</pre>
 */
package io.mlsm.models;
