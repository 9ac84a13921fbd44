package io.mlsm.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A table of scores: rows are tasks or phenomena, columns are models (or checkpoints), as in the papers' tables.
 * Rows and columns keep their first-insertion order; a cell may be missing. An optional one-line caption says how the
 * scores were made (e.g. the PLL normaliser); {@link MarkdownTable} and {@link CsvTable} write it.
 *
 * <pre>{@code
 * ResultTable t = new ResultTable("task");
 * t.put("anaphor agreement", "MLM", 0.801).put("anaphor agreement", "MLSM", 0.476);
 * t.addAverageRow("Average");
 * Files.writeString(out, MarkdownTable.render(t, 3));
 * }</pre>
 */
public final class ResultTable {

    private final String corner;
    private final LinkedHashSet<String> rows = new LinkedHashSet<>();
    private final LinkedHashSet<String> columns = new LinkedHashSet<>();
    private final Map<String, Map<String, Double>> cells = new LinkedHashMap<>();
    private String caption = "";

    /** @param corner the header of the row-label column, e.g. {@code "task"} */
    public ResultTable(String corner) {
        this.corner = Objects.requireNonNull(corner, "corner");
    }

    /** @return the header of the row-label column */
    public String corner() {
        return corner;
    }

    /** @return the caption, {@code ""} when none */
    public String caption() {
        return caption;
    }

    /**
     * Sets the caption: one line (line breaks become spaces, surrounding blanks are trimmed); {@code ""} for none.
     */
    public ResultTable caption(String text) {
        this.caption = Objects.requireNonNull(text, "caption").replace("\r\n", " ").replace('\r', ' ')
                .replace('\n', ' ').strip();
        return this;
    }

    /** Adds an (initially empty) row if it is new. */
    public ResultTable addRow(String row) {
        rows.add(requireName(row, "row"));
        return this;
    }

    /** Adds an (initially empty) column if it is new. */
    public ResultTable addColumn(String column) {
        columns.add(requireName(column, "column"));
        return this;
    }

    /** Sets a cell, adding its row and column if new; the value must be finite. */
    public ResultTable put(String row, String column, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("cell (" + row + ", " + column + ") must be finite, got " + value);
        }
        addRow(row);
        addColumn(column);
        cells.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, value);
        return this;
    }

    /** @return the cell, empty if missing */
    public OptionalDouble get(String row, String column) {
        Double v = cells.getOrDefault(row, Map.of()).get(column);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return the rows in order */
    public List<String> rows() {
        return List.copyOf(rows);
    }

    /** @return the columns in order */
    public List<String> columns() {
        return List.copyOf(columns);
    }

    /**
     * Appends a row holding, per column, the unweighted mean of the rows above — only for columns where no row
     * above is missing (a mean over a partial column would not be comparable).
     */
    public ResultTable addAverageRow(String name) {
        List<String> above = new ArrayList<>(rows);
        if (above.contains(name)) {
            throw new IllegalArgumentException("row '" + name + "' already exists");
        }
        addRow(name);
        for (String c : columns) {
            double sum = 0;
            boolean complete = !above.isEmpty();
            for (String r : above) {
                OptionalDouble v = get(r, c);
                if (v.isEmpty()) {
                    complete = false;
                    break;
                }
                sum += v.getAsDouble();
            }
            if (complete) {
                put(name, c, sum / above.size());
            }
        }
        return this;
    }

    private static String requireName(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(what + " name must be non-empty");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ResultTable t)) {
            return false;
        }
        if (!corner.equals(t.corner) || !caption.equals(t.caption) || !rows().equals(t.rows())
                || !columns().equals(t.columns())) {
            return false;
        }
        for (String r : rows) {
            for (String c : columns) {
                if (!get(r, c).equals(t.get(r, c))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(corner, caption, rows(), columns());
    }

    @Override
    public String toString() {
        return MarkdownTable.render(this, 4);
    }
}
