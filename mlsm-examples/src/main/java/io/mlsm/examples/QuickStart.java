package io.mlsm.examples;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.pretrain.DictionarySpec;
import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.pretrain.Checkpointing;
import io.mlsm.core.pretrain.Pretraining;
import io.mlsm.core.pretrain.PretrainingResult;
import io.mlsm.core.pretrain.TeacherSpec;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.LoggingProgressListener;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quick start: a complete three-phase MLSM run on the bundled public-domain corpus with a tiny DeBERTa on the
 * CPU, ending with a BLiMP table per phenomenon that compares the MLM teacher, the MLSM+MLM student (scored with its
 * MLM head) and the phase-3 model (scored with its latent-to-vocabulary head):
 * <ol>
 *   <li>a Unigram tokenizer trained on the corpus;</li>
 *   <li>phase 1: a tiny teacher pre-trained with MLM;</li>
 *   <li>a dictionary of latent concepts learned from the teacher's last-layer hidden states;</li>
 *   <li>phase 2: a student warm-started from the teacher and trained with MLSM+MLM;</li>
 *   <li>phase 3: a latent-to-vocabulary head trained with MLM on the frozen student;</li>
 *   <li>BLiMP (the bundled subset) by pseudo-log-likelihood, written as Markdown and CSV.</li>
 * </ol>
 * A second run in the same directory reuses finished phases (and resumes an interrupted one).
 *
 * <pre>{@code
 * QuickStart.Result r = QuickStart.run(QuickStart.Options.defaults(Path.of("mlsm-runs/quickstart")));
 * System.out.println(r.markdown());
 * }</pre>
 * Command line: {@code ./mlsm quickstart} (options: {@code ./mlsm quickstart --help}).
 */
public final class QuickStart {

    private static final Logger LOG = LoggerFactory.getLogger(QuickStart.class);

    /** Column names of the BLiMP table. */
    public static final String TEACHER = "MLM teacher";
    public static final String STUDENT = "MLSM+MLM student";
    public static final String HEAD = "phase 3 (latent→vocab)";

    private QuickStart() {
    }

    /**
     * @param outputDir     where every artifact, metric and report goes
     * @param vocabSize     tokenizer pieces
     * @param hiddenSize    model width (layers, heads and feed-forward width follow {@link #architecture()})
     * @param layers        encoder layers
     * @param maxLength     ids per training sequence ({@code [CLS] A [SEP] B [SEP]})
     * @param batchSize     sequences per micro-batch
     * @param teacherSteps  phase-1 steps
     * @param atoms         dictionary atoms (latent concepts)
     * @param sampleTokens  teacher hidden states used to learn the dictionary
     * @param dictIterations online dictionary-learning iterations
     * @param studentSteps  phase-2 steps
     * @param headSteps     phase-3 steps
     * @param blimpPairs    BLiMP pairs per paradigm, in {@code [1, 20]} (the bundled subset has 20)
     * @param seed          seed of every random choice
     * @param progress      training progress (e.g. {@link TrainingListener#defaults()})
     * @param checkpointing periodic checkpoints and start-over ({@code null} = {@link Checkpointing#defaults()})
     */
    public record Options(Path outputDir, int vocabSize, int hiddenSize, int layers, int maxLength, int batchSize,
                          long teacherSteps, int atoms, long sampleTokens, long dictIterations, long studentSteps,
                          long headSteps, int blimpPairs, long seed, TrainingListener progress,
                          Checkpointing checkpointing) {
        public Options {
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
            positive("vocabSize", vocabSize);
            positive("hiddenSize", hiddenSize);
            positive("layers", layers);
            positive("batchSize", batchSize);
            positive("teacherSteps", teacherSteps);
            positive("atoms", atoms);
            positive("sampleTokens", sampleTokens);
            positive("dictIterations", dictIterations);
            positive("studentSteps", studentSteps);
            positive("headSteps", headSteps);
            if (hiddenSize % 4 != 0) {
                throw new IllegalArgumentException("hiddenSize must be a multiple of the 4 attention heads, got "
                        + hiddenSize);
            }
            if (maxLength < 8 || maxLength > 512) {
                throw new IllegalArgumentException("maxLength must be in [8, 512], got " + maxLength);
            }
            if (blimpPairs < 1 || blimpPairs > BundledData.BLIMP_PAIRS_PER_PARADIGM) {
                throw new IllegalArgumentException("blimpPairs must be in [1, " + BundledData.BLIMP_PAIRS_PER_PARADIGM
                        + "] (pairs per paradigm in the bundled subset), got " + blimpPairs);
            }
            if (progress == null) {
                progress = TrainingListener.defaults();
            }
            if (checkpointing == null) {
                checkpointing = Checkpointing.defaults();
            }
        }

        /**
         * The quick-start settings: hidden 64, 2 layers, 64 ids, batch 32; teacher 400, student 200, head 120 steps;
         * 128 atoms from 8000 hidden states (about 7–8 minutes on 2 idle cores, see docs/examples.md).
         */
        public static Options defaults(Path outputDir) {
            return new Options(outputDir, 6000, 64, 2, 64, 32, 400, 128, 8_000, 20, 200, 120,
                    BundledData.BLIMP_PAIRS_PER_PARADIGM, 42, null, null);
        }

        /** Tiny settings for tests and a smoke run (about a minute). */
        public static Options fast(Path outputDir) {
            return new Options(outputDir, 1000, 32, 1, 32, 8, 8, 16, 2_000, 10, 8, 8, 2, 42, null, null);
        }

        /** @return the model architecture of teacher and student */
        public DebertaConfig architecture() {
            return DebertaConfig.tiny().toBuilder().hiddenSize(hiddenSize).numLayers(layers).numHeads(4)
                    .intermediateSize(4 * hiddenSize).maxPositions(Math.max(maxLength, 64)).build();
        }

        /** @return a copy with another progress listener */
        public Options withProgress(TrainingListener l) {
            return new Options(outputDir, vocabSize, hiddenSize, layers, maxLength, batchSize, teacherSteps, atoms,
                    sampleTokens, dictIterations, studentSteps, headSteps, blimpPairs, seed, l, checkpointing);
        }

        /** @return a copy with other checkpoint settings */
        public Options withCheckpointing(Checkpointing c) {
            return new Options(outputDir, vocabSize, hiddenSize, layers, maxLength, batchSize, teacherSteps, atoms,
                    sampleTokens, dictIterations, studentSteps, headSteps, blimpPairs, seed, progress, c);
        }

        private static void positive(String name, long v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + v);
            }
        }
    }

    /**
     * @param pretraining the artifacts and loss curves of the three phases
     * @param blimp       BLiMP scores by column ({@link #TEACHER}, {@link #STUDENT}, {@link #HEAD})
     * @param table       phenomenon rows × model columns (accuracy in [0, 1])
     * @param markdown    the table as Markdown (also written to {@code blimp.md})
     * @param markdownFile {@code blimp.md}
     * @param csvFile     {@code blimp.csv}
     * @param elapsed     wall time of the whole run
     */
    public record Result(PretrainingResult pretraining, Map<String, BlimpResult> blimp, ResultTable table,
                         String markdown, Path markdownFile, Path csvFile, Duration elapsed) {
        public Result {
            blimp = Map.copyOf(blimp);
        }
    }

    /**
     * Runs the quick start.
     *
     * @throws UncheckedIOException when a file cannot be read or written
     */
    public static Result run(Options o) {
        long t0 = System.nanoTime();
        try {
            Path out = o.outputDir();
            Files.createDirectories(out);
            Corpus corpus = BundledData.corpus(out.resolve("data").resolve("corpus"));
            Path blimpDir = BundledData.blimp(out.resolve("data").resolve("blimp_filtered"));
            LOG.info("quick start in {}: corpus {} ({} bytes), BLiMP subset {} pairs per paradigm", out.toAbsolutePath(),
                    corpus, corpus.totalBytes(), o.blimpPairs());

            Files.createDirectories(out.resolve("tokenizer"));   // where Pretraining saves tokenizer.json
            DebertaConfig arch = o.architecture();
            PretrainingResult pr = Pretraining.threePhase()
                    .corpus(corpus)
                    .trainTokenizer(o.vocabSize())
                    .sequences(new SequenceOptions(o.maxLength(), SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true))
                    .teacher(TeacherSpec.pretrainMlm(arch).steps(o.teacherSteps()).learningRate(1e-3)
                            .warmupFraction(0.05))
                    .dictionary(DictionarySpec.learn().atoms(o.atoms()).lambda(0.05).layer(-1)
                            .sampleTokens(o.sampleTokens()).batchSize(Math.min(400, (int) o.sampleTokens()))
                            .iterations(o.dictIterations()).fistaIterations(50))
                    .objective(Objective.MLSM_PLUS_MLM)
                    .student(arch).warmStart(true).steps(o.studentSteps()).learningRate(5e-4).warmupFraction(0.05)
                    .headSteps(o.headSteps()).headLearningRate(2e-3)
                    .batchSize(o.batchSize())
                    .seed(o.seed())
                    .listener(o.progress())
                    .checkpointing(o.checkpointing())
                    .outputDir(out)
                    .fit();

            Tokenizer tok = UnigramTokenizer.load(pr.tokenizer());
            List<MinimalPair> pairs = BlimpReader.readBlimp(blimpDir, EvalLimit.firstN(o.blimpPairs()));
            Map<String, BlimpResult> scores = new LinkedHashMap<>();
            scores.put(TEACHER, blimp(HfDebertaDirectory.loadModel(pr.teacher()), tok, ScoringHead.MLM, pairs, TEACHER));
            scores.put(STUDENT, blimp(HfDebertaDirectory.loadModel(pr.student()), tok, ScoringHead.MLM, pairs,
                    STUDENT));
            scores.put(HEAD, blimp(HfDebertaDirectory.loadModel(pr.head()), tok, ScoringHead.LATENT_TO_VOCAB, pairs,
                    HEAD));

            ResultTable table = new ResultTable("phenomenon");
            for (Map.Entry<String, BlimpResult> e : scores.entrySet()) {
                ResultTable one = Evaluations.blimpTable(e.getValue(), e.getKey());
                table.addColumn(e.getKey());
                for (String row : one.rows()) {
                    table.put(row, e.getKey(), one.get(row, e.getKey()).orElseThrow());
                }
            }
            Path md = out.resolve("blimp.md");
            Path csv = out.resolve("blimp.csv");
            MarkdownTable.write(table, 3, md);
            CsvTable.write(table, csv);
            String markdown = MarkdownTable.render(table, 3);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("quick start done in {} s: {} and {}", elapsed.toSeconds(), md, csv);
            return new Result(pr, scores, table, markdown, md, csv, elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BlimpResult blimp(DebertaModel model, Tokenizer tok, ScoringHead head, List<MinimalPair> pairs,
                                     String name) {
        LOG.info("BLiMP: scoring {} pairs with the {} ({} head)", pairs.size(), name, head);
        EvalProgressListener progress = new LoggingProgressListener(15);
        PllOptions d = PllOptions.defaults();
        PllOptions pll = new PllOptions(d.maxBatchRows(), d.maxBatchTokens(),
                Math.min(d.maxLength(), model.config().maxPositions()));   // longer sentences are truncated
        return new BlimpEvaluator(tok, Evaluations.scorer(model, tok, head), pll)
                .evaluate(pairs, progress);
    }
}
