package io.mlsm.core.listen;

import io.mlsm.runtime.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes one CSV row per optimiser step: {@code step, elapsed_s, loss, loss_<term>..., lr, grad_norm, tokens,
 * targets, tokens_per_s} (the step's tokens over the step's wall time). The loss-term columns are fixed by the first step (in its order); a later step with another term is an
 * error, a missing term an empty cell. Rows are flushed as they are written, so the file can be read while
 * training runs. Numbers are written with {@link Double#toString(double)}, so they read back exactly.
 *
 * <p>{@link #appending(Path)} continues the file of an interrupted run: at the first step it keeps the rows before
 * that step (rewriting the file atomically), checks that the header matches, then appends; a file written before the
 * {@code tokens_per_s} column existed gets the column, empty in its old rows. A fresh writer replaces the file.
 *
 * <pre>{@code
 * TrainingListener csv = new CsvMetricsWriter(runDir.resolve("metrics.csv"));
 * TrainingListener resumed = CsvMetricsWriter.appending(runDir.resolve("metrics.csv"));
 * }</pre>
 */
public final class CsvMetricsWriter implements TrainingListener, AutoCloseable {

    private final Path file;
    private final boolean append;
    private List<String> terms;
    private BufferedWriter writer;
    private long previousElapsed = -1;

    /** A writer that replaces {@code file} at the first step. */
    public CsvMetricsWriter(Path file) {
        this(file, false);
    }

    private CsvMetricsWriter(Path file, boolean append) {
        this.file = Objects.requireNonNull(file, "file");
        this.append = append;
    }

    /** @return a writer that continues {@code file} (see the class comment); a missing file is created */
    public static CsvMetricsWriter appending(Path file) {
        return new CsvMetricsWriter(file, true);
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the header of a CSV with the loss terms {@code terms} */
    public static List<String> header(List<String> terms) {
        List<String> h = new ArrayList<>(List.of("step", "elapsed_s", "loss"));
        terms.forEach(t -> h.add("loss_" + t));
        h.addAll(List.of("lr", "grad_norm", "tokens", "targets", "tokens_per_s"));
        return h;
    }

    @Override
    public synchronized void onStep(StepMetrics m) {
        try {
            if (writer == null) {
                open(m);
            }
            for (String name : m.losses().keySet()) {
                if (!terms.contains(name)) {
                    throw new IllegalArgumentException("loss term '" + name + "' at step " + m.step()
                            + " is not a column of " + file + " (columns fixed by the first step: " + terms + ")");
                }
            }
            List<String> row = new ArrayList<>();
            row.add(Long.toString(m.step()));
            row.add(Double.toString(m.elapsedNanos() / 1e9));
            row.add(Double.toString(m.loss()));
            for (String t : terms) {
                Double v = m.losses().get(t);
                row.add(v == null ? "" : Double.toString(v));
            }
            row.add(Double.toString(m.learningRate()));
            row.add(Double.isNaN(m.gradNorm()) ? "" : Double.toString(m.gradNorm()));
            row.add(Long.toString(m.tokens()));
            row.add(Long.toString(m.targets()));
            long stepNanos = previousElapsed < 0 ? m.elapsedNanos() : m.elapsedNanos() - previousElapsed;
            previousElapsed = m.elapsedNanos();
            row.add(stepNanos > 0 ? Double.toString(m.tokens() / (stepNanos / 1e9)) : "");
            writer.write(line(row));
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    private void open(StepMetrics m) throws IOException {
        terms = List.copyOf(m.losses().keySet());
        List<String> header = header(terms);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        List<String> keep = new ArrayList<>();
        if (append && Files.isRegularFile(file) && Files.size(file) > 0) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> existing = parseLine(lines.get(0));
            List<String> existingTerms = existing.stream().filter(c -> c.startsWith("loss_"))
                    .map(c -> c.substring("loss_".length())).toList();
            if (existingTerms.size() == terms.size() && Set.copyOf(existingTerms).equals(Set.copyOf(terms))) {
                // the same loss terms in another order (files written before StepResult kept its order): by name
                terms = existingTerms;
                header = header(terms);
            }
            boolean legacy = existing.equals(header.subList(0, header.size() - 1));
            if (!existing.equals(header) && !legacy) {
                throw new IllegalArgumentException("cannot append to " + file + ": its columns " + existing
                        + " differ from " + header);
            }
            for (String l : lines.subList(1, lines.size())) {
                if (l.isEmpty()) {
                    continue;
                }
                String step = parseLine(l).get(0);
                try {
                    if (Long.parseLong(step) < m.step()) {
                        keep.add(legacy ? l + "," : l);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("cannot append to " + file + ": bad step '" + step + "'", e);
                }
            }
        }
        StringBuilder sb = new StringBuilder(line(header));
        keep.forEach(l -> sb.append(l).append('\n'));
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Override
    public synchronized void onEnd(TrainingSummary summary) {
        close();
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file, e);
            } finally {
                writer = null;
            }
        }
    }

    /** @return the CSV line of {@code fields} (RFC 4180 quoting), with a trailing newline */
    static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            String f = fields.get(i);
            if (i > 0) {
                sb.append(',');
            }
            if (f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        return sb.append('\n').toString();
    }

    /** @return the fields of one CSV line (RFC 4180 quoting, no embedded newlines) */
    public static List<String> parseLine(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** @return the rows of a metrics CSV as maps from column to cell, header excluded */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("metrics CSV is empty: " + file);
        }
        List<String> header = parseLine(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int r = 1; r < lines.size(); r++) {
            if (lines.get(r).isEmpty()) {
                continue;
            }
            List<String> cells = parseLine(lines.get(r));
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException("row " + r + " of " + file + " has " + cells.size()
                        + " cells, header has " + header.size());
            }
            Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
