package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.VocabularyFit;
import io.mlsm.eval.Accuracy;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.EvalProgressListener;
import io.mlsm.eval.data.BlimpPhenomena;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.EwokItem;
import io.mlsm.eval.data.EwokReader;
import io.mlsm.eval.data.GlueReader;
import io.mlsm.eval.data.GlueSplit;
import io.mlsm.eval.data.GlueTask;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.finetune.FineTuneConfig;
import io.mlsm.eval.finetune.FineTuneResult;
import io.mlsm.eval.finetune.FineTuning;
import io.mlsm.eval.finetune.TrainableClassifier;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.EwokEvaluator;
import io.mlsm.eval.pll.EwokResult;
import io.mlsm.eval.pll.EwokRule;
import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.eval.sweep.Checkpoint;
import io.mlsm.eval.sweep.CheckpointSweep;
import io.mlsm.eval.sweep.GlueSuite;
import io.mlsm.eval.sweep.SweepResult;
import io.mlsm.eval.sweep.ZeroShotSuite;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.io.TrainingCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One-call evaluations of a DeBERTa model (a model directory, a training checkpoint or a model in memory) on the
 * shared BabyLM data, for users and the command line: BLiMP (+ supplement) and EWoK by pseudo-log-likelihood, a
 * GLUE task by fine-tuning, and sweeps over the checkpoints of training runs that write the Markdown / CSV / PNG
 * reports. {@code dataDir} is the {@code shared/data} folder ({@code blimp_filtered/}, {@code blimp_supplement/},
 * {@code ewok_filtered/}, {@code glue_filtered/}, {@code glue_original_unfiltered/}).
 *
 * <pre>{@code
 * Tokenizer tok = UnigramTokenizer.load(Path.of("tokenizer.json"));
 * BlimpResult b = Evaluations.blimp(Path.of("runs/mlsm/checkpoint-000080000"), tok, data, EvalLimit.firstN(100));
 * MarkdownTable.render(Evaluations.blimpTable(b, "MLSM"), 3);
 * FineTuneResult rte = Evaluations.glue(GlueTask.RTE, modelDir, tok, data, EvalLimit.all(), FineTuneConfig.defaults());
 * Evaluations.zeroShotSweep(Map.of("MLSM", Evaluations.checkpointDirectories(runDir)), tok, data,
 *         EvalLimit.firstN(100), Evaluations.Settings.defaults(), outDir, "zero-shot");
 * }</pre>
 */
public final class Evaluations {

    /** Directory name of a training checkpoint ({@link TrainingCheckpoint#directoryFor}). */
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("checkpoint-(\\d+)");

    private Evaluations() {
    }

    /**
     * Settings of the zero-shot evaluations.
     *
     * @param pll      batching of pseudo-log-likelihood copies and the normaliser ({@link #normaliser()})
     * @param ewokRule how an EWoK item is decided
     * @param ewokZip  EWoK zip under {@code ewok_filtered/} ({@link ZeroShotSuite#EWOK_ZIP} or
     *                 {@link ZeroShotSuite#EWOK_FAST_ZIP})
     * @param head     which head gives the vocabulary distribution
     * @param listener progress
     */
    public record Settings(PllOptions pll, EwokRule ewokRule, String ewokZip, ScoringHead head,
                           EvalProgressListener listener) {
        public Settings {
            if (pll == null || ewokRule == null || ewokZip == null || ewokZip.isBlank() || head == null) {
                throw new IllegalArgumentException("pll, ewokRule, ewokZip and head are required");
            }
            if (listener == null) {
                listener = EvalProgressListener.NONE;
            }
        }

        /**
         * @return default PLL batching with {@link Normaliser#ALL_OUTPUTS}, the BabyLM EWoK rule, the full filtered
         *         EWoK set, AUTO head, no listener
         */
        public static Settings defaults() {
            return new Settings(PllOptions.defaults(), EwokRule.TARGETS_UNDER_CONTEXT1, ZeroShotSuite.EWOK_ZIP,
                    ScoringHead.AUTO, EvalProgressListener.NONE);
        }

        /** @return the normaliser of the PLL log-softmax ({@link PllOptions#normaliser()}) */
        public Normaliser normaliser() {
            return pll.normaliser();
        }

        /**
         * @return a copy with another normaliser (through the latent-to-vocabulary head both give its {@code V}
         *         rows)
         */
        public Settings withNormaliser(Normaliser n) {
            return new Settings(pll.withNormaliser(n), ewokRule, ewokZip, head, listener);
        }

        /** @return a copy with another head */
        public Settings withHead(ScoringHead h) {
            return new Settings(pll, ewokRule, ewokZip, h, listener);
        }

        /** @return a copy with other PLL options */
        public Settings withPll(PllOptions p) {
            return new Settings(p, ewokRule, ewokZip, head, listener);
        }

        /** @return a copy with another EWoK zip */
        public Settings withEwokZip(String zip) {
            return new Settings(pll, ewokRule, zip, head, listener);
        }

        /** @return a copy with a progress listener */
        public Settings withListener(EvalProgressListener l) {
            return new Settings(pll, ewokRule, ewokZip, head, l);
        }
    }

    // ------------------------------------------------------------------------------------------- zero-shot

    /** BLiMP + supplement of the model in {@code modelDir} with {@link Settings#defaults()}. */
    public static BlimpResult blimp(Path modelDir, Tokenizer tokenizer, Path dataDir, EvalLimit limit)
            throws IOException {
        try (DebertaModel model = HfDebertaDirectory.loadModelFor(modelDir, tokenizer.vocabSize(), -1)) {
            return blimp(model, tokenizer, dataDir, limit, Settings.defaults());
        }
    }

    /** BLiMP + supplement of {@code model} with {@link Settings#defaults()}. */
    public static BlimpResult blimp(DebertaModel model, Tokenizer tokenizer, Path dataDir, EvalLimit limit)
            throws IOException {
        return blimp(model, tokenizer, dataDir, limit, Settings.defaults());
    }

    /**
     * BLiMP (filtered, {@code blimp_filtered/}) and the supplement ({@code blimp_supplement/}, when present) by
     * pseudo-log-likelihood.
     *
     * @return per-pair scores; see {@link #blimpTable} for the phenomenon table
     * @throws IOException if the data cannot be read
     */
    public static BlimpResult blimp(DebertaModel model, Tokenizer tokenizer, Path dataDir, EvalLimit limit,
                                    Settings settings) throws IOException {
        MaskedLmScorer scorer = scorer(model, tokenizer, settings.head());
        return new BlimpEvaluator(tokenizer, scorer, settings.pll()).evaluate(readBlimpPairs(dataDir, limit),
                settings.listener());
    }

    /** EWoK of the model in {@code modelDir} with {@link Settings#defaults()}. */
    public static EwokResult ewok(Path modelDir, Tokenizer tokenizer, Path dataDir, EvalLimit limit)
            throws IOException {
        try (DebertaModel model = HfDebertaDirectory.loadModelFor(modelDir, tokenizer.vocabSize(), -1)) {
            return ewok(model, tokenizer, dataDir, limit, Settings.defaults());
        }
    }

    /**
     * EWoK ({@code ewok_filtered/<settings.ewokZip()>}, password from its {@code MANIFEST.txt}) by
     * pseudo-log-likelihood of the targets.
     *
     * @throws IOException if the data cannot be read
     */
    public static EwokResult ewok(DebertaModel model, Tokenizer tokenizer, Path dataDir, EvalLimit limit,
                                  Settings settings) throws IOException {
        MaskedLmScorer scorer = scorer(model, tokenizer, settings.head());
        Path dir = dataDir.resolve("ewok_filtered");
        char[] pw = EwokReader.passwordFromManifest(dir.resolve("MANIFEST.txt"), settings.ewokZip());
        List<EwokItem> items = EwokReader.read(dir.resolve(settings.ewokZip()), pw, limit);
        return new EwokEvaluator(tokenizer, scorer, settings.pll(), settings.ewokRule()).evaluate(items,
                settings.listener());
    }

    /**
     * The phenomenon table of Berend 2023, Table 1, for one model: the 12 BLiMP phenomena and 5 supplement tasks
     * ({@link BlimpPhenomena#allRows()}; rows without pairs are left out), {@code Average} (their unweighted mean),
     * then {@code BLiMP} and {@code BLiMP supplement} (means over paradigms / tasks, as BabyLM 2024/2025).
     *
     * @param result BLiMP scores
     * @param column the column name (e.g. the model name)
     * @return a one-column table, captioned with the normaliser applied ({@link BlimpResult#normaliserApplied()})
     */
    public static ResultTable blimpTable(BlimpResult result, String column) {
        ResultTable t = new ResultTable("phenomenon").addColumn(column)
                .caption("BLiMP accuracy by pseudo-log-likelihood; normaliser " + result.normaliserApplied());
        Map<String, Accuracy> byRow = result.byPhenomenon();
        for (String row : BlimpPhenomena.allRows()) {
            Accuracy a = byRow.get(row);
            if (a != null) {
                t.put(row, column, a.value());
            }
        }
        t.put("Average", column, result.phenomenonAverage());
        for (String[] bench : new String[][] {{"blimp", "BLiMP"}, {"supplement", "BLiMP supplement"}}) {
            double v = result.paradigmAverage(bench[0]);
            if (!Double.isNaN(v)) {
                t.put(bench[1], column, v);
            }
        }
        return t;
    }

    /**
     * @return a pseudo-log-likelihood scorer over {@code model} reading {@code head}
     * @throws IllegalArgumentException if the tokenizer's vocabulary is larger than the model's (smaller: a
     *                                  warning, {@link VocabularyFit})
     */
    public static MaskedLmScorer scorer(DebertaModel model, Tokenizer tokenizer, ScoringHead head) {
        VocabularyFit.require(tokenizer, model.config(), null, null);
        return DebertaMaskedLmScorer.of(model, head);
    }

    // ------------------------------------------------------------------------------------------- fine-tuning

    /** {@link #glue(GlueTask, Path, Tokenizer, Path, EvalLimit, FineTuneConfig, DebertaClassifier.Options,
     * EvalProgressListener)} with default classifier options and no listener. */
    public static FineTuneResult glue(GlueTask task, Path modelDir, Tokenizer tokenizer, Path dataDir, EvalLimit limit,
                                      FineTuneConfig config) throws IOException {
        return glue(task, modelDir, tokenizer, dataDir, limit, config, DebertaClassifier.Options.defaults(),
                EvalProgressListener.NONE);
    }

    /**
     * Fine-tunes a fresh copy of the model in {@code modelDir} per seed on {@code task}'s training split and scores
     * it on the validation split ({@link FineTuning}).
     *
     * @throws IllegalArgumentException if the task has no training or no validation split in {@code dataDir}
     * @throws IOException              if the model or the data cannot be read
     */
    public static FineTuneResult glue(GlueTask task, Path modelDir, Tokenizer tokenizer, Path dataDir, EvalLimit limit,
                                      FineTuneConfig config, DebertaClassifier.Options options,
                                      EvalProgressListener listener) throws IOException {
        return glue(task, modelDir, -1, tokenizer, dataDir, limit, config, options, listener);
    }

    /**
     * As {@link #glue(GlueTask, Path, Tokenizer, Path, EvalLimit, FineTuneConfig, DebertaClassifier.Options,
     * EvalProgressListener)}, for a model directory in the released {@code V + k} layout: {@code concepts} is its
     * {@code k} ({@link HfDebertaDirectory#latentConceptsFor}; -1 = from the config, else
     * {@code vocab_size − tokenizer size}). The classifier fine-tunes the backbone; the concept rows stay unused.
     *
     * @throws IllegalArgumentException if the task has no training or no validation split in {@code dataDir}
     * @throws IOException              if the model or the data cannot be read
     */
    public static FineTuneResult glue(GlueTask task, Path modelDir, int concepts, Tokenizer tokenizer, Path dataDir,
                                      EvalLimit limit, FineTuneConfig config, DebertaClassifier.Options options,
                                      EvalProgressListener listener) throws IOException {
        for (GlueSplit split : new GlueSplit[] {GlueSplit.TRAIN, GlueSplit.VALID}) {
            if (!GlueReader.hasSplit(dataDir, task, split)) {
                throw new IllegalArgumentException(task.displayName() + " has no " + split + " split at "
                        + task.file(dataDir, split));
            }
        }
        TrainableClassifier.Factory factory = classifierFactory(modelDir, concepts, tokenizer, options);
        return new FineTuning(tokenizer, factory, config, listener).run(task,
                GlueReader.read(dataDir, task, GlueSplit.TRAIN, limit),
                GlueReader.read(dataDir, task, GlueSplit.VALID, limit));
    }

    private static TrainableClassifier.Factory classifierFactory(Path modelDir, int concepts, Tokenizer tokenizer,
                                                                 DebertaClassifier.Options options)
            throws IOException {
        HfDebertaDirectory.Loaded loaded = HfDebertaDirectory.load(modelDir,
                HfDebertaDirectory.latentConceptsFor(modelDir, tokenizer.vocabSize(), concepts));
        VocabularyFit.require(tokenizer, loaded.config(), null, modelDir);
        return DebertaClassifier.factory(loaded.config(), loaded.parameters(), options);
    }

    // ------------------------------------------------------------------------------------------- sweeps

    /**
     * @param checkpointDir a directory named {@code checkpoint-<step>} ({@link TrainingCheckpoint#directoryFor})
     * @return the step in its name
     * @throws IllegalArgumentException if the name does not have that form
     */
    public static long stepOf(Path checkpointDir) {
        Path name = checkpointDir.getFileName();
        Matcher m = CHECKPOINT_DIR.matcher(name == null ? "" : name.toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + checkpointDir + "' is not a checkpoint directory named "
                    + "checkpoint-<step>");
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * @param runDir a training run's output directory
     * @return its complete checkpoint directories ({@code checkpoint-<step>} with a manifest), by step
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> checkpointDirectories(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new java.nio.file.NoSuchFileException(runDir.toString(), null, "run directory not found");
        }
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> CHECKPOINT_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(TrainingCheckpoint.MANIFEST_FILE)))
                    .sorted(Comparator.comparingLong(Evaluations::stepOf))
                    .toList();
        }
    }

    /**
     * Zero-shot sweep (BLiMP, supplement, EWoK) over checkpoints, one series per run; writes
     * {@code <prefix>.md/.csv/.png/.provenance.json} into {@code outDir} (curve of the {@code Average} row).
     *
     * @param runs     series name → its checkpoint directories (step from each directory's name), in order
     * @param outDir   where the reports go (created if missing)
     * @param prefix   report file name prefix
     * @return the table of all checkpoints
     * @throws IOException if data, a model or a report cannot be read or written
     */
    public static SweepResult zeroShotSweep(Map<String, List<Path>> runs, Tokenizer tokenizer, Path dataDir,
                                            EvalLimit limit, Settings settings, Path outDir, String prefix)
            throws IOException {
        List<Checkpoint<MaskedLmScorer>> cps = new ArrayList<>();
        forEachCheckpoint(runs, (series, step, dir) -> cps.add(new Checkpoint<>(series, step,
                () -> scorer(HfDebertaDirectory.loadModelFor(dir, tokenizer.vocabSize(), -1), tokenizer,
                        settings.head()))));
        ZeroShotSuite suite = ZeroShotSuite.fromSharedData(dataDir, tokenizer, limit, settings.pll(),
                settings.ewokRule(), settings.ewokZip());
        SweepResult r = new CheckpointSweep<>(suite, settings.listener()).run(cps);
        writeZeroShotSweep(r, suite, settings, runs, outDir, prefix);
        return r;
    }

    /**
     * Captions a zero-shot sweep's table and writes its {@code <prefix>.md/.csv/.png/.provenance.json} into
     * {@code outDir}, as {@link #zeroShotSweep} does; for sweeps scored elsewhere (e.g. on a cluster) so that their
     * reports equal the single-process ones.
     *
     * @throws IOException if a report cannot be written
     */
    public static void writeZeroShotSweep(SweepResult r, ZeroShotSuite suite, Settings settings,
                                          Map<String, List<Path>> runs, Path outDir, String prefix) throws IOException {
        Map<String, String> prov = new LinkedHashMap<>(suite.settings());
        prov.put("scoringHead", settings.head().name());
        prov.put("normaliser", settings.normaliser().name());
        prov.put("normaliserMeaning", settings.normaliser().description());
        r.table().caption(zeroShotCaption(settings));
        prov.put("checkpoints", checkpointList(runs));
        Files.createDirectories(outDir);
        r.write(outDir, prefix, 3, "Average", prov);
    }

    /**
     * GLUE sweep over checkpoints: every task with both splits in {@code dataDir} is fine-tuned from every
     * checkpoint ({@link GlueSuite}); writes {@code <prefix>.md/.csv/.png/.provenance.json} (curve of
     * {@code Average}).
     *
     * @return the table of all checkpoints
     * @throws IOException if data, a model or a report cannot be read or written
     */
    public static SweepResult glueSweep(Map<String, List<Path>> runs, Tokenizer tokenizer, Path dataDir,
                                        EvalLimit limit, FineTuneConfig config, DebertaClassifier.Options options,
                                        EvalProgressListener listener, Path outDir, String prefix)
            throws IOException {
        List<Checkpoint<TrainableClassifier.Factory>> cps = new ArrayList<>();
        forEachCheckpoint(runs, (series, step, dir) -> cps.add(new Checkpoint<>(series, step,
                () -> classifierFactory(dir, -1, tokenizer, options))));
        GlueSuite suite = GlueSuite.fromSharedData(dataDir, tokenizer, limit, config);
        SweepResult r = new CheckpointSweep<>(suite, listener).run(cps);
        Map<String, String> prov = new LinkedHashMap<>(suite.settings());
        prov.put("data", dataDir.toAbsolutePath().normalize().toString());
        prov.put("limit", limit.toString());
        prov.put("classifier", options.toString());
        prov.put("checkpoints", checkpointList(runs));
        Files.createDirectories(outDir);
        r.write(outDir, prefix, 3, "Average", prov);
        return r;
    }

    @FunctionalInterface
    private interface CheckpointVisitor {
        void visit(String series, long step, Path dir);
    }

    private static void forEachCheckpoint(Map<String, List<Path>> runs, CheckpointVisitor v) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to evaluate");
        }
        for (Map.Entry<String, List<Path>> e : runs.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("run '" + e.getKey() + "' has no checkpoint directories");
            }
            for (Path dir : e.getValue()) {
                v.visit(e.getKey(), stepOf(dir), dir);
            }
        }
    }

    private static String checkpointList(Map<String, List<Path>> runs) {
        StringBuilder sb = new StringBuilder();
        runs.forEach((series, dirs) -> dirs.forEach(d -> sb.append(sb.length() == 0 ? "" : "; ").append(series)
                .append('=').append(d.toAbsolutePath().normalize())));
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** @return the caption of a zero-shot table made with {@code settings}: the head and the normaliser */
    public static String zeroShotCaption(Settings settings) {
        return "Zero-shot accuracy by pseudo-log-likelihood; head " + settings.head().name() + "; normaliser "
                + settings.normaliser().caption();
    }

    /**
     * Loads a model directory: a Hugging Face directory or a training checkpoint directory (which is one too).
     *
     * @throws IOException if it cannot be read (a {@link io.mlsm.models.io.CheckpointFormatException} for bad
     *                     content)
     */
    public static DebertaModel loadModel(Path modelDir) throws IOException {
        return HfDebertaDirectory.loadModel(modelDir);
    }

    static List<MinimalPair> readBlimpPairs(Path dataDir, EvalLimit limit) throws IOException {
        List<MinimalPair> pairs = new ArrayList<>(BlimpReader.readBlimp(dataDir.resolve("blimp_filtered"), limit));
        Path supplement = dataDir.resolve("blimp_supplement");
        if (Files.isDirectory(supplement)) {
            pairs.addAll(BlimpReader.readSupplement(supplement, limit));
        }
        return pairs;
    }
}
