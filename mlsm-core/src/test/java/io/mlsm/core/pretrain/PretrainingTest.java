package io.mlsm.core.pretrain;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.listen.TrainingListener;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.train.TrainingResult;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.sparse.Dictionary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fluent pipeline end to end on a toy corpus and a very small DeBERTa: every phase runs, every objective lowers
 * its own loss, phase 3 freezes the backbone, warm start copies the teacher, and bad configurations fail up front.
 */
class PretrainingTest {

    @TempDir
    static Path shared;
    static Path corpusFile;
    static PretrainingResult full;

    static DebertaConfig micro() {
        return micro(32);
    }

    static DebertaConfig micro(int hidden) {
        return DebertaConfig.builder().vocabSize(100).hiddenSize(hidden).numLayers(2).numHeads(2).intermediateSize(64)
                .maxPositions(64).maxRelativePositions(-1)
                .positionAttention(java.util.EnumSet.of(DebertaConfig.PositionAttention.C2P,
                        DebertaConfig.PositionAttention.P2C))
                .layerNormEps(1e-7).hiddenDropout(0.0).attentionDropout(0.0).padTokenId(0).latentConcepts(0)
                .initializerRange(0.02).build();
    }

    static Pretraining.Builder pipeline(Path out) {
        return Pretraining.threePhase()
                .corpus(Corpus.lines(corpusFile))
                .trainTokenizer(60)
                .teacher(TeacherSpec.pretrainMlm(micro()).steps(120).learningRate(5e-3).warmupFraction(0.05))
                .dictionary(DictionarySpec.learn().atoms(24).lambda(0.05).layer(-1).sampleTokens(3000).batchSize(200)
                        .iterations(15))
                .objective(Objective.MLSM_PLUS_MLM)
                .student(micro()).warmStart(true).steps(30).learningRate(3e-3).warmupFraction(0.05)
                .headSteps(30).headLearningRate(1e-2)
                .batchSize(16)
                .listener(new TrainingListener() { })
                .outputDir(out)
                .seed(3);
    }

    @BeforeAll
    static void runThreePhases() throws IOException {
        corpusFile = ToyCorpus.write(shared.resolve("corpus"), 600, 1);
        full = pipeline(shared.resolve("run")).fit();
    }

    @Test
    void threePhaseRunWritesEveryArtifact() throws IOException {
        assertTrue(Files.isRegularFile(full.tokenizer()));
        assertTrue(Files.isRegularFile(full.dictionary()));
        for (Path dir : new Path[]{full.teacher(), full.student(), full.head()}) {
            assertTrue(Files.isRegularFile(dir.resolve("config.json")), dir + " config");
            assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")), dir + " weights");
            assertTrue(Files.isRegularFile(dir.resolve("provenance.json")), dir + " provenance");
        }
        Dictionary d = Dictionary.load(full.dictionary());
        assertEquals(24, d.size());
        // learned as the reference does: the whole sample, permuted, no forgetting (DictionarySpec defaults)
        Map<String, String> attrs = d.provenance().attributes();
        assertEquals("0.0", attrs.get("forgetting"));
        assertEquals("whole sample, seeded permutation of all rows every pass", attrs.get("sampling"));
        assertEquals("FLOAT", attrs.get("sampleType"));
        assertEquals(Long.toString(d.provenance().rowsSeen()), attrs.get("sampleRows"), "15 iterations of 200 rows "
                + "= one pass over the 3000-token sample");
        DebertaModel teacher = HfDebertaDirectory.loadModel(full.teacher());
        assertEquals(d.dimension(), teacher.config().hiddenSize());
        assertEquals(UnigramTokenizer.load(full.tokenizer()).vocabSize(), teacher.config().vocabSize());
        for (String phase : new String[]{"teacher", "student", "head"}) {
            TrainingResult r = full.phase(phase).orElseThrow();
            assertTrue(r.meanLoss("total", r.curve().size() - 5, r.curve().size()) < r.meanLoss("total", 0, 5),
                    phase + " loss must fall: " + r.meanLoss("total", 0, 5) + " -> "
                            + r.meanLoss("total", r.curve().size() - 5, r.curve().size()));
            assertTrue(Files.isRegularFile(shared.resolve("run/metrics/" + phase + ".csv")));
        }
        // no temporary directories left behind
        try (Stream<Path> s = Files.walk(shared.resolve("run"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "temporary files left");
        }
    }

    @Test
    void theRunRecordsTheOperationsOfEveryPhase() throws IOException {
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(shared.resolve("run/metrics/flops.json").toFile());
        com.fasterxml.jackson.databind.JsonNode phases = root.path("phases");
        double sum = 0;
        for (String phase : new String[]{"teacher", "student", "head"}) {
            TrainingResult r = full.phase(phase).orElseThrow();
            com.fasterxml.jackson.databind.JsonNode e = phases.path(phase);
            assertEquals(r.totalFlops(), e.path("total").asDouble(), 1e-9 * r.totalFlops(), phase);
            assertEquals(r.steps(), e.path("steps").asLong(), phase);
            assertEquals(r.totalFlops() / r.steps(), e.path("perStep").asDouble(), 1e-6 * r.totalFlops(), phase);
            sum += e.path("total").asDouble();
        }
        assertEquals(java.util.Set.of("step"), fieldNames(phases.path("teacher").path("flops")));
        assertEquals(java.util.Set.of("step", "teacher_forward", "sparse_coding"),
                fieldNames(phases.path("student").path("flops")), "MLSM needs the teacher and FISTA on every batch");
        com.fasterxml.jackson.databind.JsonNode dict = phases.path("dictionary").path("flops");
        assertEquals(java.util.Set.of("teacher_forward", "sparse_coding"), fieldNames(dict));
        assertTrue(dict.path("teacher_forward").asDouble() > 0 && dict.path("sparse_coding").asDouble() > 0);
        sum += phases.path("dictionary").path("total").asDouble();
        assertEquals(sum, root.path("total").asDouble(), 1e-9 * sum);
        // phase 3 trains only the k -> V head: its step is far cheaper than the student's
        assertTrue(phases.path("head").path("perStep").asDouble() < phases.path("student").path("perStep").asDouble());
    }

    private static java.util.Set<String> fieldNames(com.fasterxml.jackson.databind.JsonNode n) {
        java.util.Set<String> names = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void phaseThreeLeavesTheBackboneBitIdentical() throws IOException {
        DebertaModel student = HfDebertaDirectory.loadModel(full.student(), 24);
        DebertaModel head = HfDebertaDirectory.loadModel(full.head(), 24);
        int compared = 0;
        for (Map.Entry<String, INDArray> e : student.parameters().entrySet()) {
            assertEquals(e.getValue(), head.parameter(e.getKey()), "phase 3 changed " + e.getKey());
            compared++;
        }
        assertTrue(compared > 20);
        assertTrue(head.parameters().keySet().stream().anyMatch(n -> n.startsWith("cls.latent_to_vocab.")));
    }

    @Test
    void rerunLoadsFinishedPhasesInsteadOfRetraining() {
        PretrainingResult again = pipeline(shared.resolve("run")).fit();
        assertTrue(again.phases().isEmpty(), "every phase was finished, nothing must be retrained");
        assertEquals(full.student(), again.student());
    }

    @Test
    void warmStartCopiesEveryTeacherWeight() {
        DebertaModel teacher = DebertaModel.initialize(micro(), 1);
        DebertaModel student = DebertaModel.initialize(micro().withLatentConcepts(8), 2);
        INDArray conceptRows = student.parameter("deberta.embeddings.word_embeddings.weight")
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 108)).dup();
        Pretraining.WarmStart.copy(teacher, student);
        for (Map.Entry<String, INDArray> e : teacher.parameters().entrySet()) {
            INDArray s = student.parameter(e.getKey());
            // V+k layout: the teacher fills the first V rows of the embeddings and the output bias
            INDArray leading = s.size(0) == e.getValue().size(0) ? s
                    : s.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, e.getValue().size(0)));
            assertEquals(e.getValue(), leading, e.getKey());
        }
        assertEquals(conceptRows, student.parameter("deberta.embeddings.word_embeddings.weight")
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 108)), "concept rows keep their init");
        DebertaModel other = DebertaModel.initialize(micro().withVocabSize(90), 3);
        assertThrows(IllegalArgumentException.class, () -> Pretraining.WarmStart.copy(teacher, other));
    }

    @Test
    void warmStartFromAReleasedVPlusKTeacherCopiesWordPieceRowsOnly() {
        String emb = "deberta.embeddings.word_embeddings.weight";
        String bias = "cls.predictions.bias";
        DebertaModel teacher = DebertaModel.initialize(micro().withLatentConcepts(12), 1);   // V = 100, k = 12
        // whatever the student's k (its own dictionary's, 8 or 0, or 12 like the teacher's), the V word-piece rows
        // come from the teacher and the student's concept rows keep their initialisation
        for (int k : new int[]{8, 0, 12}) {
            DebertaModel student = DebertaModel.initialize(micro().withLatentConcepts(k), 2 + k);
            INDArray ownEmb = student.parameter(emb).dup();
            INDArray ownBias = student.parameter(bias).dup();
            Pretraining.WarmStart.copy(teacher, student);
            for (Map.Entry<String, INDArray> e : teacher.parameters().entrySet()) {
                INDArray t = e.getValue();
                INDArray s = student.parameter(e.getKey());
                if (e.getKey().equals(emb) || e.getKey().equals(bias)) {
                    assertEquals(t.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100)),
                            s.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100)), e.getKey() + " k=" + k);
                    if (k > 0 && e.getKey().equals(emb)) {
                        assertEquals(ownEmb.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 100 + k)),
                                s.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 100 + k)),
                                "concept rows keep their init, k=" + k);
                    }
                } else {
                    assertEquals(t, s, e.getKey() + " k=" + k);
                }
            }
            if (k > 0) {
                assertEquals(ownBias.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 100 + k)),
                        student.parameter(bias).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 100 + k)),
                        "concept biases keep their init, k=" + k);
            }
        }
        // a student of another vocabulary is rejected, even when its V + k equals the teacher's rows
        DebertaModel other = DebertaModel.initialize(micro().withVocabSize(104).withLatentConcepts(8), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pretraining.WarmStart.copy(teacher, other));
        assertTrue(e.getMessage().contains("100 word pieces but the student 104"), e.getMessage());
    }

    static java.util.List<Objective> paperObjectives() {
        return Objective.values();
    }

    @ParameterizedTest
    @MethodSource("paperObjectives")
    void everyObjectiveLowersItsOwnLoss(Objective objective, @TempDir Path tmp) {
        Pretraining.Builder b = Pretraining.twoPhase()
                .corpus(Corpus.lines(corpusFile))
                .tokenizer(loadTokenizer())
                .teacher(TeacherSpec.load(full.teacher()))
                .dictionary(DictionarySpec.load(full.dictionary()).layer(-1))
                .objective(objective)
                .student(micro()).warmStart(false).steps(60).learningRate(5e-3).warmupFraction(0.05)
                .batchSize(16).listener(new TrainingListener() { }).outputDir(tmp).seed(9);
        TrainingResult r = b.fit().phase("student").orElseThrow();
        // the objective's own loss (its single term, or the weighted sum of a joint objective) falls by at least 5%
        // over 60 steps; the run is deterministic (fixed seeds, single-threaded kernels), so this is not a lucky
        // draw. KD+MLM falls slowest (about 7%): its KD term pulls towards a weak 120-step teacher.
        double first = r.meanLoss("total", 0, 5);
        double last = r.meanLoss("total", 55, 60);
        assertTrue(last < 0.95 * first, objective + ": loss must fall, " + first + " -> " + last);
        for (io.mlsm.models.loss.LossTerm term : objective.trainingObjective(1.0).weights().keySet()) {
            assertTrue(r.curve().get(0).losses().containsKey(term.key()),
                    objective + " computes its '" + term.key() + "' term");
        }
    }

    @Test
    void badConfigurationsFailBeforeAnyWork(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        assertMessage(() -> Pretraining.twoPhase().trainTokenizer(60).student(micro()).outputDir(out).fit(),
                "no corpus");
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).trainTokenizer(60)
                .objective(Objective.MLSM).student(micro()).warmStart(false).outputDir(out).fit(), "needs a teacher");
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).trainTokenizer(60)
                .teacher(TeacherSpec.load(full.teacher())).objective(Objective.MLSM).student(micro())
                .outputDir(out).fit(), "needs a dictionary");
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).trainTokenizer(60)
                .teacher(TeacherSpec.load(full.teacher())).dictionary(DictionarySpec.load(full.dictionary())
                        .layer(5)).objective(Objective.MLSM).student(micro()).outputDir(out).fit(),
                "out of range");
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).trainTokenizer(60)
                .teacher(TeacherSpec.pretrainMlm(micro().withVocabSize(100)))
                .dictionary(DictionarySpec.learn()).objective(Objective.MLSM)
                .student(micro(48)).warmStart(true)
                .outputDir(out).fit(), "warm start");
        // a tokenizer whose vocabulary differs from a loaded teacher's
        UnigramTokenizer small = UnigramTokenizer.train(Corpus.lines(corpusFile), 40);
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).tokenizer(small)
                .teacher(TeacherSpec.load(full.teacher())).objective(Objective.KD).student(micro()).outputDir(out)
                .fit(), "vocabulary mismatch");
        // a dictionary whose dimension differs from the teacher's hidden size
        Path wrongDim = tmp.resolve("wrong.mlsmdict");
        Dictionary.of(Dictionary.randomUnitAtoms(16, 8, 1, org.nd4j.linalg.api.buffer.DataType.FLOAT),
                io.mlsm.sparse.DictionaryProvenance.of(0.05, 8, 16, "test")).save(wrongDim);
        assertMessage(() -> Pretraining.twoPhase().corpus(Corpus.lines(corpusFile)).tokenizer(loadTokenizer())
                .teacher(TeacherSpec.load(full.teacher())).dictionary(DictionarySpec.load(wrongDim))
                .objective(Objective.MLSM).student(micro()).outputDir(out).fit(), "dimension 16");
        assertMessage(() -> Pretraining.threePhase().corpus(Corpus.lines(corpusFile)).tokenizer(loadTokenizer())
                .teacher(TeacherSpec.load(full.teacher())).objective(Objective.MLM).student(micro()).outputDir(out)
                .fit(), "latent");
        assertFalse(Files.exists(out), "a rejected configuration must not write anything");
        assertThrows(IllegalArgumentException.class, () -> TeacherSpec.load(tmp.resolve("missing")));
        assertThrows(IllegalArgumentException.class, () -> DictionarySpec.load(tmp.resolve("missing.mlsmdict")));
    }

    private static UnigramTokenizer loadTokenizer() {
        try {
            return UnigramTokenizer.load(full.tokenizer());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(fragment), "message '" + x.getMessage() + "' should mention '"
                + fragment + "'");
    }
}
