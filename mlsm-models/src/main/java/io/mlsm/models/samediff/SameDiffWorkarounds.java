package io.mlsm.models.samediff;

import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The one door to this package's fixes for ND4J / SameDiff 1.0.0-M2.1 behaviour (see {@code docs/samediff-notes.md}):
 * <ul>
 *   <li>graphs that share the model's parameter arrays instead of duplicating them ({@link #newGraph()});</li>
 *   <li>sessions whose intermediate arrays are closed, not left to the garbage collector
 *   ({@link #closeSessionArrays(SameDiff)}, {@link #releaseLastSession(SameDiff, Collection)});</li>
 *   <li>a gradient computation that frees each intermediate as soon as no later op needs it
 *   ({@link #outputsAndGradients});</li>
 *   <li>a garbage collection when resident memory has grown, because ND4J frees native buffers only on
 *   finalisation ({@link #afterWork()}).</li>
 * </ul>
 * Everything else in the package is package-private.
 *
 * <pre>{@code
 * SameDiff sd = SameDiffWorkarounds.newGraph();
 * ... build ...
 * SameDiffWorkarounds.closeSessionArrays(sd);
 * Map<String, INDArray> out = sd.output(placeholders, outputs);
 * SameDiffWorkarounds.releaseLastSession(sd, out.values());
 * }</pre>
 */
public final class SameDiffWorkarounds {

    private static final Logger LOG = LoggerFactory.getLogger(SameDiffWorkarounds.class);
    /** Name of the constant that marks a graph made by {@link #newInferenceGraph()}. */
    private static final String NO_GRADIENTS_MARKER = "mlsm.inference-graph";

    private SameDiffWorkarounds() {
    }

    /** @return an empty graph whose {@code var}/{@code constant} arrays are held by reference, not copied */
    public static SameDiff newGraph() {
        return SharedArrayHolder.newGraph();
    }

    /**
     * An empty graph like {@link #newGraph()} that is marked as never differentiated: {@code LayerBlocks} then
     * writes row and column broadcasts as plain broadcasting ops (one op each) instead of the outer products that
     * make their gradients fast (seven ops each). Values are bit-identical either way.
     */
    public static SameDiff newInferenceGraph() {
        SameDiff sd = newGraph();
        sd.constant(NO_GRADIENTS_MARKER, Nd4j.scalar(1.0f));   // never an input of an op, so never executed
        return sd;
    }

    /** @return whether {@code sd} was made by {@link #newInferenceGraph()} (no gradient is ever taken through it) */
    public static boolean isInferenceGraph(SameDiff sd) {
        return sd.hasVariable(NO_GRADIENTS_MARKER);
    }

    /** Makes every later session of {@code sd} allocate through a memory manager that can close its arrays. */
    public static void closeSessionArrays(SameDiff sd) {
        ClosingSessions.register(sd);
    }

    /**
     * Frees the buffer pool of a graph that will not run again (and of its gradient function), e.g. one evicted from
     * a graph cache.
     */
    public static void releaseGraph(SameDiff sd) {
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) {
            ClosingSessions.unregister(grad);
        }
        ClosingSessions.unregister(sd);
    }

    /**
     * Frees everything the last session of {@code sd} on this thread allocated except {@code results}, and drops the
     * session (SameDiff makes a new one per call; the old one would keep its arrays reachable until then).
     */
    public static void releaseLastSession(SameDiff sd, Collection<INDArray> results) {
        InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
        if (s != null && s.getMmgr() instanceof ClosingMemoryManager m) {
            m.closeAllExcept(results);
            LOG.debug("session of {} ops: {}", sd.getOps().size(), m.counts());
        }
        sd.getSessions().clear();
    }

    /**
     * Outputs and gradients of a graph with a gradient function, freeing intermediates as soon as the backward pass
     * no longer needs them, then everything else the session allocated except the results.
     *
     * @param sd          the graph ({@code createGradFunction()} done)
     * @param placeholders placeholder values
     * @param outputs     outputs to return
     * @param wrt         variables whose gradients to return
     * @return outputs and gradients (owned by the caller)
     */
    public static OutAndGrad outputsAndGradients(SameDiff sd, Map<String, INDArray> placeholders,
                                                 List<String> outputs, List<String> wrt) {
        SameDiff gradFn = sd.getFunction("grad");
        List<String> requested = new ArrayList<>(outputs);
        for (String w : wrt) {
            requested.add(sd.getVariable(w).getGradient().name());
        }
        EagerReleaseListener release = new EagerReleaseListener(gradFn, requested, ClosingSessions.poolOf(gradFn));
        BaseListener times = OpTimes.activeListener(sd);
        if (times != null) {
            sd.setListeners(times, release);   // the timer first: the release's bookkeeping is not op time
        } else {
            sd.setListeners(release);
        }
        OutAndGrad og;
        try {
            og = sd.calculateGradientsAndOutputs(placeholders, outputs, wrt);
        } finally {
            sd.setListeners();
        }
        List<INDArray> keep = new ArrayList<>(og.getOutputs().values());
        keep.addAll(og.getGradients().values());
        releaseLastSession(gradFn, keep);
        LOG.debug("step released {} buffers early", release.closedBuffers());
        return og;
    }

    /**
     * Outputs of a graph registered with {@link #closeSessionArrays}, then everything else its session allocated
     * freed (SameDiff's default memory manager keeps released arrays for reuse, keyed by shape).
     *
     * @return the outputs (owned by the caller)
     */
    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        BaseListener times = OpTimes.activeListener(sd);
        Map<String, INDArray> out;
        if (times != null) {
            sd.setListeners(times);
        }
        try {
            out = sd.output(placeholders, outputs);
        } finally {
            if (times != null) {
                sd.setListeners();
            }
        }
        releaseLastSession(sd, out.values());
        return out;
    }

    /** Collects garbage if resident memory grew by more than 256 MB since the last collection (call after a step). */
    public static void afterWork() {
        NativeMemoryGuard.afterWork();
    }
}
