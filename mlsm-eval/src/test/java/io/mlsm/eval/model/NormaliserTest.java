package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.eval.pll.PseudoLogLikelihood;
import io.mlsm.eval.pll.ScoredSequence;
import io.mlsm.eval.report.CsvTable;
import io.mlsm.eval.report.MarkdownTable;
import io.mlsm.eval.report.ResultTable;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.ForwardResult;
import io.mlsm.models.graph.VariableNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PLL normaliser on a tiny random {@code V + k} model: {@link Normaliser#ALL_OUTPUTS} equals a float64
 * log-softmax over all {@code V + k} logits of {@link DebertaModel#forward} (vocabulary logits and concept logits
 * concatenated), {@link Normaliser#VOCABULARY} over the first {@code V}; the two coincide on a {@code V}-only model and
 * through the latent-to-vocabulary head; results and tables carry the choice.
 */
class NormaliserTest {

    static final SpecialTokens SP = new SpecialTokens(0, 1, 2, 3, 4);
    private static DebertaModel model;
    private static List<ScoredSequence> sequences;
    /** Two BLiMP-shaped pairs in two paradigms, scored with a word-per-token tokenizer. */
    private static final List<MinimalPair> PAIRS = List.of(
            new MinimalPair("blimp", "anaphor_gender_agreement", "anaphor agreement", "the cat saw herself",
                    "the cat saw himself", "test"),
            new MinimalPair("blimp", "anaphor_number_agreement", "anaphor agreement", "cats saw themselves",
                    "cats saw itself", "test"));

    @BeforeAll
    static void setUp() {
        DebertaConfig cfg = DebertaConfig.tiny().withPadTokenId(SP.pad()).withLatentConcepts(24);
        model = DebertaModel.initialize(cfg, 41L);
        // concept biases large enough that they carry a visible share of the normaliser
        INDArray bias = model.parameter(VariableNames.MLM_BIAS);                      // [V + k]
        Random r = new Random(42);
        for (int j = 0; j < bias.length(); j++) {
            bias.putScalar(j, (j >= cfg.vocabSize() ? 4.0 : 0.0) + 0.5 * r.nextGaussian());
        }
        Random s = new Random(7);
        sequences = new ArrayList<>();
        for (int len : new int[] {7, 5, 9}) {
            int[] ids = new int[len];
            ids[0] = SP.cls();
            for (int t = 1; t < len - 1; t++) {
                ids[t] = 5 + s.nextInt(cfg.vocabSize() - 5);
            }
            ids[len - 1] = SP.sep();
            sequences.add(ScoredSequence.allButEnds(ids));
        }
    }

    /** log-softmax in float64 of {@code row} over its first {@code n} entries, at {@code target}. */
    static double logSoftmax(double[] row, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, row[j]);
        }
        double z = 0;
        for (int j = 0; j < n; j++) {
            z += Math.exp(row[j] - max);
        }
        return row[target] - max - Math.log(z);
    }

    /**
     * PLL by one unpadded {@link DebertaModel#forward} per masked position, with the {@code [V + k]} output row built
     * from the forward pass's vocabulary logits and concept logits.
     *
     * @return {ALL_OUTPUTS PLL, VOCABULARY PLL}
     */
    static double[] direct(DebertaModel m, ScoredSequence seq) {
        int v = m.config().vocabSize();
        int k = m.config().latentConcepts();
        int[] ids = seq.ids();
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        double[] sum = new double[2];
        for (int pos : seq.positions()) {
            int[] copy = ids.clone();
            copy[pos] = SP.mask();
            ForwardResult out = m.forward(new int[][] {copy}, new int[][] {ones});
            double[] row = new double[v + k];                                          // [V + k]
            double[] voc = out.logits().get(NDArrayIndex.point(0), NDArrayIndex.point(pos), NDArrayIndex.all())
                    .toDoubleVector();                                                 // [V]
            System.arraycopy(voc, 0, row, 0, v);
            if (k > 0) {
                double[] c = out.conceptLogits().get(NDArrayIndex.point(0), NDArrayIndex.point(pos),
                        NDArrayIndex.all()).toDoubleVector();                          // [k]
                System.arraycopy(c, 0, row, v, k);
            }
            sum[0] += logSoftmax(row, v + k, ids[pos]);
            sum[1] += logSoftmax(row, v, ids[pos]);
        }
        return sum;
    }

    private static double[] batched(DebertaMaskedLmScorer scorer, Normaliser n) {
        // 15 masked copies, at most 4 rows per pass: padded passes mixing lengths
        return new PseudoLogLikelihood(scorer, SP, new PllOptions(4, 4 * 9, 9, n)).score(sequences);
    }

    @Test
    void allOutputsAndVocabularyMatchADirectFloat64LogSoftmax() {
        DebertaMaskedLmScorer scorer = DebertaMaskedLmScorer.mlmHead(model);
        double[] all = batched(scorer, Normaliser.ALL_OUTPUTS);
        double[] voc = batched(scorer, Normaliser.VOCABULARY);
        for (int i = 0; i < sequences.size(); i++) {
            double[] ref = direct(model, sequences.get(i));
            assertEquals(ref[0], all[i], 1e-4, "ALL_OUTPUTS, sequence " + i);
            assertEquals(ref[1], voc[i], 1e-4, "VOCABULARY, sequence " + i);
            // the concept rows take probability mass: every term is lower under ALL_OUTPUTS
            assertTrue(all[i] < voc[i] - 0.1, "sequence " + i + ": " + all[i] + " vs " + voc[i]);
        }
        // the scorer's own (4-argument) call is the BabyLM default
        double[] byDefault = new PseudoLogLikelihood(scorer, SP, new PllOptions(4, 4 * 9, 9)).score(sequences);
        assertArrayEquals(all, byDefault, 0.0);
        assertEquals(Normaliser.ALL_OUTPUTS, PllOptions.defaults().normaliser());
        assertTrue(scorer.normaliserApplied(Normaliser.ALL_OUTPUTS).startsWith("ALL_OUTPUTS (MLM head: V+k = 500+24"),
                scorer.normaliserApplied(Normaliser.ALL_OUTPUTS));
    }

    @Test
    void bothNormalisersFromOnePassEqualOnePassEach() {
        DebertaMaskedLmScorer scorer = DebertaMaskedLmScorer.mlmHead(model);
        PseudoLogLikelihood pll = new PseudoLogLikelihood(scorer, SP, new PllOptions(4, 4 * 9, 9));
        List<Normaliser> both = List.of(Normaliser.VOCABULARY, Normaliser.ALL_OUTPUTS);
        double[][] onePass = pll.score(sequences, both);
        PseudoLogLikelihood one = new PseudoLogLikelihood(scorer, SP, new PllOptions(4, 4 * 9, 9));
        one.score(sequences);
        assertEquals(one.forwardPasses(), pll.forwardPasses(), "both normalisers from one set of passes");
        assertEquals(4, pll.forwardPasses(), "15 masked copies, at most 4 rows per pass");
        assertArrayEquals(batched(scorer, Normaliser.VOCABULARY), onePass[0], 1e-5);
        assertArrayEquals(batched(scorer, Normaliser.ALL_OUTPUTS), onePass[1], 1e-5);
        for (int i = 0; i < sequences.size(); i++) {
            double[] ref = direct(model, sequences.get(i));
            assertEquals(ref[1], onePass[0][i], 1e-4, "VOCABULARY, sequence " + i);
            assertEquals(ref[0], onePass[1][i], 1e-4, "ALL_OUTPUTS, sequence " + i);
        }

        FakeWordTokenizer tok = new FakeWordTokenizer(model.config().vocabSize());
        BlimpEvaluator ev = new BlimpEvaluator(tok, scorer, PllOptions.defaults());
        List<BlimpResult> results = ev.evaluate(PAIRS, io.mlsm.eval.EvalProgressListener.NONE, both);
        for (int n = 0; n < both.size(); n++) {
            BlimpResult single = new BlimpEvaluator(tok, scorer, PllOptions.defaults().withNormaliser(both.get(n)))
                    .evaluate(PAIRS, io.mlsm.eval.EvalProgressListener.NONE);
            assertEquals(both.get(n).name(), results.get(n).provenance().get("normaliser"));
            assertEquals(single.provenance(), results.get(n).provenance());
            for (int i = 0; i < PAIRS.size(); i++) {
                assertEquals(single.scores().get(i).goodPll(), results.get(n).scores().get(i).goodPll(), 1e-5);
                assertEquals(single.scores().get(i).badPll(), results.get(n).scores().get(i).badPll(), 1e-5);
            }
        }
    }

    @Test
    void aVocabularyOnlyModelScoresTheSameUnderBothNormalisers() {
        DebertaModel plain = DebertaModel.initialize(DebertaConfig.tiny().withPadTokenId(SP.pad()), 43L);
        DebertaMaskedLmScorer scorer = DebertaMaskedLmScorer.mlmHead(plain);
        double[] all = batched(scorer, Normaliser.ALL_OUTPUTS);
        assertArrayEquals(all, batched(scorer, Normaliser.VOCABULARY), 0.0);
        for (int i = 0; i < sequences.size(); i++) {
            assertEquals(direct(plain, sequences.get(i))[1], all[i], 1e-4, "sequence " + i);
        }
        assertTrue(scorer.normaliserApplied(Normaliser.ALL_OUTPUTS).contains("ALL_OUTPUTS = VOCABULARY"));
    }

    @Test
    void theLatentToVocabularyHeadNormalisesOverItsVRowsEitherWayAndSaysSo() {
        DebertaModel m = DebertaModel.initialize(DebertaConfig.tiny().withPadTokenId(SP.pad())
                .withLatentConcepts(8), 44L);
        m.addLatentToVocabHead(45L);
        DebertaMaskedLmScorer scorer = DebertaMaskedLmScorer.latentToVocabHead(m);
        assertArrayEquals(batched(scorer, Normaliser.VOCABULARY), batched(scorer, Normaliser.ALL_OUTPUTS), 0.0);
        assertEquals(Normaliser.VOCABULARY, scorer.normaliserFor(Normaliser.ALL_OUTPUTS));
        String applied = scorer.normaliserApplied(Normaliser.ALL_OUTPUTS);
        assertTrue(applied.startsWith("VOCABULARY (latent-to-vocabulary head") && applied.contains("ALL_OUTPUTS asked"),
                applied);
    }

    @Test
    void resultsProvenanceAndTableCaptionsCarryTheNormaliser() throws Exception {
        FakeWordTokenizer tok = new FakeWordTokenizer(model.config().vocabSize());
        for (Normaliser n : Normaliser.values()) {
            BlimpResult r = new BlimpEvaluator(tok, Evaluations.scorer(model, tok, ScoringHead.MLM),
                    PllOptions.defaults().withNormaliser(n)).evaluate(PAIRS, io.mlsm.eval.EvalProgressListener.NONE);
            assertEquals(n.name(), r.provenance().get("normaliser"));
            assertTrue(r.normaliserApplied().startsWith(n.name() + " (MLM head"), r.normaliserApplied());
            ResultTable t = Evaluations.blimpTable(r, "tiny");
            assertTrue(t.caption().contains("normaliser " + n.name()), t.caption());
            assertTrue(MarkdownTable.render(t, 3).contains("\nTable: BLiMP accuracy by pseudo-log-likelihood; "
                    + "normaliser " + n.name()), MarkdownTable.render(t, 3));
            assertTrue(CsvTable.render(t).startsWith("# BLiMP accuracy"), CsvTable.render(t));
            assertEquals(t, CsvTable.parse(CsvTable.render(t), "test"));
        }
        Evaluations.Settings s = Evaluations.Settings.defaults();
        assertEquals(Normaliser.ALL_OUTPUTS, s.normaliser());
        assertEquals(Normaliser.VOCABULARY, s.withNormaliser(Normaliser.VOCABULARY).pll().normaliser());
        assertTrue(Evaluations.zeroShotCaption(s.withNormaliser(Normaliser.VOCABULARY))
                .endsWith("normaliser VOCABULARY: log-softmax over the V vocabulary rows"));
    }
}
