/**
 * The fluent, multi-phase pre-training API: {@link io.mlsm.core.pretrain.Pretraining#twoPhase()} and
 * {@link io.mlsm.core.pretrain.Pretraining#threePhase()} configure tokenizer, MLM teacher, dictionary, student
 * ({@link io.mlsm.core.pretrain.Objective}: the seven paper objectives, or one built with
 * {@link io.mlsm.core.pretrain.Objective#builder(String)}) and the latent-to-vocabulary head, validate the whole
 * configuration before any work, and run it as a plan of phases, each loaded when finished and otherwise trained and
 * exported. Seeds of every random choice derive from the run's seed by name ({@link io.mlsm.core.pretrain.Seeds}).
 */
package io.mlsm.core.pretrain;
