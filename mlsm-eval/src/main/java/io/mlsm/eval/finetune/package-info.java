/**
 * (Super)GLUE fine-tuning: metrics ({@link io.mlsm.eval.finetune.ClassificationMetrics}: accuracy, MCC, F1
 * with scikit-learn's conventions), the fine-tuning loop ({@link io.mlsm.eval.finetune.FineTuning}: shuffled
 * mini-batches, linear learning-rate schedule with warm-up, periodic validation with early stopping, several seeds
 * averaged) and the model-side contract ({@link io.mlsm.eval.finetune.TrainableClassifier}) that a DeBERTa
 * classification head with AdamW implements.
 */
package io.mlsm.eval.finetune;
