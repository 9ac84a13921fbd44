package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads BabyLM's filtered BLiMP (one {@code <paradigm>.jsonl} per paradigm with {@code sentence_good},
 * {@code sentence_bad}, {@code UID}, {@code linguistics_term}, ...) and the BLiMP supplement (one
 * {@code <task>.jsonl} per task with {@code sentence_good}, {@code sentence_bad}). Files are read in name order;
 * the limit keeps the first N pairs of each file.
 *
 * <pre>{@code
 * List<MinimalPair> blimp = BlimpReader.readBlimp(shared.resolve("data/blimp_filtered"), EvalLimit.all());
 * List<MinimalPair> supp = BlimpReader.readSupplement(shared.resolve("data/blimp_supplement"), EvalLimit.firstN(50));
 * }</pre>
 */
public final class BlimpReader {

    private BlimpReader() {
    }

    /** @return the pairs of all paradigm files in {@code dir} */
    public static List<MinimalPair> readBlimp(Path dir, EvalLimit limit) throws IOException {
        List<MinimalPair> out = new ArrayList<>();
        for (Path f : jsonlFiles(dir)) {
            String stem = stem(f);
            List<JsonRecord> recs = JsonLines.read(f, limit.perGroup());
            for (JsonRecord r : recs) {
                String uid = r.nonBlankText("UID");
                if (!uid.equals(stem)) {
                    throw r.bad("UID", "is '" + uid + "' but the file is the paradigm '" + stem + "'");
                }
                String term = r.nonBlankText("linguistics_term");
                String row = BlimpPhenomena.rowOf(term).orElseThrow(() -> r.bad("linguistics_term",
                        "has unknown value '" + term + "', expected one of " + BlimpPhenomena.knownTerms()));
                out.add(new MinimalPair("blimp", uid, row, r.nonBlankText("sentence_good"),
                        r.nonBlankText("sentence_bad"), r.where()));
            }
        }
        return out;
    }

    /** @return the pairs of all supplement task files in {@code dir}; the task is the file stem */
    public static List<MinimalPair> readSupplement(Path dir, EvalLimit limit) throws IOException {
        List<MinimalPair> out = new ArrayList<>();
        for (Path f : jsonlFiles(dir)) {
            String task = stem(f);
            for (JsonRecord r : JsonLines.read(f, limit.perGroup())) {
                out.add(new MinimalPair("supplement", task, BlimpPhenomena.supplementRow(task),
                        r.nonBlankText("sentence_good"), r.nonBlankText("sentence_bad"), r.where()));
            }
        }
        return out;
    }

    static List<Path> jsonlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .jsonl files in " + dir);
        }
        return files;
    }

    static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.substring(0, n.length() - ".jsonl".length());
    }
}
