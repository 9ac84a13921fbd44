package io.mlsm.examples;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.LoggingProgressListener;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.Provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot BLiMP (and the BLiMP supplement when its folder is given) of a model directory by pseudo-log-likelihood
 * (Salazar et al. 2020): accuracy per phenomenon as Markdown and CSV (captioned with the normaliser), per paradigm
 * as {@code blimp-paradigms.csv}, and
 * {@code blimp.provenance.json} (model, tokenizer, head, normaliser, PLL options).
 *
 * <pre>{@code
 * var r = EvalBlimpExample.run(new EvalBlimpExample.Options(Path.of("runs/q/head"),
 *         Path.of("runs/q/tokenizer/tokenizer.json"), null, null, 20, ScoringHead.AUTO, Normaliser.ALL_OUTPUTS,
 *         Path.of("runs/q/eval")));
 * System.out.println(r.markdown());
 * }</pre>
 * Command line: {@code mlsm eval-blimp --model DIR --tokenizer FILE [--blimp DIR] [--supplement DIR]
 * [--normaliser ALL_OUTPUTS|VOCABULARY]}.
 */
public final class EvalBlimpExample {

    private EvalBlimpExample() {
    }

    /**
     * @param modelDir      model directory
     * @param tokenizerFile {@code tokenizer.json}
     * @param blimpDir      a folder of BLiMP {@code <paradigm>.jsonl} files ({@code null} = the bundled subset)
     * @param supplementDir a folder of BLiMP-supplement files, or {@code null}
     * @param pairsPerFile  pairs read from each file ({@code 0} = all)
     * @param head          which head scores ({@code AUTO}: phase-3 head when the model has one)
     * @param normaliser    rows of the PLL log-softmax ({@link Normaliser#ALL_OUTPUTS}: the BabyLM pipeline's)
     * @param outputDir     where {@code blimp.md}, {@code blimp.csv} and {@code blimp.provenance.json} go
     * @param concepts      latent concepts {@code k} of a released {@code V + k} directory with no key of ours, or
     *                      -1: from the config, else {@code vocab_size − tokenizer size}
     *                      ({@link HfDebertaDirectory#latentConceptsFor})
     */
    public record Options(Path modelDir, Path tokenizerFile, Path blimpDir, Path supplementDir, int pairsPerFile,
                          ScoringHead head, Normaliser normaliser, Path outputDir, int concepts) {
        public Options {
            if (modelDir == null || !Files.isRegularFile(modelDir.resolve("config.json"))) {
                throw new IllegalArgumentException("model directory " + modelDir + " has no config.json");
            }
            if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizerFile);
            }
            if (blimpDir != null && !Files.isDirectory(blimpDir)) {
                throw new IllegalArgumentException("BLiMP directory does not exist: " + blimpDir);
            }
            if (supplementDir != null && !Files.isDirectory(supplementDir)) {
                throw new IllegalArgumentException("BLiMP supplement directory does not exist: " + supplementDir);
            }
            if (pairsPerFile < 0) {
                throw new IllegalArgumentException("pairsPerFile must be >= 0 (0 = all), got " + pairsPerFile);
            }
            if (head == null || normaliser == null || outputDir == null) {
                throw new IllegalArgumentException("head, normaliser and outputDir are required");
            }
            if (concepts < -1) {
                throw new IllegalArgumentException("concepts must be >= 0, or -1 (from the config / inferred), got "
                        + concepts);
            }
        }

        /** Options with {@code k} from the config, else inferred. */
        public Options(Path modelDir, Path tokenizerFile, Path blimpDir, Path supplementDir, int pairsPerFile,
                       ScoringHead head, Normaliser normaliser, Path outputDir) {
            this(modelDir, tokenizerFile, blimpDir, supplementDir, pairsPerFile, head, normaliser, outputDir, -1);
        }

        /** Options with {@link Normaliser#ALL_OUTPUTS}. */
        public Options(Path modelDir, Path tokenizerFile, Path blimpDir, Path supplementDir, int pairsPerFile,
                       ScoringHead head, Path outputDir) {
            this(modelDir, tokenizerFile, blimpDir, supplementDir, pairsPerFile, head, Normaliser.ALL_OUTPUTS,
                    outputDir);
        }
    }

    /**
     * @param scores       per-pair scores
     * @param table        phenomenon rows, one column (the model directory's name)
     * @param markdown     the table as Markdown
     * @param markdownFile {@code blimp.md}
     * @param csvFile      {@code blimp.csv}
     * @param provenanceFile {@code blimp.provenance.json}
     */
    public record Result(BlimpResult scores, ResultTable table, String markdown, Path markdownFile, Path csvFile,
                         Path provenanceFile) {
    }

    /**
     * @throws IllegalArgumentException when the tokenizer does not fit the model or a data file is malformed
     * @throws UncheckedIOException     when a file cannot be read or written
     */
    public static Result run(Options o) {
        try {
            Tokenizer tok = UnigramTokenizer.load(o.tokenizerFile());
            DebertaModel model = HfDebertaDirectory.loadModelFor(o.modelDir(), tok.vocabSize(), o.concepts());
            EvalLimit limit = o.pairsPerFile() == 0 ? EvalLimit.all() : EvalLimit.firstN(o.pairsPerFile());
            Path blimpDir = o.blimpDir() != null ? o.blimpDir()
                    : BundledData.blimp(o.outputDir().resolve("data").resolve("blimp_filtered"));
            List<MinimalPair> pairs = new ArrayList<>(BlimpReader.readBlimp(blimpDir, limit));
            if (o.supplementDir() != null) {
                pairs.addAll(BlimpReader.readSupplement(o.supplementDir(), limit));
            }
            PllOptions d = PllOptions.defaults();
            PllOptions pll = new PllOptions(d.maxBatchRows(), d.maxBatchTokens(),
                    Math.min(d.maxLength(), model.config().maxPositions()), o.normaliser());  // longer: truncated
            BlimpResult scores = new BlimpEvaluator(tok, Evaluations.scorer(model, tok, o.head()), pll)
                    .evaluate(pairs, new LoggingProgressListener(15));
            String column = o.modelDir().toAbsolutePath().normalize().getFileName().toString();
            ResultTable table = Evaluations.blimpTable(scores, column);
            Files.createDirectories(o.outputDir());
            Path md = o.outputDir().resolve("blimp.md");
            Path csv = o.outputDir().resolve("blimp.csv");
            Path prov = o.outputDir().resolve("blimp.provenance.json");
            MarkdownTable.write(table, 3, md);
            CsvTable.write(table, csv);
            ResultTable byParadigm = new ResultTable("paradigm").addColumn(column).caption(table.caption());
            scores.byParadigm().forEach((paradigm, a) -> byParadigm.put(paradigm, column, a.value()));
            CsvTable.write(byParadigm, o.outputDir().resolve("blimp-paradigms.csv"));
            Provenance.Builder b = Provenance.builder("blimp-evaluation")
                    .data("model", new Provenance.DataIdentity(o.modelDir().toString(), -1, null, null))
                    .data("tokenizer", Provenance.DataIdentity.ofFile(o.tokenizerFile()))
                    .data("blimp", new Provenance.DataIdentity(blimpDir.toString(), -1, null,
                            limit + ", " + pairs.size() + " pairs"))
                    .extra("scoringHead", o.head().name());
            scores.provenance().forEach(b::extra);
            b.extra("caption", table.caption());
            b.build().write(prov);
            return new Result(scores, table, MarkdownTable.render(table, 3), md, csv, prov);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
