package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

/**
 * {@code --long-lines truncate|window}: what happens to a line with more ids than one sequence holds.
 *
 * <pre>{@code
 * @Mixin LongLinesOption longLines;
 * SequenceOptions o = base.withWindowLongLines(longLines.window());
 * }</pre>
 */
final class LongLinesOption {

    /** The two treatments. */
    enum Mode {
        /** keep the start of the line (the papers' pipelines). */
        TRUNCATE,
        /** cut it into consecutive windows, each its own sequence (e.g. a corpus of one-line books). */
        WINDOW
    }

    @Option(names = "--long-lines", paramLabel = "MODE", defaultValue = "TRUNCATE",
            description = "TRUNCATE | WINDOW: a line longer than --max-length is truncated, or cut into windows that "
                    + "each become a sequence (default: ${DEFAULT-VALUE})")
    Mode mode;

    /** @return whether long lines are cut into windows */
    boolean window() {
        return mode == Mode.WINDOW;
    }
}
