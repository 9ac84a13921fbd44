package io.mlsm.eval.data;

/** The splits of a fine-tuning task, as given in the data: train and validation (the reported split). */
public enum GlueSplit {
    TRAIN, VALID
}
