package io.mlsm.models.samediff;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frees each intermediate array of one SameDiff execution as soon as its last consumer has run.
 *
 * <p>In SameDiff 1.0.0-M2.1 the session of a gradient function releases almost nothing while it runs (1130
 * arrays allocated, 27 released in one training step of a 4-layer model), so a step holds every forward and backward
 * intermediate at once: 13.7 GB for DeBERTa-base at 8 x 128. This listener does the bookkeeping itself: it counts
 * the consumers of every array among the ops needed for the requested outputs, and when the count of every name that
 * shares a data buffer reaches zero, gives that buffer back to the graph's {@link BufferPool} (later ops of the same
 * execution reuse it) or closes it. Buffers of variables, constants, placeholders and requested
 * outputs are never closed. Create one per execution.
 *
 * <pre>{@code
 * EagerReleaseListener l = new EagerReleaseListener(grad, requested);
 * grad.setListeners(l);   // then run; requested outputs stay valid
 * }</pre>
 */
final class EagerReleaseListener extends BaseListener {

    private final Set<String> keep;
    private final Map<String, Integer> pending = new HashMap<>();
    private final Map<DataBuffer, Integer> buffersInUse = new IdentityHashMap<>();
    private final Map<String, DataBuffer> bufferOf = new HashMap<>();
    private final Set<DataBuffer> pinned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> fixedNames = new HashSet<>();
    private final Map<DataBuffer, Long> leaseOf = new IdentityHashMap<>();
    private final BufferPool pool;
    private long closed;

    /**
     * @param sd        the graph that will execute (for gradients: {@code sd.getFunction("grad")})
     * @param requested names of the outputs the caller asks for (kept alive)
     * @param pool      where freed buffers go (the graph's), or null to close them
     */
    EagerReleaseListener(SameDiff sd, Collection<String> requested, BufferPool pool) {
        this.keep = new HashSet<>(requested);
        this.pool = pool;
        Map<String, Variable> vars = sd.getVariables();
        for (Variable v : vars.values()) {
            VariableType type = v.getVariable().getVariableType();
            if (type != VariableType.ARRAY) {
                fixedNames.add(v.getName());
                INDArray arr = type == VariableType.PLACEHOLDER ? null : v.getVariable().getArr();
                if (arr != null) {
                    pinned.add(BufferPool.root(arr.data()));
                }
            }
        }
        // ops needed for the requested outputs: ancestors through producers
        Set<String> needed = new HashSet<>();
        Deque<String> work = new ArrayDeque<>(requested);
        Set<String> seenVars = new HashSet<>(requested);
        while (!work.isEmpty()) {
            Variable v = vars.get(work.pop());
            if (v == null || v.getOutputOfOp() == null || !needed.add(v.getOutputOfOp())) {
                continue;
            }
            SameDiffOp op = sd.getOps().get(v.getOutputOfOp());
            List<String> inputs = op.getInputsToOp();
            if (inputs != null) {
                for (String in : inputs) {
                    if (seenVars.add(in)) {
                        work.push(in);
                    }
                }
            }
        }
        for (String opName : needed) {
            List<String> inputs = sd.getOps().get(opName).getInputsToOp();
            if (inputs != null) {
                for (String in : inputs) {
                    pending.merge(in, 1, Integer::sum);
                }
            }
        }
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                            INDArray[] outputs) {
        List<String> outNames = op.getOutputsOfOp();
        if (outputs != null && outNames != null) {
            for (int i = 0; i < outputs.length && i < outNames.size(); i++) {
                String name = outNames.get(i);
                if (outputs[i] == null || fixedNames.contains(name)) {
                    continue;
                }
                DataBuffer b = BufferPool.root(outputs[i].data());
                bufferOf.put(name, b);
                if (buffersInUse.merge(b, 1, Integer::sum) == 1 && pool != null) {
                    leaseOf.put(b, pool.leaseOf(b));   // the lease it is in use under now
                }
                if (keep.contains(name)) {
                    pinned.add(b);
                }
                if (pending.getOrDefault(name, 0) == 0) {
                    done(name);
                }
            }
        }
        List<String> inputs = op.getInputsToOp();
        if (inputs != null) {
            for (String in : inputs) {
                Integer left = pending.get(in);
                if (left == null) {
                    continue;
                }
                if (left <= 1) {
                    pending.remove(in);
                    done(in);
                } else {
                    pending.put(in, left - 1);
                }
            }
        }
    }

    private void done(String name) {
        DataBuffer b = bufferOf.remove(name);
        if (b == null) {
            return;
        }
        int users = buffersInUse.merge(b, -1, Integer::sum);
        if (users <= 0) {
            buffersInUse.remove(b);
            Long lease = leaseOf.remove(b);
            if (!pinned.contains(b) && !b.wasClosed() && b.closeable()) {
                if (pool == null) {
                    b.close();
                    closed++;
                } else if (pool.give(b, lease == null ? 0 : lease)) {
                    closed++;
                }
            }
        }
    }

    /** @return number of buffers freed early (closed, or given back to the pool) */
    long closedBuffers() {
        return closed;
    }
}
