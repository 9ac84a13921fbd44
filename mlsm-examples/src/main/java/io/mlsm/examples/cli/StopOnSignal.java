package io.mlsm.examples.cli;

import io.mlsm.core.train.TrainingStop;
import sun.misc.Signal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGINT (Ctrl-C) and SIGTERM during a training command: the first one asks the running phase to finish its current
 * step, write a checkpoint and stop ({@link TrainingStop}); the command then exits with 130 (SIGINT) or 143
 * (SIGTERM) and says how to resume. A second signal exits at once.
 *
 * <pre>{@code
 * try (StopOnSignal ignored = StopOnSignal.install(System.err)) {
 *     ... train ...
 * }
 * }</pre>
 */
final class StopOnSignal implements AutoCloseable {

    /** Exit code of a run stopped by SIGINT (128 + 2). */
    static final int EXIT_SIGINT = 130;
    /** Exit code of a run stopped by SIGTERM (128 + 15). */
    static final int EXIT_SIGTERM = 143;

    private final List<Signal> signals = new ArrayList<>();
    private final List<sun.misc.SignalHandler> previous = new ArrayList<>();

    private StopOnSignal() {
    }

    static StopOnSignal install(PrintStream err) {
        TrainingStop.clear();
        StopOnSignal s = new StopOnSignal();
        for (String name : new String[]{"INT", "TERM"}) {
            Signal sig;
            try {
                sig = new Signal(name);
            } catch (IllegalArgumentException e) {
                continue;   // a platform without this signal
            }
            sun.misc.SignalHandler old = Signal.handle(sig, x -> {
                if (TrainingStop.request("SIG" + x.getName())) {
                    err.println();
                    err.println("mlsm: SIG" + x.getName() + ": finishing the current step and writing a checkpoint "
                            + "(send it again to quit at once, losing the current step)");
                    err.flush();
                } else {
                    Runtime.getRuntime().halt("TERM".equals(x.getName()) ? EXIT_SIGTERM : EXIT_SIGINT);
                }
            });
            s.signals.add(sig);
            s.previous.add(old);
        }
        return s;
    }

    /** @return the exit code for a stop with this reason ({@code SIGINT}, {@code SIGTERM}, other) */
    static int exitCode(String reason) {
        return "SIGTERM".equals(reason) ? EXIT_SIGTERM : EXIT_SIGINT;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        TrainingStop.clear();
    }
}
