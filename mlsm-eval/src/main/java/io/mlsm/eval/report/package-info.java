/**
 * Result tables and plots: {@link io.mlsm.eval.report.ResultTable} (rows = tasks or phenomena, columns =
 * models, missing cells allowed) written as an aligned Markdown table ({@link io.mlsm.eval.report.MarkdownTable})
 * or RFC 4180 CSV ({@link io.mlsm.eval.report.CsvTable}, which also reads it back), and a PNG line plot of
 * scores against update steps ({@link io.mlsm.eval.report.ScoreCurvePlot}). Files are written atomically.
 */
package io.mlsm.eval.report;
