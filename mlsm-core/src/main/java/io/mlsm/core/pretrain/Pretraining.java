package io.mlsm.core.pretrain;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.train.ConceptTargets;
import io.mlsm.core.train.TrainingOptions;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.loss.MlsmLoss;
import io.mlsm.sparse.Dictionary;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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

    /** Default steps between periodic checkpoints of every phase. */
    public static final long DEFAULT_CHECKPOINT_EVERY = 100;
    /** Default wall-time minutes between periodic checkpoints of every phase. */
    public static final double DEFAULT_CHECKPOINT_MINUTES = 10;

    /** Fluent configuration; {@link #fit()} validates everything before any work starts. */
    public static final class Builder {
        final boolean withHead;
        Corpus corpus;
        Tokenizer tokenizer;
        int tokenizerVocab;
        SequenceOptions sequenceOptions = SequenceOptions.defaults();
        TeacherSpec teacher;
        DictionarySpec dictionary;
        Objective objective = Objective.MLSM_PLUS_MLM;
        double mlmWeight = 1.0;
        DebertaConfig student;
        boolean warmStart = true;
        final TrainingOptions.Builder studentTraining = TrainingOptions.builder();
        final TrainingOptions.Builder headTraining = TrainingOptions.builder().steps(1000).learningRate(1e-3);
        int batchSize = 32;
        Path outputDir;
        long checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        double checkpointMinutes = DEFAULT_CHECKPOINT_MINUTES;
        int keepCheckpoints = TrainingOptions.DEFAULT_KEEP_CHECKPOINTS;
        boolean overwrite;
        long[] checkpointAt = new long[0];
        TrainingListener listener;
        long seed = 42;
        int cacheTopN;
        MlsmLoss.Reduction mlsmReduction = MlsmLoss.Reduction.NON_EMPTY_ROWS;
        PaperPreset preset;
        boolean unkTargets;

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

        /** @param wd student decoupled weight decay, {@code >= 0} @return this */
        public Builder weightDecay(double wd) {
            studentTraining.weightDecay(wd);
            return this;
        }

        /** @param norm student global gradient-norm clip, 0 = off @return this */
        public Builder clipNorm(double norm) {
            studentTraining.clipNorm(norm);
            return this;
        }

        /** @param eps AdamW's ε of the student and the phase-3 head, {@code > 0} @return this */
        public Builder adamEpsilon(double eps) {
            studentTraining.adamEpsilon(eps);
            headTraining.adamEpsilon(eps);
            return this;
        }

        /**
         * @param all weight decay on every parameter of the student and the head ({@code true}), or not on biases and
         *            LayerNorm weights (default, the Hugging Face rule)
         * @return this
         */
        public Builder decayAllParameters(boolean all) {
            studentTraining.decayAllParameters(all);
            headTraining.decayAllParameters(all);
            return this;
        }

        /**
         * @param r how the MLSM / LSM loss divides its summed row losses: by the non-empty target rows (default) or
         *          by all target rows (torch {@code batchmean})
         * @return this
         */
        public Builder mlsmReduction(MlsmLoss.Reduction r) {
            mlsmReduction = Objects.requireNonNull(r);
            return this;
        }

        /**
         * @param u {@code true}: {@code <unk>} can be a target in every phase, like an ordinary token (the papers'
         *          reference code); {@code false} (default): it is never a target, like the other special tokens.
         *          Not combinable with {@link #cacheTargets(int)} (the cache holds no {@code <unk>} positions)
         * @return this
         */
        public Builder unkTargets(boolean u) {
            unkTargets = u;
            return this;
        }

        /** @return whether {@code <unk>} can be a target */
        public boolean unkTargetsChoice() {
            return unkTargets;
        }

        /**
         * Sets everything the paper setting fixes ({@link PaperPreset#apply}); call it first: a setter called after
         * it wins.
         *
         * @param p the paper setting
         * @return this
         */
        public Builder preset(PaperPreset p) {
            p.apply(this);
            preset = p;
            return this;
        }

        /** @return the student's training options as configured so far (the seed is set at fit time) */
        public TrainingOptions studentOptions() {
            return studentTraining.build();
        }

        /** @return the phase-3 head's training options as configured so far */
        public TrainingOptions headOptions() {
            return headTraining.build();
        }

        /** @return the micro-batch size */
        public int batchSize() {
            return batchSize;
        }

        /** @return the teacher spec, or null */
        public TeacherSpec teacherSpec() {
            return teacher;
        }

        /** @return the dictionary spec, or null */
        public DictionarySpec dictionarySpec() {
            return dictionary;
        }

        /** @return the student's objective */
        public Objective objectiveChoice() {
            return objective;
        }

        /** @return the MLSM reduction */
        public MlsmLoss.Reduction mlsmReductionChoice() {
            return mlsmReduction;
        }

        /** @return the sequence options */
        public SequenceOptions sequenceOptions() {
            return sequenceOptions;
        }

        /** @return the preset last applied, or null */
        public PaperPreset presetApplied() {
            return preset;
        }

        /** @param dir where artifacts, checkpoints and metrics go @return this */
        public Builder outputDir(Path dir) {
            outputDir = dir;
            return this;
        }

        /**
         * @param n write a resumable checkpoint every n steps in every phase (0 = not by steps; default
         *          {@value Pretraining#DEFAULT_CHECKPOINT_EVERY})
         * @return this
         */
        public Builder checkpointEvery(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("checkpointEvery must be >= 0 (0 = not by steps), got " + n);
            }
            checkpointEvery = n;
            return this;
        }

        /**
         * @param minutes also write one when this much wall time passed since the last (0 = not by time; default
         *                {@value Pretraining#DEFAULT_CHECKPOINT_MINUTES})
         * @return this
         */
        public Builder checkpointMinutes(double minutes) {
            if (!(minutes >= 0) || !Double.isFinite(minutes)) {
                throw new IllegalArgumentException("checkpointMinutes must be finite and >= 0, got " + minutes);
            }
            checkpointMinutes = minutes;
            return this;
        }

        /** @param n newest periodic checkpoints kept per phase (older ones are deleted), {@code >= 1} @return this */
        public Builder keepCheckpoints(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("keepCheckpoints must be >= 1, got " + n);
            }
            keepCheckpoints = n;
            return this;
        }

        /**
         * @param o {@code true}: delete what an earlier run left in the output directory (artifacts, checkpoints,
         *          metrics, recipes) and start over; {@code false} (default): reuse finished phases whose recorded
         *          settings equal the requested ones, resume interrupted ones, and fail on a difference
         * @return this
         */
        public Builder overwrite(boolean o) {
            overwrite = o;
            return this;
        }

        /** @param c checkpoint intervals, how many are kept and whether to start over @return this */
        public Builder checkpointing(Checkpointing c) {
            checkpointEvery(c.every());
            checkpointMinutes(c.minutes());
            keepCheckpoints(c.keep());
            return overwrite(c.overwrite());
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
                return new PretrainingRun(this).run();
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
            if (cacheTopN > 0 && unkTargets) {
                throw new IllegalArgumentException("cacheTargets(" + cacheTopN + ") holds no targets at <unk>: use "
                        + "unkTargets(false) or cacheTargets(0)");
            }
            if (withHead && !objective.needsDictionary()) {
                throw new IllegalArgumentException("phase 3 trains a latent-to-vocabulary head on the student's "
                        + "latent concepts; objective " + objective + " has none (use MLSM, MLSM_PLUS_MLM, LSM or LSM15)");
            }
            int expectedVocab = tokenizer != null ? tokenizer.vocabSize() : -1;
            DebertaConfig teacherCfg = null;
            if (teacher != null && teacher.isLoaded()) {
                try {
                    int k = expectedVocab > 0
                            ? HfDebertaDirectory.latentConceptsFor(teacher.directory(), expectedVocab, teacher.concepts())
                            : teacher.concepts();
                    teacherCfg = DebertaConfig.readHfConfig(teacher.directory().resolve(HfDebertaDirectory.CONFIG_FILE),
                            k);
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
                    Dictionary.Shape d = PretrainingRun.readShape(dictionary.file());   // the header only
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
    }

    /** Copies a teacher's weights into a student of the same architecture. */
    static final class WarmStart {
        private WarmStart() {
        }

        /**
         * Copies every teacher parameter into the student. In the released V+k layout the word embeddings and the
         * output bias have a row per word piece and then one per latent concept: the teacher fills the V word-piece
         * rows and the student's concept rows keep their initialisation, whatever k the two have (a student's
         * concepts are those of its own dictionary; even with the same k a teacher's concept rows belong to another
         * dictionary's atoms).
         *
         * @throws IllegalArgumentException when the vocabularies differ, or a teacher parameter is missing in the
         *                                  student or does not fit
         */
        static void copy(DebertaModel teacher, DebertaModel student) {
            long v = teacher.config().vocabSize();
            if (student.config().vocabSize() != v) {
                throw new IllegalArgumentException("warm start: the teacher has " + v + " word pieces but the student "
                        + student.config().vocabSize());
            }
            for (Map.Entry<String, INDArray> e : teacher.parameters().entrySet()) {
                String name = e.getKey();
                INDArray from = e.getValue();
                if (!student.parameters().containsKey(name)) {
                    throw new IllegalArgumentException("warm start: the student has no parameter '" + name + "'");
                }
                INDArray to = student.parameter(name);
                boolean vocabularyRows = name.equals(VariableNames.WORD_EMBEDDINGS)
                        || name.equals(VariableNames.MLM_BIAS);
                if (vocabularyRows && to.rank() == from.rank() && from.size(0) >= v && to.size(0) >= v
                        && java.util.Arrays.equals(java.util.Arrays.copyOfRange(to.shape(), 1, to.rank()),
                        java.util.Arrays.copyOfRange(from.shape(), 1, from.rank()))) {
                    to.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, v))
                            .assign(from.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, v)));
                } else if (!vocabularyRows && java.util.Arrays.equals(to.shape(), from.shape())) {
                    student.setParameter(name, from);
                } else {
                    throw new IllegalArgumentException("warm start: parameter '" + name + "' has shape "
                            + java.util.Arrays.toString(from.shape()) + " in the teacher but "
                            + java.util.Arrays.toString(to.shape()) + " in the student");
                }
            }
        }
    }
}
