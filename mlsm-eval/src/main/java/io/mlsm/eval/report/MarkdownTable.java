package io.mlsm.eval.report;

import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Renders a {@link ResultTable} as a GitHub-flavoured Markdown table laid out like the papers' tables: the row
 * labels left-aligned, scores right-aligned with a fixed number of decimals, every column padded to one width,
 * missing cells shown as {@code -}. A {@code |} inside a name is escaped. A {@linkplain ResultTable#caption() caption}
 * follows the table after a blank line as {@code Table: <caption>} (the Pandoc caption form; GitHub shows it as a
 * paragraph).
 *
 * <pre>{@code
 * MarkdownTable.write(table, 3, Path.of("blimp.md"));
 * }</pre>
 */
public final class MarkdownTable {

    private MarkdownTable() {
    }

    /** @return the table as Markdown, one line per row, ending with a newline */
    public static String render(ResultTable t, int decimals) {
        if (decimals < 0 || decimals > 12) {
            throw new IllegalArgumentException("decimals must be in [0, 12], got " + decimals);
        }
        List<String> cols = t.columns();
        List<List<String>> grid = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add(escape(t.corner()));
        cols.forEach(c -> header.add(escape(c)));
        grid.add(header);
        for (String r : t.rows()) {
            List<String> line = new ArrayList<>();
            line.add(escape(r));
            for (String c : cols) {
                OptionalDouble v = t.get(r, c);
                line.add(v.isPresent() ? String.format(Locale.ROOT, "%." + decimals + "f", v.getAsDouble()) : "-");
            }
            grid.add(line);
        }
        int[] width = new int[cols.size() + 1];
        for (List<String> line : grid) {
            for (int i = 0; i < line.size(); i++) {
                width[i] = Math.max(Math.max(width[i], line.get(i).length()), 3);
            }
        }
        StringBuilder sb = new StringBuilder();
        appendLine(sb, grid.get(0), width);
        sb.append("|:").append("-".repeat(width[0])).append(' ');
        for (int i = 1; i < width.length; i++) {
            sb.append("| ").append("-".repeat(width[i])).append(':');
        }
        sb.append("|\n");
        for (int k = 1; k < grid.size(); k++) {
            appendLine(sb, grid.get(k), width);
        }
        if (!t.caption().isEmpty()) {
            sb.append("\nTable: ").append(t.caption()).append('\n');
        }
        return sb.toString();
    }

    private static void appendLine(StringBuilder sb, List<String> line, int[] width) {
        for (int i = 0; i < line.size(); i++) {
            String s = line.get(i);
            String pad = " ".repeat(width[i] - s.length());
            sb.append(i == 0 ? "| " : " | ").append(i == 0 ? s + pad : pad + s);
        }
        sb.append(" |\n");
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    /** Writes the table atomically (UTF-8). */
    public static void write(ResultTable t, int decimals, Path file) throws IOException {
        AtomicFiles.write(file, render(t, decimals).getBytes(StandardCharsets.UTF_8));
    }
}
