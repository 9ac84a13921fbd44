/**
 * Loss terms: the {@link io.mlsm.models.loss.LossTerm} contract (key, validation of the batch, the SameDiff loss),
 * the shared graph pieces a term builds on ({@link io.mlsm.models.loss.LossGraph}: target rows, MLM transform,
 * vocabulary and concept logits, batch targets by name), the built-in terms ({@link io.mlsm.models.loss.MlmLoss},
 * {@link io.mlsm.models.loss.KdLoss}, {@link io.mlsm.models.loss.MlsmLoss},
 * {@link io.mlsm.models.loss.LatentToVocabLoss}, {@link io.mlsm.models.loss.ClassificationLoss}) and the loss
 * formulas they share ({@link io.mlsm.models.loss.ObjectiveLosses}).
 *
 * <pre>{@code
 * TrainingObjective o = TrainingObjective.of(new MlsmLoss()).plus(new MlmLoss(), 0.5);
 * }</pre>
 */
package io.mlsm.models.loss;
