package io.mlsm.examples;

import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.pretrain.DictionarySpec;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.tokenizer.VocabularyFit;
import io.mlsm.core.train.TeacherHiddenStates;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.SparseCodes;
import io.mlsm.sparse.OnlineDictionaryLearner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Learns a dictionary of latent concepts from a teacher: the teacher runs (unmasked) over the corpus, the hidden
 * states of one layer are collected into one sample and fed, L2-normalised, to online dictionary learning (Mairal,
 * Bach, Ponce, Sapiro 2009) as the reference (SPAMS {@code trainDL}) does it: rows permuted (seeded) into
 * mini-batches, atoms started from random rows of the whole sample, no forgetting unless {@code forgetting} &gt; 0;
 * the dictionary is saved, loaded back and used to code a held-out batch of hidden states with non-negative FISTA
 * (the phase-2 targets).
 *
 * <pre>{@code
 * var r = LearnDictionaryExample.run(new LearnDictionaryExample.Options(Path.of("runs/teacher/student"),
 *         Path.of("runs/teacher/tokenizer/tokenizer.json"), null, 256, 0.05, -1, 30_000, 200, 0, Path.of("runs/dict")));
 * }</pre>
 * Command line: {@code mlsm learn-dictionary --teacher DIR --tokenizer FILE --atoms 256 [--forgetting 0]}.
 */
public final class LearnDictionaryExample {

    private static final Logger LOG = LoggerFactory.getLogger(LearnDictionaryExample.class);

    private LearnDictionaryExample() {
    }

    /**
     * @param teacherDir    teacher model directory
     * @param tokenizerFile its {@code tokenizer.json}
     * @param corpusDir     corpus directory ({@code null} = bundled corpus)
     * @param atoms         k
     * @param lambda        ℓ1 weight
     * @param layer         hidden-state index (0 = embeddings, -1 = last layer)
     * @param sampleTokens  hidden states used for learning
     * @param iterations    learner iterations (mini-batches of up to 400 rows; at most one pass over the sample)
     * @param forgetting    forgetting exponent ρ ≥ 0 of the learner (0 = the reference)
     * @param outputDir     where {@code dictionary.mlsmdict} (with provenance) and {@code dictionary.npy} (the atoms
     *                      {@code [d, k]} for numpy, the SPAMS layout) go
     */
    public record Options(Path teacherDir, Path tokenizerFile, Path corpusDir, int atoms, double lambda, int layer,
                          long sampleTokens, long iterations, double forgetting, Path outputDir) {

        /** The options with the reference's forgetting ρ = 0. */
        public Options(Path teacherDir, Path tokenizerFile, Path corpusDir, int atoms, double lambda, int layer,
                       long sampleTokens, long iterations, Path outputDir) {
            this(teacherDir, tokenizerFile, corpusDir, atoms, lambda, layer, sampleTokens, iterations, 0, outputDir);
        }

        public Options {
            if (teacherDir == null || !Files.isRegularFile(teacherDir.resolve("config.json"))) {
                throw new IllegalArgumentException("teacher directory " + teacherDir + " has no config.json");
            }
            if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizerFile);
            }
            if (corpusDir != null && !Files.isDirectory(corpusDir)) {
                throw new IllegalArgumentException("corpus directory does not exist: " + corpusDir.toAbsolutePath());
            }
            if (atoms < 1) {
                throw new IllegalArgumentException("atoms must be >= 1, got " + atoms);
            }
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
            }
            if (sampleTokens < 2) {
                throw new IllegalArgumentException("sampleTokens must be >= 2, got " + sampleTokens);
            }
            if (iterations < 1) {
                throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            }
            if (!(forgetting >= 0) || !Double.isFinite(forgetting)) {
                throw new IllegalArgumentException("forgetting (rho) must be finite and >= 0, got " + forgetting);
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
        }
    }

    /**
     * @param dictionaryFile   the saved dictionary
     * @param npyFile          the same atoms as a NumPy {@code .npy} matrix {@code [d, k]}, one atom per column
     * @param dimension        d (the teacher's hidden size)
     * @param atoms            k
     * @param heldOutRows      hidden states coded after learning
     * @param meanNonZeros     mean non-zeros of their codes
     * @param relativeError    ‖h − Dα‖ / ‖h‖ over them (h L2-normalised)
     * @param zeroCodeFraction fraction of held-out rows whose code is all zero
     */
    public record Result(Path dictionaryFile, Path npyFile, int dimension, int atoms, int heldOutRows, double meanNonZeros,
                         double relativeError, double zeroCodeFraction) {
    }

    /**
     * @throws IllegalArgumentException when the tokenizer does not match the teacher's vocabulary or the layer does
     *                                  not exist
     * @throws UncheckedIOException     when a file cannot be read or written
     */
    public static Result run(Options o) {
        try {
            Tokenizer tok = UnigramTokenizer.load(o.tokenizerFile());
            DebertaModel teacher = HfDebertaDirectory.loadModelFor(o.teacherDir(), tok.vocabSize(), -1);
            VocabularyFit.require(tok, teacher.config(), o.tokenizerFile(), o.teacherDir());
            Files.createDirectories(o.outputDir());
            Corpus corpus = o.corpusDir() == null ? BundledData.corpus(o.outputDir().resolve("corpus"))
                    : Corpus.directory(o.corpusDir());
            EncodedCorpus seqs = EncodedCorpus.openOrBuild(corpus, tok, new SequenceOptions(
                    Math.min(128, teacher.config().maxPositions()), SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true),
                    o.outputDir().resolve("corpus-cache"));
            BatchStream unmasked = BatchStream.builder(seqs, tok).batchSize(16).masking(Masking.none()).seed(7)
                    .epochs(1).dropLast(false).build();
            int batch = (int) Math.min(400, o.sampleTokens());
            TeacherHiddenStates rows = new TeacherHiddenStates(teacher, o.layer(), unmasked, o.sampleTokens() + batch,
                    batch);
            INDArray heldOut = rows.next();                                   // [batch, d], kept out of learning
            INDArray sample = rows.collect(DictionarySpec.learn().sampleMemory());   // [n, d], the rest of the budget
            LOG.info("learning {} atoms (lambda {}, forgetting {}) from layer {} of {} over {} hidden states ({})",
                    o.atoms(), o.lambda(), o.forgetting(), o.layer(), o.teacherDir(), sample.rows(),
                    sample.dataType());
            Dictionary dict = OnlineDictionaryLearner.builder().atoms(o.atoms()).lambda(o.lambda()).batchSize(batch)
                    .maxIterations(o.iterations()).forgetting(o.forgetting()).seed(42).normaliseInput(true)
                    .dataDescription("teacher " + o.teacherDir() + " layer " + o.layer() + ", " + sample.rows()
                            + " tokens, " + corpus).build()
                    .fit(sample);
            Path file = o.outputDir().resolve("dictionary.mlsmdict");
            dict.save(file);
            Path npy = o.outputDir().resolve("dictionary.npy");
            dict.writeNpy(npy);
            Dictionary back = Dictionary.load(file);

            INDArray h = heldOut.divColumnVector(heldOut.norm2(1).reshape(heldOut.rows(), 1).addi(1e-12));   // [n, d]
            SparseCodes codes = NonNegativeFista.builder(back).lambda(o.lambda()).maxIterations(100).build().solve(h);
            INDArray alpha = codes.codes();                                   // [n, k]
            INDArray recon = alpha.mmul(back.atoms().transpose());            // [n, d]
            double err = h.sub(recon).norm2Number().doubleValue() / h.norm2Number().doubleValue();
            long zero = 0;
            INDArray l1 = alpha.sum(1);                                       // [n]
            for (int i = 0; i < l1.length(); i++) {
                if (l1.getDouble(i) == 0) {
                    zero++;
                }
            }
            Result r = new Result(file, npy, back.dimension(), back.size(), h.rows(), codes.meanNonZeros(), err,
                    zero / (double) h.rows());
            LOG.info("dictionary {} ({} x {}): held-out codes have {} non-zeros on average, relative error {}, "
                    + "{} all-zero", file, r.dimension(), r.atoms(), PretrainExample.fmt(r.meanNonZeros()),
                    PretrainExample.fmt(err), PretrainExample.fmt(r.zeroCodeFraction()));
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
