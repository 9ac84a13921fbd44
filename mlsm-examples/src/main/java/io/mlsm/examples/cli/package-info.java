/**
 * The {@code mlsm} command line ({@link io.mlsm.examples.cli.MlsmCli}, picocli): one sub-command per example.
 * Options that several commands share are picocli mixins, each declared once: {@code ModelOptions}
 * ({@code --model}, {@code --tokenizer}), {@code TokenizerOption}, {@code OutputOptions} ({@code --out}, a default per
 * command), {@code SeedOption}, {@code CorpusOption}, {@code DataOptions} ({@code --data}) and
 * {@code ScoringHeadOption} ({@code --head}). This package imports the examples; the examples never import it.
 *
 * <pre>{@code
 * ./mlsm --help
 * ./mlsm quickstart
 * ./mlsm fill-mask --model runs/quickstart/teacher --tokenizer runs/quickstart/tokenizer/tokenizer.json "A [MASK]."
 * }</pre>
 */
package io.mlsm.examples.cli;
