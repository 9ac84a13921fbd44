package io.mlsm.eval.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.eval.report.ScoreCurvePlot;
import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The scores of all checkpoints of a sweep.
 *
 * @param table   rows = tasks/phenomena, columns = checkpoints ({@code series} when a series has one checkpoint,
 *                else {@code series@step})
 * @param columns the checkpoint behind each column, in column order
 */
public record SweepResult(ResultTable table, List<Column> columns) {

    /** A column of the table and the checkpoint it shows. */
    public record Column(String label, String series, long step) {
    }

    public SweepResult {
        columns = List.copyOf(columns);
    }

    /** @return a plot of {@code row} against the update step, one line per series (columns lacking it skipped) */
    public ScoreCurvePlot curve(String row, String title) {
        ScoreCurvePlot.Builder b = ScoreCurvePlot.builder().title(title).xLabel("update step").yLabel(row);
        boolean any = false;
        for (Column c : columns) {
            OptionalDouble v = table.get(row, c.label());
            if (v.isPresent()) {
                b.point(c.series(), c.step(), v.getAsDouble());
                any = true;
            }
        }
        if (!any) {
            throw new IllegalArgumentException("no checkpoint has a score in row '" + row + "'; rows: "
                    + table.rows());
        }
        return b.build();
    }

    /** {@link #write(Path, String, int, String, Map)} without settings. */
    public void write(Path dir, String prefix, int decimals, String plotRow) throws IOException {
        write(dir, prefix, decimals, plotRow, Map.of());
    }

    /**
     * Writes {@code <prefix>.md}, {@code <prefix>.csv}, {@code <prefix>.png} (the curve of {@code plotRow}) and
     * {@code <prefix>.provenance.json} (the settings, e.g. {@link ZeroShotSuite#settings()}, the checkpoints behind
     * the columns, the library version and the time) into {@code dir}, each atomically.
     */
    public void write(Path dir, String prefix, int decimals, String plotRow, Map<String, String> settings)
            throws IOException {
        MarkdownTable.write(table, decimals, dir.resolve(prefix + ".md"));
        CsvTable.write(table, dir.resolve(prefix + ".csv"));
        curve(plotRow, prefix + ": " + plotRow).write(dir.resolve(prefix + ".png"));
        Map<String, Object> prov = new LinkedHashMap<>();
        String version = SweepResult.class.getPackage().getImplementationVersion();
        prov.put("library", "mlsm " + (version == null ? "(development build)" : version));
        prov.put("written", Instant.now().toString());
        prov.put("settings", new LinkedHashMap<>(settings));
        if (!table.caption().isEmpty()) {
            prov.put("caption", table.caption());
        }
        prov.put("columns", columns);
        prov.put("rows", table.rows());
        AtomicFiles.write(dir.resolve(prefix + ".provenance.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(prov));
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
