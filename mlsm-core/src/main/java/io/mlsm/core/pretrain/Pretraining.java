package io.mlsm.core.pretrain;

import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.listen.CompositeListener;
import io.mlsm.core.listen.CsvMetricsWriter;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.CachedConceptTargets;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.core.train.ConceptTargets;
import io.mlsm.core.train.TargetSource;
import io.mlsm.core.train.TeacherDistributions;
import io.mlsm.core.train.TeacherHiddenStates;
import io.mlsm.core.train.Trainer;
import io.mlsm.core.train.TrainingOptions;
import io.mlsm.core.train.TrainingResult;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingObjective;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.Provenance;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.OnlineDictionaryLearner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Multi-phase, concept-driven pre-training, configured fluently and run by {@link #fit()}:
 * <ol>
 *   <li>tokenizer — trained on the corpus (Unigram LM) or given;</li>
 *   <li>phase 1, teacher — pre-trained with MLM or loaded;</li>
 *   <li>dictionary — learned from the teacher's hidden states (online dictionary learning) or loaded;</li>
 *   <li>phase 2, student — trained with the chosen {@link Objective}, warm-started from the teacher or from a random
 *   initialisation;</li>
 *   <li>phase 3 ({@link #threePhase()} only) — a latent-to-vocabulary head {@code k → V} trained with MLM on the
 *   frozen phase-2 model.</li>
 * </ol>
 * Every artifact is written atomically under {@link Builder#outputDir(Path)} with its provenance; a phase whose
 * artifact already exists there is loaded instead of retrained, and an interrupted phase resumes from its last
 * checkpoint, so running {@code fit()} again continues a stopped run.
 *
 * <pre>{@code
 * PretrainingResult r = Pretraining.threePhase()
 *         .corpus(Corpus.directory(Path.of("data/train")))
 *         .trainTokenizer(8_000)
 *         .teacher(TeacherSpec.pretrainMlm(DebertaConfig.small()).steps(2_000))
 *         .dictionary(DictionarySpec.learn().atoms(1_500).lambda(0.05).layer(-1).sampleTokens(200_000))
 *         .objective(Objective.MLSM_PLUS_MLM)
 *         .student(DebertaConfig.small()).warmStart(true).steps(2_000)
 *         .headSteps(500)
 *         .outputDir(Path.of("runs/mlsm"))
 *         .fit();
 * }</pre>
 */
public final class Pretraining {

    private static final Logger LOG = LoggerFactory.getLogger(Pretraining.class);

    private Pretraining() {
    }

    /** @return a builder for tokenizer → teacher → (dictionary) → student */
    public static Builder twoPhase() {
        return new Builder(false);
    }

    /** @return a builder for tokenizer → teacher → (dictionary) → student → latent-to-vocabulary head */
    public static Builder threePhase() {
        return new Builder(true);
    }

    /** Fluent configuration; {@link #fit()} validates everything before any work starts. */
    public static final class Builder {
        private final boolean withHead;
        private Corpus corpus;
        private Tokenizer tokenizer;
        private int tokenizerVocab;
        private SequenceOptions sequenceOptions = SequenceOptions.defaults();
        private TeacherSpec teacher;
        private DictionarySpec dictionary;
        private Objective objective = Objective.MLSM_PLUS_MLM;
        private double mlmWeight = 1.0;
        private DebertaConfig student;
        private boolean warmStart = true;
        private final TrainingOptions.Builder studentTraining = TrainingOptions.builder();
        private final TrainingOptions.Builder headTraining = TrainingOptions.builder().steps(1000).learningRate(1e-3);
        private int batchSize = 32;
        private Path outputDir;
        private long checkpointEvery;
        private long[] checkpointAt = new long[0];
        private TrainingListener listener;
        private long seed = 42;
        private int cacheTopN;

        private Builder(boolean withHead) {
            this.withHead = withHead;
        }

        /** @param c the pre-training corpus @return this */
        public Builder corpus(Corpus c) {
            corpus = c;
            return this;
        }

        /** @param t a ready tokenizer (its vocabulary size becomes every model's) @return this */
        public Builder tokenizer(Tokenizer t) {
            tokenizer = t;
            tokenizerVocab = 0;
            return this;
        }

        /** @param vocabSize train a Unigram tokenizer of this size on the corpus @return this */
        public Builder trainTokenizer(int vocabSize) {
            if (vocabSize < 16) {
                throw new IllegalArgumentException("tokenizer vocabulary must be >= 16, got " + vocabSize);
            }
            tokenizerVocab = vocabSize;
            tokenizer = null;
            return this;
        }

        /** @param o sequence construction (max length, pairs of lines, minimum length) @return this */
        public Builder sequences(SequenceOptions o) {
            sequenceOptions = Objects.requireNonNull(o);
            return this;
        }

        /** @param t how the teacher is obtained @return this */
        public Builder teacher(TeacherSpec t) {
            teacher = t;
            return this;
        }

        /** @param d how the dictionary is obtained @return this */
        public Builder dictionary(DictionarySpec d) {
            dictionary = d;
            return this;
        }

        /** @param o the student's objective @return this */
        public Builder objective(Objective o) {
            objective = Objects.requireNonNull(o);
            return this;
        }

        /** @param w weight of the MLM term in joint objectives, {@code > 0} @return this */
        public Builder mlmWeight(double w) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("mlmWeight must be finite and > 0, got " + w);
            }
            mlmWeight = w;
            return this;
        }

        /** @param c the student's architecture (vocabulary from the tokenizer, k from the dictionary) @return this */
        public Builder student(DebertaConfig c) {
            student = c;
            return this;
        }

        /** @param w copy every teacher weight into the student before phase 2 @return this */
        public Builder warmStart(boolean w) {
            warmStart = w;
            return this;
        }

        /** @param n student optimiser steps @return this */
        public Builder steps(long n) {
            studentTraining.steps(n);
            return this;
        }

        /** @param n sequences per micro-batch (all phases) @return this */
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + n);
            }
            batchSize = n;
            return this;
        }

        /** @param n micro-batches per student step @return this */
        public Builder accumulation(int n) {
            studentTraining.accumulation(n);
            return this;
        }

        /** @param lr student peak learning rate @return this */
        public Builder learningRate(double lr) {
            studentTraining.learningRate(lr);
            return this;
        }

        /** @param f warm-up fraction of the student's steps @return this */
        public Builder warmupFraction(double f) {
            studentTraining.warmupFraction(f);
            return this;
        }

        /** @param n phase-3 optimiser steps @return this */
        public Builder headSteps(long n) {
            headTraining.steps(n);
            return this;
        }

        /** @param lr phase-3 peak learning rate @return this */
        public Builder headLearningRate(double lr) {
            headTraining.learningRate(lr);
            return this;
        }

        /** @param dir where artifacts, checkpoints and metrics go @return this */
        public Builder outputDir(Path dir) {
            outputDir = dir;
            return this;
        }

        /** @param n write a resumable checkpoint every n steps in every phase (0 = only at the end) @return this */
        public Builder checkpointEvery(long n) {
            checkpointEvery = n;
            return this;
        }

        /** @param steps student steps whose checkpoints are kept (learning curves) @return this */
        public Builder checkpointAt(long... steps) {
            checkpointAt = steps.clone();
            return this;
        }

        /** @param l progress listener (default: progress bar + SLF4J) @return this */
        public Builder listener(TrainingListener l) {
            listener = l;
            return this;
        }

        /**
         * Computes the MLSM / LSM targets of the whole corpus once, after the dictionary, into
         * {@code outputDir/targets/} ({@link ConceptTargetCache}: the top {@code topN} concepts per token, renormalised)
         * and reads phase 2's targets from there, so the student's steps run no teacher. Off by default; 32 is a
         * sensible value (it keeps every non-zero of typical codes). Disk: tokens × topN × 8 bytes. A stale or
         * corrupt cache is rebuilt.
         *
         * @param topN concepts kept per token, {@code >= 1}, or 0 to compute targets on the fly (the default)
         * @return this
         */
        public Builder cacheTargets(int topN) {
            if (topN < 0) {
                throw new IllegalArgumentException("cacheTargets topN must be >= 1 (or 0 = off), got " + topN);
            }
            cacheTopN = topN;
            return this;
        }

        /** @param s the seed of every random choice @return this */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * Validates the configuration and runs every phase.
         *
         * @return artifacts and curves
         * @throws IllegalArgumentException on an invalid configuration (before any work)
         */
        public PretrainingResult fit() {
            validate();
            try {
                return run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void validate() {
            if (corpus == null) {
                throw new IllegalArgumentException("no corpus: call corpus(Corpus.lines(...)) or corpus(Corpus.directory(...))");
            }
            if (tokenizer == null && tokenizerVocab == 0) {
                throw new IllegalArgumentException("no tokenizer: call tokenizer(...) or trainTokenizer(vocabSize)");
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("no outputDir");
            }
            if (student == null) {
                throw new IllegalArgumentException("no student architecture: call student(DebertaConfig...)");
            }
            if (teacher == null && (objective.needsTeacher() || warmStart)) {
                throw new IllegalArgumentException("objective " + objective + (warmStart ? " with warm start" : "")
                        + " needs a teacher: call teacher(TeacherSpec.pretrainMlm(...) or TeacherSpec.load(...))");
            }
            if (objective.needsDictionary() && dictionary == null) {
                throw new IllegalArgumentException("objective " + objective + " needs a dictionary: call "
                        + "dictionary(DictionarySpec.learn() or DictionarySpec.load(...))");
            }
            if (cacheTopN > 0 && !objective.needsDictionary()) {
                throw new IllegalArgumentException("cacheTargets(" + cacheTopN + ") caches concept targets; objective "
                        + objective + " has none (use MLSM, MLSM_PLUS_MLM, LSM or LSM15, or cacheTargets(0))");
            }
            if (withHead && !objective.needsDictionary()) {
                throw new IllegalArgumentException("phase 3 trains a latent-to-vocabulary head on the student's "
                        + "latent concepts; objective " + objective + " has none (use MLSM, MLSM_PLUS_MLM, LSM or LSM15)");
            }
            int expectedVocab = tokenizer != null ? tokenizer.vocabSize() : -1;
            DebertaConfig teacherCfg = null;
            if (teacher != null && teacher.isLoaded()) {
                try {
                    teacherCfg = DebertaConfig.readHfConfig(teacher.directory().resolve(HfDebertaDirectory.CONFIG_FILE));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read the teacher's config in " + teacher.directory()
                            + ": " + e.getMessage(), e);
                }
                if (expectedVocab > 0 && teacherCfg.vocabSize() != expectedVocab) {
                    throw new IllegalArgumentException("tokenizer/model vocabulary mismatch: the tokenizer has "
                            + expectedVocab + " ids but the teacher in " + teacher.directory() + " has vocab_size "
                            + teacherCfg.vocabSize());
                }
            } else if (teacher != null) {
                teacherCfg = teacher.architecture();
            }
            if (teacherCfg != null && dictionary != null && objective.needsDictionary()) {
                ConceptTargets.hiddenStateIndex(dictionary.layer(), teacherCfg.numLayers());
                if (dictionary.isLoaded()) {
                    Dictionary d = loadDictionary(dictionary.file());
                    if (d.dimension() != teacherCfg.hiddenSize()) {
                        throw new IllegalArgumentException("dictionary " + dictionary.file() + " has dimension "
                                + d.dimension() + " but the teacher's hidden size is " + teacherCfg.hiddenSize());
                    }
                }
            }
            if (warmStart && teacherCfg != null && !sameArchitecture(teacherCfg, student)) {
                throw new IllegalArgumentException("warm start needs the student to have the teacher's architecture: "
                        + "teacher " + describe(teacherCfg) + ", student " + describe(student));
            }
            studentTraining.steps(studentTraining.build().steps()); // validates the student's options now
            headTraining.build();
        }

        private static boolean sameArchitecture(DebertaConfig a, DebertaConfig b) {
            return a.hiddenSize() == b.hiddenSize() && a.numLayers() == b.numLayers() && a.numHeads() == b.numHeads()
                    && a.intermediateSize() == b.intermediateSize() && a.maxPositions() == b.maxPositions()
                    && a.maxRelativePositions() == b.maxRelativePositions()
                    && a.positionAttention().equals(b.positionAttention());
        }

        private static String describe(DebertaConfig c) {
            return c.numLayers() + "L/" + c.hiddenSize() + "H/" + c.numHeads() + "A/" + c.intermediateSize() + "I/"
                    + c.maxPositions() + "P";
        }

        private PretrainingResult run() throws IOException {
            Files.createDirectories(outputDir);
            TrainingListener progress = listener != null ? listener : TrainingListener.defaults();
            Map<String, TrainingResult> curves = new LinkedHashMap<>();

            // tokenizer
            Path tokPath = outputDir.resolve("tokenizer").resolve("tokenizer.json");
            Files.createDirectories(tokPath.getParent());
            Tokenizer tok = tokenizer;
            if (tok == null) {
                if (Files.isRegularFile(tokPath)) {
                    LOG.info("tokenizer: loading {}", tokPath);
                    tok = UnigramTokenizer.load(tokPath);
                } else {
                    LOG.info("tokenizer: training a Unigram tokenizer of {} pieces on {}", tokenizerVocab, corpus);
                    UnigramTokenizer trained = UnigramTokenizer.train(corpus, tokenizerVocab);
                    trained.save(tokPath);
                    tok = trained;
                }
            } else if (tok instanceof UnigramTokenizer u && !Files.isRegularFile(tokPath)) {
                u.save(tokPath);
            }
            int vocab = tok.vocabSize();
            EncodedCorpus sequences = EncodedCorpus.openOrBuild(corpus, tok, sequenceOptions,
                    outputDir.resolve("corpus-cache"));
            LOG.info("corpus: {} sequences, {} tokens", sequences.size(), sequences.tokenCount());

            // phase 1: teacher
            DebertaModel teacherModel = null;
            Path teacherDir = null;
            if (teacher != null) {
                if (teacher.isLoaded()) {
                    teacherDir = teacher.directory();
                    teacherModel = HfDebertaDirectory.loadModel(teacherDir);
                } else {
                    teacherDir = outputDir.resolve("teacher");
                    if (isModelDir(teacherDir)) {
                        LOG.info("teacher: loading {}", teacherDir);
                        teacherModel = HfDebertaDirectory.loadModel(teacherDir);
                    } else {
                        DebertaConfig cfg = teacher.architecture().withVocabSize(vocab)
                                .withPadTokenId(tok.specials().pad());
                        teacherModel = DebertaModel.initialize(cfg, seed);
                        TrainingOptions opts = teacher.training().seed(seed).build().toBuilder()
                                .checkpointDir(outputDir.resolve("teacher-run")).checkpointEvery(checkpointEvery)
                                .build();
                        curves.put("teacher", train("teacher", teacherModel, TrainingObjective.mlm(),
                                stream(sequences, tok, Masking.mlm(), seed), TargetSource.none(), opts, progress));
                        export(teacherDir, teacherModel, "teacher");
                    }
                }
                if (teacherModel.config().vocabSize() != vocab) {
                    throw new IllegalArgumentException("tokenizer/model vocabulary mismatch: tokenizer " + vocab
                            + ", teacher " + teacherModel.config().vocabSize());
                }
            }

            // dictionary
            Dictionary dict = null;
            Path dictPath = null;
            if (objective.needsDictionary()) {
                if (dictionary.isLoaded()) {
                    dictPath = dictionary.file();
                    dict = loadDictionary(dictPath);
                } else {
                    dictPath = outputDir.resolve("dictionary").resolve("dictionary.mlsmdict");
                    if (Files.isRegularFile(dictPath)) {
                        LOG.info("dictionary: loading {}", dictPath);
                        dict = loadDictionary(dictPath);
                    } else {
                        dict = learnDictionary(teacherModel, sequences, tok);
                        Files.createDirectories(dictPath.getParent());
                        dict.save(dictPath);
                    }
                }
                if (dict.dimension() != teacherModel.config().hiddenSize()) {
                    throw new IllegalArgumentException("dictionary dimension " + dict.dimension()
                            + " does not match the teacher's hidden size " + teacherModel.config().hiddenSize());
                }
            }

            // phase 2: student
            Path studentDir = outputDir.resolve("student");
            DebertaModel studentModel;
            if (isModelDir(studentDir)) {
                LOG.info("student: loading {}", studentDir);
                studentModel = HfDebertaDirectory.loadModel(studentDir, dict == null ? 0 : dict.size());
            } else {
                DebertaConfig cfg = student.withVocabSize(vocab).withPadTokenId(tok.specials().pad())
                        .withLatentConcepts(dict == null ? 0 : dict.size());
                studentModel = DebertaModel.initialize(cfg, seed + 1);
                if (warmStart) {
                    WarmStart.copy(teacherModel, studentModel);
                }
                TargetSource targets = targetSource(teacherModel, dict, sequences, tok);
                TrainingOptions opts = studentTraining.seed(seed + 2).build().toBuilder()
                        .checkpointDir(outputDir.resolve("student-run")).checkpointEvery(checkpointEvery)
                        .checkpointAt(checkpointAt).build();
                curves.put("student", train("student", studentModel, objective.trainingObjective(mlmWeight),
                        stream(sequences, tok, objective.masking(), seed + 3), targets, opts, progress));
                export(studentDir, studentModel, "student");
            }

            // phase 3: latent-to-vocabulary head on the frozen student
            Path headDir = null;
            if (withHead) {
                headDir = outputDir.resolve("head");
                if (!isModelDir(headDir)) {
                    studentModel.addLatentToVocabHead(seed + 4);
                    TrainingOptions opts = headTraining.seed(seed + 5).build().toBuilder()
                            .checkpointDir(outputDir.resolve("head-run")).checkpointEvery(checkpointEvery).build();
                    curves.put("head", train("head", studentModel, TrainingObjective.latentToVocab(),
                            stream(sequences, tok, Masking.mlm(), seed + 6), TargetSource.none(), opts, progress));
                    export(headDir, studentModel, "head");
                }
            }
            return new PretrainingResult(outputDir, tokPath, teacherDir, dictPath, studentDir, headDir, curves);
        }

        private TargetSource targetSource(DebertaModel teacherModel, Dictionary dict, EncodedCorpus sequences,
                                          Tokenizer tok) throws IOException {
            if (objective.needsDictionary()) {
                NonNegativeFista solver = NonNegativeFista.builder(dict)
                        .options(NonNegativeFista.Options.reference(dictionary.lambda()))
                        .maxIterations(dictionary.fistaIterations()).build();
                if (cacheTopN > 0) {
                    return new CachedConceptTargets(targetCache(teacherModel, solver, sequences, tok));
                }
                return new ConceptTargets(teacherModel, dictionary.layer(), dict, solver);
            }
            if (objective.needsTeacherDistribution()) {
                return new TeacherDistributions(teacherModel);
            }
            return TargetSource.none();
        }

        private ConceptTargetCache targetCache(DebertaModel teacherModel, NonNegativeFista solver,
                                               EncodedCorpus sequences, Tokenizer tok) throws IOException {
            Path file = outputDir.resolve("targets").resolve("concepts-top" + cacheTopN + ConceptTargetCache.EXTENSION);
            if (Files.isRegularFile(file)) {
                try {
                    return ConceptTargetCache.open(file, sequences,
                            ConceptTargetCache.Fingerprints.of(teacherModel, dictionary.layer(), solver, sequences));
                } catch (IllegalArgumentException e) {
                    LOG.warn("targets: rebuilding the cache: {}", e.getMessage());
                }
            }
            return ConceptTargetCache.builder(sequences, tok.specials()).teacher(teacherModel, dictionary.layer())
                    .solver(solver).topN(cacheTopN).batchSize(batchSize).build(file);
        }

        private Dictionary learnDictionary(DebertaModel teacherModel, EncodedCorpus sequences, Tokenizer tok) {
            LOG.info("dictionary: learning {} atoms (lambda {}) from layer {} over up to {} tokens",
                    dictionary.atoms(), dictionary.lambda(), dictionary.layer(), dictionary.sampleTokens());
            BatchStream unmasked = BatchStream.builder(sequences, tok).batchSize(batchSize).masking(Masking.none())
                    .seed(seed + 7).epochs(1).dropLast(false).build();
            TeacherHiddenStates rows = new TeacherHiddenStates(teacherModel, dictionary.layer(), unmasked,
                    dictionary.sampleTokens(), dictionary.batchSize());
            OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(dictionary.atoms())
                    .lambda(dictionary.lambda()).batchSize(dictionary.batchSize())
                    .maxIterations(dictionary.iterations()).seed(seed + 8).normaliseInput(true)
                    .dataDescription("teacher layer " + dictionary.layer() + " hidden states, " + corpus)
                    .build();
            return learner.fit(rows);
        }

        private BatchStream stream(EncodedCorpus sequences, Tokenizer tok, Masking masking, long streamSeed) {
            return BatchStream.builder(sequences, tok).batchSize(batchSize).masking(masking).seed(streamSeed).build();
        }

        private TrainingResult train(String phase, DebertaModel model, TrainingObjective o, BatchStream s,
                                     TargetSource targets, TrainingOptions opts, TrainingListener progress)
                throws IOException {
            Path csv = outputDir.resolve("metrics").resolve(phase + ".csv");
            Files.createDirectories(csv.getParent());
            try (CsvMetricsWriter metrics = CsvMetricsWriter.appending(csv)) {
                return new Trainer(phase, model, o, s, targets, opts, CompositeListener.of(progress, metrics)).fit();
            }
        }

        private void export(Path dir, DebertaModel model, String artifact) throws IOException {
            Provenance p = Provenance.builder(artifact).seed(seed).config(model.config())
                    .data("corpus", new Provenance.DataIdentity(corpus.toString(), corpus.totalBytes(),
                            corpus.identity().sha256(), null))
                    .extra("objective", objective.toString()).extra("mlmWeight", Double.toString(mlmWeight))
                    .build();
            AtomicFiles.writeDirectory(dir, tmp -> HfDebertaDirectory.export(tmp, model, p));
        }

        private static boolean isModelDir(Path dir) {
            return Files.isRegularFile(dir.resolve(HfDebertaDirectory.CONFIG_FILE))
                    && Files.isRegularFile(dir.resolve(HfDebertaDirectory.WEIGHTS_FILE));
        }

        private static Dictionary loadDictionary(Path file) {
            try {
                return Dictionary.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the dictionary " + file, e);
            }
        }
    }

    /** Copies a teacher's weights into a student of the same architecture. */
    static final class WarmStart {
        private WarmStart() {
        }

        /**
         * Copies every teacher parameter into the student. In the released V+k layout the student's word embeddings
         * and output bias have k more rows than the teacher's (the latent concepts): the teacher fills the first V
         * rows and the concept rows keep their initialisation.
         *
         * @throws IllegalArgumentException when a teacher parameter is missing in the student or does not fit
         */
        static void copy(DebertaModel teacher, DebertaModel student) {
            for (Map.Entry<String, INDArray> e : teacher.parameters().entrySet()) {
                String name = e.getKey();
                INDArray from = e.getValue();
                if (!student.parameters().containsKey(name)) {
                    throw new IllegalArgumentException("warm start: the student has no parameter '" + name + "'");
                }
                INDArray to = student.parameter(name);
                if (java.util.Arrays.equals(to.shape(), from.shape())) {
                    student.setParameter(name, from);
                } else if (to.rank() == from.rank() && to.size(0) > from.size(0) && java.util.Arrays.equals(
                        java.util.Arrays.copyOfRange(to.shape(), 1, to.rank()),
                        java.util.Arrays.copyOfRange(from.shape(), 1, from.rank()))) {
                    to.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, from.size(0))).assign(from);
                } else {
                    throw new IllegalArgumentException("warm start: parameter '" + name + "' has shape "
                            + java.util.Arrays.toString(from.shape()) + " in the teacher but "
                            + java.util.Arrays.toString(to.shape()) + " in the student");
                }
            }
        }
    }
}
