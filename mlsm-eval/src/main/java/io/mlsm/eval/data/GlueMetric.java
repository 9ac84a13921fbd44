package io.mlsm.eval.data;

/** The metric a (Super)GLUE task is reported with in the papers (Berend 2023, Table 2). */
public enum GlueMetric {
    /** Fraction of correct predictions. */
    ACCURACY,
    /** Matthews correlation coefficient (CoLA). */
    MCC,
    /** F1 of the positive class 1 (MRPC, QQP). */
    F1
}
