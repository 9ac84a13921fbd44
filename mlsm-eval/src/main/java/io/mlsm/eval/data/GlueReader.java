package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fine-tuning examples of a {@link GlueTask}: JSON Lines for the BabyLM-filtered tasks, TSV for CoLA
 * ({@code source<TAB>label<TAB>mark<TAB>sentence}, no header) and SST-2 ({@code sentence<TAB>label} with header).
 * Labels are checked against the task's label count. The limit keeps the first N examples of the split.
 *
 * <pre>{@code
 * Path data = shared.resolve("data");
 * if (GlueReader.hasSplit(data, GlueTask.RTE, GlueSplit.TRAIN)) {
 *     List<GlueExample> train = GlueReader.read(data, GlueTask.RTE, GlueSplit.TRAIN, EvalLimit.all());
 * }
 * }</pre>
 */
public final class GlueReader {

    private GlueReader() {
    }

    /** @return whether the data folder has the file of that split */
    public static boolean hasSplit(Path dataDir, GlueTask task, GlueSplit split) {
        return Files.isRegularFile(task.file(dataDir, split));
    }

    /** @return the examples of the split */
    public static List<GlueExample> read(Path dataDir, GlueTask task, GlueSplit split, EvalLimit limit)
            throws IOException {
        Path f = task.file(dataDir, split);
        if (!Files.isRegularFile(f)) {
            throw new IOException(task.displayName() + " has no " + split + " split: missing " + f);
        }
        return limit.apply(switch (task) {
            case COLA -> readCola(f);
            case SST2 -> readSst2(f);
            default -> readJsonl(f, task);
        });
    }

    static List<GlueExample> readJsonl(Path f, GlueTask task) throws IOException {
        List<GlueExample> out = new ArrayList<>();
        for (JsonRecord r : JsonLines.read(f)) {
            int label = r.integer("label");
            if (label < 0 || label >= task.numLabels()) {
                throw r.bad("label", "must be in [0, " + task.numLabels() + ") for " + task.displayName()
                        + ", got " + label);
            }
            String a;
            String b;
            switch (task) {
                case BOOLQ -> { a = r.text("question"); b = r.text("passage"); }
                case MNLI -> { a = r.text("premise"); b = r.text("hypothesis"); }
                case MRPC, RTE -> { a = r.text("sentence1"); b = r.text("sentence2"); }
                case QQP -> { a = r.text("question1"); b = r.text("question2"); }
                case MULTIRC -> { a = r.text("paragraph"); b = r.text("question") + " " + r.text("answer"); }
                case WSC -> { a = r.text("text"); b = r.text("span1_text") + " " + r.text("span2_text"); }
                default -> throw new IllegalStateException("not a JSON Lines task: " + task);
            }
            out.add(new GlueExample(a, b, label, r.where()));
        }
        return out;
    }

    static List<GlueExample> readCola(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        List<GlueExample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && i == lines.size() - 1) {
                continue;
            }
            String where = f + ":" + (i + 1);
            String[] cols = line.split("\t", -1);
            if (cols.length != 4) {
                throw new IllegalArgumentException(where + ": expected 4 tab-separated columns "
                        + "(source, label, mark, sentence), got " + cols.length);
            }
            out.add(new GlueExample(cols[3], null, binaryLabel(cols[1], where), where));
        }
        return out;
    }

    static List<GlueExample> readSst2(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals("sentence\tlabel")) {
            throw new IllegalArgumentException(f + ":1: expected the header 'sentence<TAB>label'");
        }
        List<GlueExample> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && i == lines.size() - 1) {
                continue;
            }
            String where = f + ":" + (i + 1);
            String[] cols = line.split("\t", -1);
            if (cols.length != 2) {
                throw new IllegalArgumentException(where + ": expected 2 tab-separated columns (sentence, label), got "
                        + cols.length);
            }
            out.add(new GlueExample(cols[0].strip(), null, binaryLabel(cols[1], where), where));
        }
        return out;
    }

    private static int binaryLabel(String s, String where) {
        return switch (s.strip()) {
            case "0" -> 0;
            case "1" -> 1;
            default -> throw new IllegalArgumentException(where + ": field 'label' must be 0 or 1, got '" + s + "'");
        };
    }
}
