package io.mlsm.eval.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The (Super)GLUE fine-tuning tasks in {@code ../shared/data}: text fields, number of labels, metric and files.
 * BoolQ, MNLI, MRPC, MultiRC, QQP, RTE and WSC are BabyLM-filtered ({@code glue_filtered/<task>.{train,valid}.jsonl};
 * BoolQ and MultiRC have no train file there); CoLA and SST-2 are the original, unfiltered GLUE sets
 * ({@code glue_original_unfiltered}, official dev set as validation).
 *
 * <table>
 *   <caption>Inputs</caption>
 *   <tr><th>task</th><th>A</th><th>B</th><th>labels</th><th>metric</th></tr>
 *   <tr><td>BoolQ</td><td>question</td><td>passage</td><td>2</td><td>accuracy</td></tr>
 *   <tr><td>CoLA</td><td>sentence</td><td>-</td><td>2</td><td>MCC</td></tr>
 *   <tr><td>MNLI</td><td>premise</td><td>hypothesis</td><td>3</td><td>accuracy</td></tr>
 *   <tr><td>MRPC</td><td>sentence1</td><td>sentence2</td><td>2</td><td>F1</td></tr>
 *   <tr><td>MultiRC</td><td>paragraph</td><td>question + " " + answer</td><td>2</td><td>accuracy</td></tr>
 *   <tr><td>QQP</td><td>question1</td><td>question2</td><td>2</td><td>F1</td></tr>
 *   <tr><td>RTE</td><td>sentence1</td><td>sentence2</td><td>2</td><td>accuracy</td></tr>
 *   <tr><td>SST-2</td><td>sentence</td><td>-</td><td>2</td><td>accuracy</td></tr>
 *   <tr><td>WSC</td><td>text</td><td>span1_text + " " + span2_text</td><td>2</td><td>accuracy</td></tr>
 * </table>
 *
 * <pre>{@code
 * Path f = GlueTask.MRPC.file(shared.resolve("data"), GlueSplit.TRAIN);   // .../glue_filtered/mrpc.train.jsonl
 * }</pre>
 */
public enum GlueTask {
    BOOLQ("BoolQ", 2, GlueMetric.ACCURACY),
    COLA("CoLA", 2, GlueMetric.MCC),
    MNLI("MNLI", 3, GlueMetric.ACCURACY),
    MRPC("MRPC", 2, GlueMetric.F1),
    MULTIRC("MultiRC", 2, GlueMetric.ACCURACY),
    QQP("QQP", 2, GlueMetric.F1),
    RTE("RTE", 2, GlueMetric.ACCURACY),
    SST2("SST-2", 2, GlueMetric.ACCURACY),
    WSC("WSC", 2, GlueMetric.ACCURACY);

    private final String displayName;
    private final int numLabels;
    private final GlueMetric metric;

    GlueTask(String displayName, int numLabels, GlueMetric metric) {
        this.displayName = displayName;
        this.numLabels = numLabels;
        this.metric = metric;
    }

    /** @return the name used in the papers' tables, e.g. {@code "SST-2"} */
    public String displayName() {
        return displayName;
    }

    /** @return the number of classes */
    public int numLabels() {
        return numLabels;
    }

    /** @return the reported metric */
    public GlueMetric metric() {
        return metric;
    }

    /** @return whether the data is BabyLM's vocabulary-filtered version */
    public boolean filtered() {
        return this != COLA && this != SST2;
    }

    /** @return the file of {@code split} under {@code dataDir} (the {@code shared/data} folder); it may not exist */
    public Path file(Path dataDir, GlueSplit split) {
        return switch (this) {
            case COLA -> dataDir.resolve("glue_original_unfiltered/CoLA")
                    .resolve(split == GlueSplit.TRAIN ? "train.tsv" : "dev.tsv");
            case SST2 -> dataDir.resolve("glue_original_unfiltered/SST-2")
                    .resolve(split == GlueSplit.TRAIN ? "train_full.tsv" : "dev.tsv");
            default -> dataDir.resolve("glue_filtered")
                    .resolve(name().toLowerCase(Locale.ROOT) + (split == GlueSplit.TRAIN ? ".train" : ".valid")
                            + ".jsonl");
        };
    }

    /** @return the task named {@code name} (case-insensitive; {@code sst2} and {@code sst-2} both work) */
    public static GlueTask parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace("-", "");
        for (GlueTask t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GLUE task '" + name + "', expected one of "
                + java.util.Arrays.toString(values()));
    }
}
