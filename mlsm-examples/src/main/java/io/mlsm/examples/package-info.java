/**
 * Runnable examples, one per scenario. Each example class has a validating {@code Options} record, a {@code Result}
 * record and {@code static Result run(Options)} (what tests call with tiny settings). The matching {@code mlsm}
 * sub-command in {@code io.mlsm.examples.cli} parses the command line and calls {@code run}; that package depends on
 * this one, never the reverse, so the examples have no {@code main} of their own.
 *
 * <pre>{@code
 * TrainTokenizerExample.Result r = TrainTokenizerExample.run(
 *         new TrainTokenizerExample.Options(null, 4000, 0, Path.of("runs/tok")));
 * }</pre>
 */
package io.mlsm.examples;
