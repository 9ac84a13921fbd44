package io.mlsm.examples;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.LoggingProgressListener;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.EwokResult;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.sweep.ZeroShotSuite;
import io.mlsm.models.io.HfDebertaDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Zero-shot EWoK of a model directory: the encrypted BabyLM EWoK zip is read in place from
 * {@code dataDir/ewok_filtered/} (its terms forbid plain-text redistribution, so it is not bundled), each item decided
 * by the pseudo-log-likelihood of its targets; accuracy per domain.
 *
 * <pre>{@code
 * var r = EvalEwokExample.run(new EvalEwokExample.Options(Path.of("runs/q/head"),
 *         Path.of("runs/q/tokenizer/tokenizer.json"), Path.of("../shared/data"), true, 10, ScoringHead.AUTO,
 *         Normaliser.ALL_OUTPUTS));
 * }</pre>
 * Command line: {@code mlsm eval-ewok --model DIR --tokenizer FILE --data ../shared/data --fast
 * [--normaliser ALL_OUTPUTS|VOCABULARY]}.
 */
public final class EvalEwokExample {

    private EvalEwokExample() {
    }

    /**
     * @param modelDir      model directory
     * @param tokenizerFile {@code tokenizer.json}
     * @param dataDir       the folder holding {@code ewok_filtered/}
     * @param fastSubset    read the BabyLM 2025 fast subset instead of the full filtered set
     * @param itemsPerGroup items read per group ({@code 0} = all)
     * @param head          which head scores
     * @param normaliser    rows of the PLL log-softmax ({@link Normaliser#ALL_OUTPUTS}: the BabyLM pipeline's)
     * @param concepts      latent concepts {@code k} of a released {@code V + k} directory with no key of ours, or
     *                      -1: from the config, else {@code vocab_size − tokenizer size}
     */
    public record Options(Path modelDir, Path tokenizerFile, Path dataDir, boolean fastSubset, int itemsPerGroup,
                          ScoringHead head, Normaliser normaliser, int concepts) {
        public Options {
            if (modelDir == null || !Files.isRegularFile(modelDir.resolve("config.json"))) {
                throw new IllegalArgumentException("model directory " + modelDir + " has no config.json");
            }
            if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizerFile);
            }
            if (dataDir == null || !Files.isDirectory(dataDir.resolve("ewok_filtered"))) {
                throw new IllegalArgumentException("no ewok_filtered/ folder in " + dataDir
                        + " (EWoK is not bundled: point --data at the BabyLM evaluation data)");
            }
            if (itemsPerGroup < 0) {
                throw new IllegalArgumentException("itemsPerGroup must be >= 0 (0 = all), got " + itemsPerGroup);
            }
            if (head == null || normaliser == null) {
                throw new IllegalArgumentException("head and normaliser are required");
            }
            if (concepts < -1) {
                throw new IllegalArgumentException("concepts must be >= 0, or -1 (from the config / inferred), got "
                        + concepts);
            }
        }

        /** Options with {@code k} from the config, else inferred. */
        public Options(Path modelDir, Path tokenizerFile, Path dataDir, boolean fastSubset, int itemsPerGroup,
                       ScoringHead head, Normaliser normaliser) {
            this(modelDir, tokenizerFile, dataDir, fastSubset, itemsPerGroup, head, normaliser, -1);
        }

        /** Options with {@link Normaliser#ALL_OUTPUTS}. */
        public Options(Path modelDir, Path tokenizerFile, Path dataDir, boolean fastSubset, int itemsPerGroup,
                       ScoringHead head) {
            this(modelDir, tokenizerFile, dataDir, fastSubset, itemsPerGroup, head, Normaliser.ALL_OUTPUTS, -1);
        }
    }

    /**
     * @param scores per-item scores (per-domain accuracy via {@link EwokResult#byDomain()}; the normaliser applied in
     *               {@link EwokResult#provenance()})
     */
    public record Result(EwokResult scores) {
    }

    /** @throws UncheckedIOException when the model, tokenizer or data cannot be read */
    public static Result run(Options o) {
        try {
            Tokenizer tok = UnigramTokenizer.load(o.tokenizerFile());
            Evaluations.Settings s = Evaluations.Settings.defaults().withHead(o.head()).withNormaliser(o.normaliser())
                    .withEwokZip(o.fastSubset() ? ZeroShotSuite.EWOK_FAST_ZIP : ZeroShotSuite.EWOK_ZIP)
                    .withListener(new LoggingProgressListener(15));
            EvalLimit limit = o.itemsPerGroup() == 0 ? EvalLimit.all() : EvalLimit.firstN(o.itemsPerGroup());
            return new Result(Evaluations.ewok(HfDebertaDirectory.loadModelFor(o.modelDir(), tok.vocabSize(),
                    o.concepts()), tok, o.dataDir(), limit, s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
