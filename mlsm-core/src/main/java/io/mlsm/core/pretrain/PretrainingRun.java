package io.mlsm.core.pretrain;

import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.Masking;
import io.mlsm.core.listen.CompositeListener;
import io.mlsm.core.listen.CsvMetricsWriter;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.CachedConceptTargets;
import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.core.train.ConceptTargets;
import io.mlsm.core.train.FlopCount;
import io.mlsm.core.train.TargetSource;
import io.mlsm.core.train.TeacherDistributions;
import io.mlsm.core.train.TeacherHiddenStates;
import io.mlsm.core.train.Trainer;
import io.mlsm.core.train.TrainingOptions;
import io.mlsm.core.train.TrainingResult;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.models.TrainingObjective;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.loss.MlsmLoss;
import io.mlsm.runtime.Provenance;
import io.mlsm.runtime.RunDirectoryLock;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.LearningProgress;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.OnlineDictionaryLearner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One {@link Pretraining#fit()}: a plan of phases (tokenizer, teacher, dictionary, student, head), each of which
 * loads its artifact when an earlier run finished it and otherwise trains and exports it (resuming from its last
 * checkpoint). Every random choice's seed is derived from the run's seed by name ({@link Seeds}).
 */
final class PretrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(PretrainingRun.class);

    /** A step of the plan: load the finished artifact, or produce it. */
    abstract static class Phase {
        private final String name;

        Phase(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        /** @return where the artifact lives, or null when it is given by the user (nothing to produce) */
        abstract Path artifact();

        /** @return whether the artifact is given or finished and only needs loading */
        boolean finished() {
            Path a = artifact();
            return a == null || Files.isRegularFile(a) || isModelDir(a);
        }

        abstract void load() throws IOException;

        abstract void produce() throws IOException;

        /**
         * @return the settings that determine this phase's artifact, recorded when it starts and compared when a later
         * run finds the artifact or its checkpoints; {@code null} when the artifact is given by the user
         */
        abstract Map<String, String> recipe();

        final void run(Recipes recipes) throws IOException {
            Map<String, String> want = artifact() == null ? null : recipe();
            if (finished()) {
                if (artifact() != null) {
                    recipes.check(name, want, artifact());
                    LOG.info("{}: loading {}", name, artifact());
                }
                load();
            } else {
                if (want != null) {
                    recipes.check(name, want, null);
                    recipes.record(name, want);
                }
                produce();
            }
        }
    }

    /** Directories and files a run writes under its output directory ({@code --overwrite} deletes these). */
    static final List<String> OUTPUTS = List.of("tokenizer", "corpus-cache", "teacher", "teacher-run", "dictionary",
            "targets", "student", "student-run", "head", "head-run", "metrics", Recipes.DIRECTORY);

    private final Pretraining.Builder cfg;
    private final Path out;
    private final TrainingListener progress;
    private final Map<String, TrainingResult> curves = new LinkedHashMap<>();
    private final FlopLedger flops;
    private final FlopCount targetCacheFlops = new FlopCount();
    private Tokenizer tok;
    private EncodedCorpus sequences;
    private DebertaModel teacherModel;
    private Path teacherDir;
    private Dictionary dict;
    private Path dictPath;
    private DebertaModel studentModel;
    private Path headDir;

    PretrainingRun(Pretraining.Builder cfg) {
        this.cfg = cfg;
        this.out = cfg.outputDir;
        this.progress = cfg.listener != null ? cfg.listener : TrainingListener.defaults();
        this.flops = new FlopLedger(out.resolve("metrics"));
    }

    PretrainingResult run() throws IOException {
        Files.createDirectories(out);
        try (RunDirectoryLock lock = RunDirectoryLock.acquire(out, "pretraining")) {
            if (cfg.overwrite) {
                for (String name : OUTPUTS) {
                    Path p = out.resolve(name);
                    if (Files.exists(p)) {
                        LOG.info("overwrite: deleting {}", p);
                        AtomicFiles.deleteRecursively(p);
                    }
                }
            }
            removeStaleTemporaries();
            AtomicFiles.requireWritable(out, 0, "the run's artifacts");
            List<Phase> plan = plan();
            StringJoiner j = new StringJoiner(" -> ", "plan: ", "");
            plan.forEach(p -> j.add(p.name() + (p.finished() ? " (load)" : " (produce)")));
            LOG.info("{}", j);
            Recipes recipes = new Recipes(out);
            for (Phase p : plan) {
                p.run(recipes);
            }
            return new PretrainingResult(out, tokenizerPath(), teacherDir, dictPath, studentDir(), headDir, curves);
        }
    }

    /** Temporaries of interrupted atomic writes in the output directory and its sub-directories (we hold the lock). */
    private void removeStaleTemporaries() throws IOException {
        List<Path> dirs = new ArrayList<>();
        dirs.add(out);
        for (String name : OUTPUTS) {
            dirs.add(out.resolve(name));
        }
        for (Path d : dirs) {
            for (Path stale : AtomicFiles.removeStaleTemporaries(d)) {
                LOG.info("removed {}, left by an interrupted write", stale);
            }
        }
    }

    private static Map<String, String> training(TrainingOptions o) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("steps", Long.toString(o.steps()));
        r.put("accumulation", Integer.toString(o.accumulation()));
        r.put("learningRate", Double.toString(o.learningRate()));
        r.put("warmupFraction", Double.toString(o.warmupFraction()));
        r.put("weightDecay", Double.toString(o.weightDecay()));
        r.put("clipNorm", Double.toString(o.clipNorm()));
        r.put("seed", Long.toString(o.seed()));
        // recorded only when not the default, so runs started before these options existed still match
        if (o.adamEpsilon() != TrainingOptions.DEFAULT_ADAM_EPSILON) {
            r.put("adamEpsilon", Double.toString(o.adamEpsilon()));
        }
        if (o.decayAllParameters()) {
            r.put("decayAllParameters", "true");
        }
        return r;
    }

    private Map<String, String> data() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("corpus", cfg.corpus.identity().sha256());
        r.put("sequences", cfg.sequenceOptions.toString());
        r.put("tokenizerVocab", Integer.toString(tok.vocabSize()));
        if (cfg.unkTargets) {   // only when set: recipes of runs from before the option still match
            r.put("unkTargets", "true");
        }
        r.put("batchSize", Integer.toString(cfg.batchSize));
        return r;
    }

    private List<Phase> plan() {
        List<Phase> plan = new ArrayList<>();
        plan.add(new TokenizerPhase());
        if (cfg.teacher != null) {
            plan.add(new TeacherPhase());
        }
        if (cfg.objective.needsDictionary()) {
            plan.add(new DictionaryPhase());
        }
        plan.add(new StudentPhase());
        if (cfg.withHead) {
            plan.add(new HeadPhase());
        }
        return plan;
    }

    private long seed(String name) {
        return Seeds.derive(cfg.seed, name);
    }

    private Path tokenizerPath() {
        return out.resolve("tokenizer").resolve("tokenizer.json");
    }

    private Path studentDir() {
        return out.resolve("student");
    }

    // ------------------------------------------------------------------------------------------------- phases

    private final class TokenizerPhase extends Phase {
        TokenizerPhase() {
            super("tokenizer");
        }

        @Override
        Path artifact() {
            return cfg.tokenizer != null ? null : tokenizerPath();
        }

        @Override
        Map<String, String> recipe() {
            return new LinkedHashMap<>(Map.of("vocab", Integer.toString(cfg.tokenizerVocab),
                    "corpus", cfg.corpus.identity().sha256()));
        }

        @Override
        void load() throws IOException {
            Files.createDirectories(tokenizerPath().getParent());
            if (cfg.tokenizer != null) {
                tok = cfg.tokenizer;
                if (tok instanceof UnigramTokenizer u && !Files.isRegularFile(tokenizerPath())) {
                    u.save(tokenizerPath());
                }
            } else {
                tok = UnigramTokenizer.load(tokenizerPath());
            }
            encode();
        }

        @Override
        void produce() throws IOException {
            Files.createDirectories(tokenizerPath().getParent());
            LOG.info("tokenizer: training a Unigram tokenizer of {} pieces on {}", cfg.tokenizerVocab, cfg.corpus);
            UnigramTokenizer trained = UnigramTokenizer.train(cfg.corpus, cfg.tokenizerVocab);
            trained.save(tokenizerPath());
            tok = trained;
            encode();
        }

        private void encode() throws IOException {
            sequences = EncodedCorpus.openOrBuild(cfg.corpus, tok, cfg.sequenceOptions, out.resolve("corpus-cache"));
            LOG.info("corpus: {} sequences, {} tokens", sequences.size(), sequences.tokenCount());
        }
    }

    private final class TeacherPhase extends Phase {
        TeacherPhase() {
            super("teacher");
        }

        @Override
        Path artifact() {
            return cfg.teacher.isLoaded() ? null : out.resolve("teacher");
        }

        @Override
        Map<String, String> recipe() {
            Map<String, String> r = data();
            r.put("architecture", cfg.teacher.architecture().toString());
            r.putAll(training(cfg.teacher.training().seed(seed("teacher.training")).build()));
            return r;
        }

        @Override
        void load() throws IOException {
            teacherDir = cfg.teacher.isLoaded() ? cfg.teacher.directory() : artifact();
            teacherModel = cfg.teacher.isLoaded()
                    ? HfDebertaDirectory.loadModelFor(teacherDir, tok.vocabSize(), cfg.teacher.concepts())
                    : HfDebertaDirectory.loadModel(teacherDir);
            checkVocabulary();
        }

        @Override
        void produce() throws IOException {
            teacherDir = artifact();
            DebertaConfig arch = cfg.teacher.architecture().withVocabSize(tok.vocabSize())
                    .withPadTokenId(tok.specials().pad());
            teacherModel = DebertaModel.initialize(arch, seed("teacher.init"));
            TrainingOptions opts = cfg.teacher.training().seed(seed("teacher.training")).build().toBuilder()
                    .checkpointDir(out.resolve("teacher-run")).checkpointEvery(cfg.checkpointEvery)
                    .checkpointMinutes(cfg.checkpointMinutes).keepCheckpoints(cfg.keepCheckpoints).build();
            curves.put(name(), train(name(), teacherModel, TrainingObjective.mlm(),
                    stream(Masking.mlm(), seed("teacher.data")), TargetSource.none(), opts));
            export(teacherDir, teacherModel, name());
            checkVocabulary();
        }

        private void checkVocabulary() {
            if (teacherModel.config().vocabSize() != tok.vocabSize()) {
                throw new IllegalArgumentException("tokenizer/model vocabulary mismatch: tokenizer " + tok.vocabSize()
                        + ", teacher " + teacherModel.config().vocabSize());
            }
        }
    }

    private final class DictionaryPhase extends Phase {
        DictionaryPhase() {
            super("dictionary");
        }

        @Override
        Path artifact() {
            return cfg.dictionary.isLoaded() ? null : out.resolve("dictionary").resolve("dictionary.mlsmdict");
        }

        @Override
        Map<String, String> recipe() {
            DictionarySpec d = cfg.dictionary;
            Map<String, String> r = data();
            r.put("teacher", teacherDir.toAbsolutePath().toString());
            r.put("atoms", Integer.toString(d.atoms()));
            r.put("lambda", Double.toString(d.lambda()));
            r.put("layer", Integer.toString(d.layer()));
            r.put("sampleTokens", Long.toString(d.sampleTokens()));
            r.put("dictionaryBatch", Integer.toString(d.batchSize()));
            r.put("iterations", Long.toString(d.iterations()));
            r.put("seed", Long.toString(seed("dictionary.learner")));
            return r;
        }

        @Override
        void load() {
            dictPath = cfg.dictionary.isLoaded() ? cfg.dictionary.file() : artifact();
            dict = loadDictionary(dictPath);
            checkDimension();
        }

        @Override
        void produce() throws IOException {
            dictPath = artifact();
            DictionarySpec spec = cfg.dictionary;
            LOG.info("dictionary: learning {} atoms (lambda {}) from layer {} over up to {} tokens", spec.atoms(),
                    spec.lambda(), spec.layer(), spec.sampleTokens());
            BatchStream unmasked = BatchStream.builder(sequences, tok).batchSize(cfg.batchSize)
                    .masking(Masking.none()).seed(seed("dictionary.data")).epochs(1).dropLast(false).build();
            // the whole sample in one array, then permuted rows in mini-batches and atoms from random rows (the
            // reference's procedure), not consecutive tokens of a few sequences per batch
            TeacherHiddenStates states = new TeacherHiddenStates(teacherModel, spec.layer(), unmasked,
                    spec.sampleTokens(), spec.batchSize());
            INDArray sample = states.collect(spec.sampleMemory());                               // [n, H]
            LOG.info("dictionary: sampled {} hidden states of {} values, stored as {}", sample.rows(),
                    sample.columns(), sample.dataType());
            LearningProgress[] last = new LearningProgress[1];
            OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(spec.atoms())
                    .listener(p -> last[0] = p)
                    .lambda(spec.lambda()).batchSize(spec.batchSize()).maxIterations(spec.iterations())
                    .passes(spec.passes()).forgetting(spec.forgetting())
                    .seed(seed("dictionary.learner")).normaliseInput(true)
                    .dataDescription("teacher layer " + spec.layer() + " hidden states, " + sample.rows()
                            + " tokens, " + cfg.corpus).build();
            dict = learner.fit(sample);
            FlopCount spent = new FlopCount();
            spent.addAll(states.flops());
            if (last[0] != null) {
                spent.add(FlopCount.SPARSE_CODING, Flops.dictionaryLearning(dict.dimension(), dict.size(),
                        last[0].rowsSeen(), last[0].iteration()));
            }
            if (!sample.isView()) {
                sample.close();
            }
            Files.createDirectories(dictPath.getParent());
            dict.save(dictPath);
            flops.record(name(), spent.snapshot(), 0, 0);
            checkDimension();
        }

        private void checkDimension() {
            if (dict.dimension() != teacherModel.config().hiddenSize()) {
                throw new IllegalArgumentException("dictionary dimension " + dict.dimension()
                        + " does not match the teacher's hidden size " + teacherModel.config().hiddenSize());
            }
        }
    }

    private final class StudentPhase extends Phase implements TargetContext {
        StudentPhase() {
            super("student");
        }

        @Override
        Path artifact() {
            return studentDir();
        }

        @Override
        Map<String, String> recipe() {
            Map<String, String> r = data();
            r.put("objective", cfg.objective.toString());
            r.put("mlmWeight", Double.toString(cfg.mlmWeight));
            if (cfg.mlsmReduction != MlsmLoss.Reduction.NON_EMPTY_ROWS) {   // only when set: older recipes still match
                r.put("mlsmReduction", cfg.mlsmReduction.name());
            }
            r.put("architecture", cfg.student.toString());
            r.put("warmStart", Boolean.toString(cfg.warmStart));
            r.put("teacher", teacherDir == null ? "none" : teacherDir.toAbsolutePath().toString());
            r.put("dictionary", dictPath == null ? "none" : dictPath.toAbsolutePath().toString());
            r.put("concepts", Integer.toString(dict == null ? 0 : dict.size()));
            r.putAll(training(cfg.studentTraining.seed(seed("student.training")).build()));
            return r;
        }

        @Override
        void load() throws IOException {
            studentModel = HfDebertaDirectory.loadModel(studentDir(), dict == null ? 0 : dict.size());
        }

        @Override
        void produce() throws IOException {
            DebertaConfig arch = cfg.student.withVocabSize(tok.vocabSize()).withPadTokenId(tok.specials().pad())
                    .withLatentConcepts(dict == null ? 0 : dict.size());
            studentModel = DebertaModel.initialize(arch, seed("student.init"));
            if (cfg.warmStart) {
                Pretraining.WarmStart.copy(teacherModel, studentModel);
            }
            TargetSource targets = cfg.objective.targetSource(this);
            TrainingOptions opts = cfg.studentTraining.seed(seed("student.training")).build().toBuilder()
                    .checkpointDir(out.resolve("student-run")).checkpointEvery(cfg.checkpointEvery)
                    .checkpointMinutes(cfg.checkpointMinutes).keepCheckpoints(cfg.keepCheckpoints)
                    .checkpointAt(cfg.checkpointAt).build();
            curves.put(name(), train(name(), studentModel,
                    cfg.objective.trainingObjective(cfg.mlmWeight).withMlsmReduction(cfg.mlsmReduction),
                    stream(cfg.objective.masking(), seed("student.data")), targets, opts));
            export(studentDir(), studentModel, name());
        }

        @Override
        public DebertaModel teacher() {
            return teacherModel;
        }

        @Override
        public Dictionary dictionary() {
            return dict;
        }

        @Override
        public TargetSource conceptTargets() throws IOException {
            if (teacherModel == null || dict == null) {
                throw new IllegalStateException("objective " + cfg.objective + " asks for concept targets but does "
                        + "not declare needsDictionary()");
            }
            NonNegativeFista solver = NonNegativeFista.builder(dict)
                    .options(NonNegativeFista.Options.reference(cfg.dictionary.lambda()))
                    .maxIterations(cfg.dictionary.fistaIterations()).build();
            if (cfg.cacheTopN > 0) {
                return new CachedConceptTargets(targetCache(solver));
            }
            return new ConceptTargets(teacherModel, cfg.dictionary.layer(), dict, solver);
        }

        @Override
        public TargetSource teacherDistributions() {
            if (teacherModel == null) {
                throw new IllegalStateException("objective " + cfg.objective + " asks for the teacher's distributions "
                        + "but does not declare needsTeacher()");
            }
            return new TeacherDistributions(teacherModel);
        }

        private ConceptTargetCache targetCache(NonNegativeFista solver) throws IOException {
            Path file = out.resolve("targets").resolve("concepts-top" + cfg.cacheTopN + ConceptTargetCache.EXTENSION);
            if (Files.isRegularFile(file)) {
                try {
                    return ConceptTargetCache.open(file, sequences, ConceptTargetCache.Fingerprints.of(teacherModel,
                            cfg.dictionary.layer(), solver, sequences));
                } catch (IllegalArgumentException e) {
                    LOG.warn("targets: rebuilding the cache: {}", e.getMessage());
                }
            }
            ConceptTargetCache.Builder builder = ConceptTargetCache.builder(sequences, tok.specials())
                    .teacher(teacherModel, cfg.dictionary.layer()).solver(solver).topN(cfg.cacheTopN)
                    .batchSize(cfg.batchSize);
            ConceptTargetCache cache = builder.build(file);
            targetCacheFlops.addAll(builder.flops());
            return cache;
        }
    }

    private final class HeadPhase extends Phase {
        HeadPhase() {
            super("head");
        }

        @Override
        Path artifact() {
            return out.resolve("head");
        }

        @Override
        Map<String, String> recipe() {
            Map<String, String> r = data();
            r.putAll(training(cfg.headTraining.seed(seed("head.training")).build()));
            return r;
        }

        @Override
        void load() {
            headDir = artifact();
        }

        @Override
        void produce() throws IOException {
            headDir = artifact();
            studentModel.addLatentToVocabHead(seed("head.init"));
            TrainingOptions opts = cfg.headTraining.seed(seed("head.training")).build().toBuilder()
                    .checkpointDir(out.resolve("head-run")).checkpointEvery(cfg.checkpointEvery)
                    .checkpointMinutes(cfg.checkpointMinutes).keepCheckpoints(cfg.keepCheckpoints).build();
            curves.put(name(), train(name(), studentModel, TrainingObjective.latentToVocab(),
                    stream(Masking.mlm(), seed("head.data")), TargetSource.none(), opts));
            export(headDir, studentModel, name());
        }
    }

    // ------------------------------------------------------------------------------------------------- shared

    private BatchStream stream(Masking masking, long streamSeed) {
        return BatchStream.builder(sequences, tok).batchSize(cfg.batchSize).masking(masking.withUnkTargets(cfg.unkTargets))
                .seed(streamSeed).build();
    }

    private TrainingResult train(String phase, DebertaModel model, TrainingObjective o, BatchStream s,
                                 TargetSource targets, TrainingOptions opts) throws IOException {
        Path csv = out.resolve("metrics").resolve(phase + ".csv");
        Files.createDirectories(csv.getParent());
        TrainingResult r;
        try (CsvMetricsWriter metrics = CsvMetricsWriter.appending(csv)) {
            r = new Trainer(phase, model, o, s, targets, opts, CompositeListener.of(progress, metrics)).fit();
        }
        if (r.steps() > r.resumedFrom()) {         // a phase found finished in its checkpoints keeps its entry
            FlopCount spent = new FlopCount();
            spent.addAll(r.flops());
            if (targets instanceof CachedConceptTargets) {   // the cache built for this phase: counted once, here
                spent.addAll(targetCacheFlops.snapshot());
            }
            flops.record(phase, spent.snapshot(), r.steps(), r.steps() - r.resumedFrom());
        }
        return r;
    }

    private void export(Path dir, DebertaModel model, String artifact) throws IOException {
        Provenance p = Provenance.builder(artifact).seed(cfg.seed).config(model.config())
                .data("corpus", new Provenance.DataIdentity(cfg.corpus.toString(), cfg.corpus.totalBytes(),
                        cfg.corpus.identity().sha256(), null))
                .extra("objective", cfg.objective.toString()).extra("mlmWeight", Double.toString(cfg.mlmWeight))
                .build();
        AtomicFiles.writeDirectory(dir, tmp -> HfDebertaDirectory.export(tmp, model, p));
    }

    static boolean isModelDir(Path dir) {
        return Files.isRegularFile(dir.resolve(HfDebertaDirectory.CONFIG_FILE))
                && Files.isRegularFile(dir.resolve(HfDebertaDirectory.WEIGHTS_FILE));
    }

    static Dictionary loadDictionary(Path file) {
        try {
            return Dictionary.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dictionary " + file, e);
        }
    }

    static Dictionary.Shape readShape(Path file) {
        try {
            return Dictionary.readShape(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dictionary " + file, e);
        }
    }
}
