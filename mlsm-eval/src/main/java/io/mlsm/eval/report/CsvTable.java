package io.mlsm.eval.report;

import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Writes and reads a {@link ResultTable} as CSV (RFC 4180): CRLF line ends; a field containing a comma, a double
 * quote, CR or LF is quoted, with quotes doubled; the first line is the corner header and the column names; a
 * missing cell is an empty field; numbers are written in Java's shortest round-trip form, so reading back gives the
 * identical table. A {@linkplain ResultTable#caption() caption} is written as a first line {@code # <caption>} (a
 * comment line: read it with {@code pandas.read_csv(f, comment="#")} or skip it) and read back by {@link #parse}.
 *
 * <pre>{@code
 * CsvTable.write(table, Path.of("blimp.csv"));
 * ResultTable back = CsvTable.read(Path.of("blimp.csv"));
 * }</pre>
 */
public final class CsvTable {

    /** Start of the caption line. */
    static final String CAPTION_PREFIX = "# ";

    private CsvTable() {
    }

    /** @return the CSV text of the table */
    public static String render(ResultTable t) {
        StringBuilder sb = new StringBuilder();
        if (!t.caption().isEmpty()) {
            sb.append(CAPTION_PREFIX).append(t.caption()).append("\r\n");
        }
        List<String> header = new ArrayList<>();
        header.add(t.corner());
        header.addAll(t.columns());
        appendRecord(sb, header);
        for (String r : t.rows()) {
            List<String> rec = new ArrayList<>();
            rec.add(r);
            for (String c : t.columns()) {
                OptionalDouble v = t.get(r, c);
                rec.add(v.isPresent() ? Double.toString(v.getAsDouble()) : "");
            }
            appendRecord(sb, rec);
        }
        return sb.toString();
    }

    /** Writes the table atomically (UTF-8). */
    public static void write(ResultTable t, Path file) throws IOException {
        AtomicFiles.write(file, render(t).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the table in the file */
    public static ResultTable read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** @return the table in {@code csv}; {@code source} names it in errors */
    public static ResultTable parse(String csv, String source) {
        String caption = "";
        if (csv.startsWith("#")) {
            int end = csv.indexOf('\n');
            String line = end < 0 ? csv : csv.substring(0, end);
            caption = line.substring(1).strip();
            csv = end < 0 ? "" : csv.substring(end + 1);
        }
        List<List<String>> records = parseRecords(csv, source);
        if (records.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty CSV, expected a header line");
        }
        List<String> header = records.get(0);
        ResultTable t = new ResultTable(header.get(0)).caption(caption);
        for (int i = 1; i < header.size(); i++) {
            if (t.columns().contains(header.get(i))) {
                throw new IllegalArgumentException(source + ": record 1: duplicate column '" + header.get(i) + "'");
            }
            t.addColumn(header.get(i));
        }
        for (int k = 1; k < records.size(); k++) {
            List<String> rec = records.get(k);
            if (rec.size() != header.size()) {
                throw new IllegalArgumentException(source + ": record " + (k + 1) + " has " + rec.size()
                        + " fields, the header has " + header.size());
            }
            String row = rec.get(0);
            if (t.rows().contains(row)) {
                throw new IllegalArgumentException(source + ": record " + (k + 1) + ": duplicate row '" + row + "'");
            }
            t.addRow(row);
            for (int i = 1; i < rec.size(); i++) {
                String f = rec.get(i);
                if (f.isEmpty()) {
                    continue;
                }
                double v;
                try {
                    v = Double.parseDouble(f);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(source + ": record " + (k + 1) + ", column '" + header.get(i)
                            + "': not a number: '" + f + "'");
                }
                t.put(row, header.get(i), v);
            }
        }
        return t;
    }

    private static void appendRecord(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields.get(i);
            // a leading '#' is quoted too, so that a header is never read as the caption line
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\r') >= 0 || f.indexOf('\n') >= 0
                    || f.startsWith("#")) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        sb.append("\r\n");
    }

    /** RFC 4180 records; accepts CRLF or LF line ends and a missing final line end. */
    static List<List<String>> parseRecords(String s, String source) {
        List<List<String>> out = new ArrayList<>();
        List<String> rec = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = s.length();
        boolean fieldStarted = false;
        while (i < n) {
            char ch = s.charAt(i);
            if (!fieldStarted && ch == '"') {
                int start = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException(source + ": record " + (out.size() + 1)
                                + ": unterminated quoted field starting at offset " + start);
                    }
                    char c = s.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && s.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                fieldStarted = true;
                if (i < n && s.charAt(i) != ',' && s.charAt(i) != '\r' && s.charAt(i) != '\n') {
                    throw new IllegalArgumentException(source + ": record " + (out.size() + 1)
                            + ": text after a closing quote at offset " + i);
                }
                continue;
            }
            if (ch == ',') {
                rec.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                i++;
            } else if (ch == '\r' || ch == '\n') {
                rec.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                out.add(rec);
                rec = new ArrayList<>();
                i += (ch == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') ? 2 : 1;
            } else {
                if (ch == '"') {
                    throw new IllegalArgumentException(source + ": record " + (out.size() + 1)
                            + ": quote inside an unquoted field at offset " + i);
                }
                field.append(ch);
                fieldStarted = true;
                i++;
            }
        }
        if (fieldStarted || !rec.isEmpty()) {
            rec.add(field.toString());
            out.add(rec);
        }
        return out;
    }
}
