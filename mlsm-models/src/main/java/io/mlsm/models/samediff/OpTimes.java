package io.mlsm.models.samediff;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time per op type of the SameDiff executions on this thread while it is {@link #start started}: the time from
 * SameDiff's "about to execute" callback to its "executed" callback, summed by op type and split into the forward ops
 * of the graph and the ops its gradient function added (backward). What the ops do not account for (session
 * bookkeeping, listeners, array allocation outside ops) is the difference to the measured step time.
 *
 * <pre>{@code
 * OpTimes t = OpTimes.start();
 * model.computeGradients(batch, objective);       // any number of steps
 * OpTimes.stop();
 * System.out.print(t.table(steps, stepNanos));
 * }</pre>
 *
 * A profiling aid for benchmarks: the callbacks cost about a microsecond per op.
 */
public final class OpTimes {

    private static final ThreadLocal<OpTimes> ACTIVE = new ThreadLocal<>();

    /** Summed time and count of one op type in one phase. */
    public static final class Entry {
        private final String opType;
        private final boolean backward;
        private long nanos;
        private long count;

        Entry(String opType, boolean backward) {
            this.opType = opType;
            this.backward = backward;
        }

        /** @return the op type (libnd4j op name, e.g. {@code matmul}, {@code softmax_bp}) */
        public String opType() {
            return opType;
        }

        /** @return whether the op was added by the gradient function */
        public boolean backward() {
            return backward;
        }

        /** @return summed execution time */
        public long nanos() {
            return nanos;
        }

        /** @return executions */
        public long count() {
            return count;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, Entry> instances = new HashMap<>();
    private final Map<String, String> shapes = new HashMap<>();
    private final Listener listener = new Listener();

    private OpTimes() {
    }

    /** @return a fresh recorder, active for SameDiff executions on this thread until {@link #stop} */
    public static OpTimes start() {
        OpTimes t = new OpTimes();
        ACTIVE.set(t);
        return t;
    }

    /** Stops recording on this thread. */
    public static void stop() {
        ACTIVE.remove();
    }

    /**
     * @param forward the graph about to run (for a gradient execution: the forward graph, whose ops are "forward")
     * @return the listener of the recorder active on this thread, or null
     */
    static BaseListener activeListener(SameDiff forward) {
        OpTimes t = ACTIVE.get();
        if (t == null) {
            return null;
        }
        t.listener.forwardOps = forward.getOps();
        return t.listener;
    }

    /** @return entries, longest first */
    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return list;
    }

    /**
     * @param steps executions recorded
     * @param rows  at most this many
     * @return a Markdown table of the single ops that took longest: name, type, phase, first output's shape, ms/step
     */
    public String instanceTable(int steps, int rows) {
        List<Map.Entry<String, Entry>> list = new ArrayList<>(instances.entrySet());
        list.sort(Comparator.comparingLong((Map.Entry<String, Entry> x) -> x.getValue().nanos).reversed());
        StringBuilder sb = new StringBuilder("| op | type | phase | output | ms/step |\n|---|---|---|---|---|\n");
        for (int i = 0; i < list.size() && i < rows; i++) {
            Entry e = list.get(i).getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f |%n", list.get(i).getKey(), e.opType,
                    e.backward ? "backward" : "forward", shapes.getOrDefault(list.get(i).getKey(), "?"),
                    e.nanos / 1e6 / steps));
        }
        return sb.toString();
    }

    /** @return summed time of all ops */
    public long totalNanos() {
        long s = 0;
        for (Entry e : entries.values()) {
            s += e.nanos;
        }
        return s;
    }

    /**
     * @param steps      executions recorded (figures are per step)
     * @param stepNanos  measured wall time of those steps (for the share and the unaccounted rest), 0 if unknown
     * @param rows       at most this many op rows
     * @return a Markdown table: op type, phase, calls per step, ms per step, share of the step
     */
    public String table(int steps, long stepNanos, int rows) {
        StringBuilder sb = new StringBuilder();
        double total = stepNanos > 0 ? stepNanos : totalNanos();
        sb.append("| op | phase | calls/step | ms/step | share |\n|---|---|---|---|---|\n");
        List<Entry> list = entries();
        long shown = 0;
        for (int i = 0; i < list.size() && i < rows; i++) {
            Entry e = list.get(i);
            shown += e.nanos;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.1f%% |%n", e.opType,
                    e.backward ? "backward" : "forward", (double) e.count / steps, e.nanos / 1e6 / steps,
                    100.0 * e.nanos / total));
        }
        long rest = totalNanos() - shown;
        sb.append(String.format(Locale.ROOT, "| %d other op types | | | %.1f | %.1f%% |%n",
                Math.max(0, list.size() - rows), rest / 1e6 / steps, 100.0 * rest / total));
        if (stepNanos > 0) {
            long outside = stepNanos - totalNanos();
            sb.append(String.format(Locale.ROOT, "| outside ops (session, allocation, listeners) | | | %.1f | %.1f%% |%n",
                    outside / 1e6 / steps, 100.0 * outside / total));
        }
        return sb.toString();
    }

    private final class Listener extends BaseListener {
        private long started;
        private Map<String, SameDiffOp> forwardOps = Map.of();

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            started = System.nanoTime();
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            long dt = System.nanoTime() - started;
            boolean backward = !forwardOps.containsKey(op.getName());
            String type = op.getOp().opName();
            Entry e = entries.computeIfAbsent(type + (backward ? " B" : " F"), k -> new Entry(type, backward));
            e.nanos += dt;
            e.count++;
            Entry i = instances.computeIfAbsent(op.getName(), k -> new Entry(type, backward));
            i.nanos += dt;
            i.count++;
            if (outputs != null && outputs.length > 0 && outputs[0] != null && !shapes.containsKey(op.getName())) {
                shapes.put(op.getName(), java.util.Arrays.toString(outputs[0].shape()));
            }
        }
    }
}
