package io.mlsm.eval.sweep;

import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.report.ResultTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates a list of checkpoints one after the other (each opened only when its turn comes) and collects the
 * scores into one {@link ResultTable}, as the papers evaluate intermediate checkpoints of second-phase
 * pre-training.
 *
 * <pre>{@code
 * SweepResult r = new CheckpointSweep<MaskedLmScorer>(zeroShotSuite, new LoggingProgressListener(30))
 *         .run(List.of(new Checkpoint<>("MLM", 16_000, () -> open(16_000)), ...));
 * r.write(outDir, "zero-shot", 3, "Average");   // zero-shot.md, zero-shot.csv, zero-shot.png
 * }</pre>
 *
 * @param <M> the model type the evaluation takes
 */
public final class CheckpointSweep<M> {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointSweep.class);

    private final Evaluation<M> evaluation;
    private final EvalProgressListener listener;

    public CheckpointSweep(Evaluation<M> evaluation, EvalProgressListener listener) {
        if (evaluation == null) {
            throw new IllegalArgumentException("evaluation is required");
        }
        this.evaluation = evaluation;
        this.listener = listener == null ? EvalProgressListener.NONE : listener;
    }

    /** @return the scores of every checkpoint */
    public SweepResult run(List<Checkpoint<M>> checkpoints) throws IOException {
        check(checkpoints);
        List<LinkedHashMap<String, Double>> scores = new ArrayList<>();
        for (Checkpoint<M> c : checkpoints) {
            LOG.info("evaluating {}@{}", c.series(), c.step());
            scores.add(evaluation.evaluate(c.opener().open(), listener));
        }
        return table(checkpoints, scores);
    }

    /**
     * Checks a checkpoint list: not empty, no (series, step) twice.
     *
     * @throws IllegalArgumentException naming the duplicate
     */
    public static void check(List<? extends Checkpoint<?>> checkpoints) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("no checkpoints to evaluate");
        }
        Set<String> seen = new HashSet<>();
        for (Checkpoint<?> c : checkpoints) {
            if (!seen.add(c.series() + "@" + c.step())) {
                throw new IllegalArgumentException("checkpoint " + c.series() + "@" + c.step() + " is listed twice");
            }
        }
    }

    /**
     * The sweep table of checkpoints scored elsewhere (one column per checkpoint, labelled by its series, or
     * {@code series@step} when a series has several): what {@link #run} returns for the same scores.
     *
     * @param checkpoints the checkpoints, in column order
     * @param scores      each checkpoint's rows, in the same order
     * @return the table
     */
    public static SweepResult table(List<? extends Checkpoint<?>> checkpoints,
                                    List<? extends Map<String, Double>> scores) {
        check(checkpoints);
        if (scores.size() != checkpoints.size()) {
            throw new IllegalArgumentException(scores.size() + " score columns for " + checkpoints.size()
                    + " checkpoints");
        }
        Map<String, Integer> perSeries = new HashMap<>();
        for (Checkpoint<?> c : checkpoints) {
            perSeries.merge(c.series(), 1, Integer::sum);
        }
        ResultTable table = new ResultTable("task");
        List<SweepResult.Column> columns = new ArrayList<>();
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint<?> c = checkpoints.get(i);
            String label = perSeries.get(c.series()) == 1 ? c.series() : c.series() + "@" + c.step();
            table.addColumn(label);
            scores.get(i).forEach((row, v) -> table.put(row, label, v));
            columns.add(new SweepResult.Column(label, c.series(), c.step()));
        }
        return new SweepResult(table, columns);
    }
}
