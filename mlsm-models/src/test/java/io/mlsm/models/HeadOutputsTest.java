package io.mlsm.models;

import io.mlsm.models.graph.VariableNames;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DebertaModel#vocabLogitsAt} and {@link DebertaModel#classLogits} against references computed from
 * {@link DebertaModel#forward} outputs: the MLM rows equal the full logits at the selected positions (V + k layout);
 * the latent-to-vocabulary rows equal {@code W · concepts + b} on the forward pass's concept logits; the class logits
 * equal pooler (dense, exact GELU) and classifier applied in double precision to the {@code [CLS]} hidden state.
 */
class HeadOutputsTest {

    private static final int[][] IDS = {{1, 17, 4, 9, 33, 2, 0}, {1, 250, 7, 2, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 0, 0, 0}};

    private static DebertaModel conceptModel() {
        DebertaModel m = DebertaModel.initialize(DebertaConfig.tiny().withLatentConcepts(12), 3L);
        m.addLatentToVocabHead(9L);
        Random r = new Random(4);
        INDArray bias = m.parameter(VariableNames.LATENT_TO_VOCAB_BIAS);
        for (int i = 0; i < bias.length(); i++) {
            bias.putScalar(i, r.nextGaussian());
        }
        return m;
    }

    @Test
    void mlmLogitsAtSelectedPositionsEqualTheFullLogits() {
        DebertaModel m = conceptModel();
        ForwardResult full = m.forward(IDS, MASK);
        int t = IDS[0].length;
        int[][] picks = {{0, 2}, {1, 3}, {0, 0}, {1, 1}, {0, 5}};
        int[] flat = new int[picks.length];
        for (int n = 0; n < picks.length; n++) {
            flat[n] = picks[n][0] * t + picks[n][1];
        }
        INDArray at = m.vocabLogitsAt(Nd4j.createFromArray(IDS), Nd4j.createFromArray(MASK), flat, VocabHead.MLM);
        assertEquals(picks.length, at.size(0));
        assertEquals(m.config().vocabSize(), at.size(1), "only the V vocabulary rows, not V + k");
        for (int n = 0; n < picks.length; n++) {
            for (int v = 0; v < m.config().vocabSize(); v++) {
                assertEquals(full.logits().getDouble(picks[n][0], picks[n][1], v), at.getDouble(n, v), 1e-5,
                        "pick " + n + " id " + v);
            }
        }
    }

    @Test
    void latentToVocabLogitsApplyTheHeadToTheConceptLogits() {
        DebertaModel m = conceptModel();
        ForwardResult full = m.forward(IDS, MASK);
        int t = IDS[0].length;
        int[] flat = {3, t + 2};
        INDArray at = m.vocabLogitsAt(Nd4j.createFromArray(IDS), Nd4j.createFromArray(MASK), flat,
                VocabHead.LATENT_TO_VOCAB);
        INDArray w = m.parameter(VariableNames.LATENT_TO_VOCAB_WEIGHT);   // [V, k]
        INDArray b = m.parameter(VariableNames.LATENT_TO_VOCAB_BIAS);     // [V]
        int k = m.config().latentConcepts();
        double maxDiff = 0;
        for (int n = 0; n < flat.length; n++) {
            int row = flat[n] / t;
            int pos = flat[n] % t;
            for (int v = 0; v < m.config().vocabSize(); v++) {
                double expected = b.getDouble(v);
                for (int c = 0; c < k; c++) {
                    expected += w.getDouble(v, c) * full.conceptLogits().getDouble(row, pos, c);
                }
                maxDiff = Math.max(maxDiff, Math.abs(expected - at.getDouble(n, v)));
            }
        }
        assertTrue(maxDiff < 1e-5, "max |difference| " + maxDiff);
        // and it is not the MLM head's output
        INDArray mlm = m.vocabLogitsAt(Nd4j.createFromArray(IDS), Nd4j.createFromArray(MASK), flat, VocabHead.MLM);
        assertTrue(mlm.sub(at).norm2Number().doubleValue() > 1.0);
    }

    @Test
    void classLogitsArePoolerAndClassifierOnTheClsHiddenState() {
        DebertaModel m = DebertaModel.initialize(DebertaConfig.tiny(), 5L);
        m.addClassificationHead(3, 6L);
        Random r = new Random(8);
        for (String bias : new String[] {VariableNames.POOLER_BIAS, VariableNames.CLASSIFIER_BIAS}) {
            INDArray a = m.parameter(bias);
            for (int i = 0; i < a.length(); i++) {
                a.putScalar(i, 0.1 * r.nextGaussian());
            }
        }
        ForwardResult full = m.forward(IDS, MASK);
        INDArray last = full.hiddenStates().get(m.config().numLayers());   // [B, T, H]
        INDArray logits = m.classLogits(Nd4j.createFromArray(IDS), Nd4j.createFromArray(MASK));   // [B, C]
        assertEquals(2, logits.size(0));
        assertEquals(3, logits.size(1));
        INDArray wp = m.parameter(VariableNames.POOLER_WEIGHT).castTo(DataType.DOUBLE);       // [H, H]
        INDArray bp = m.parameter(VariableNames.POOLER_BIAS).castTo(DataType.DOUBLE);         // [H]
        INDArray wc = m.parameter(VariableNames.CLASSIFIER_WEIGHT).castTo(DataType.DOUBLE);   // [C, H]
        INDArray bc = m.parameter(VariableNames.CLASSIFIER_BIAS).castTo(DataType.DOUBLE);     // [C]
        int h = m.config().hiddenSize();
        for (int b = 0; b < 2; b++) {
            double[] pooled = new double[h];
            for (int i = 0; i < h; i++) {
                double z = bp.getDouble(i);
                for (int j = 0; j < h; j++) {
                    z += wp.getDouble(i, j) * last.getDouble(b, 0, j);
                }
                pooled[i] = 0.5 * z * (1 + erf(z / Math.sqrt(2)));
            }
            for (int c = 0; c < 3; c++) {
                double z = bc.getDouble(c);
                for (int j = 0; j < h; j++) {
                    z += wc.getDouble(c, j) * pooled[j];
                }
                assertEquals(z, logits.getDouble(b, c), 1e-5, "row " + b + " class " + c);
            }
        }
    }

    @Test
    void badRequestsAreRejected() {
        DebertaModel plain = DebertaModel.initialize(DebertaConfig.tiny(), 1L);
        INDArray ids = Nd4j.createFromArray(IDS);
        INDArray mask = Nd4j.createFromArray(MASK);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> plain.vocabLogitsAt(ids, mask, new int[] {1}, VocabHead.LATENT_TO_VOCAB)).getMessage()
                .contains("latent-to-vocabulary head"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> plain.vocabLogitsAt(ids, mask, new int[] {14}, VocabHead.MLM)).getMessage().contains("14"));
        assertThrows(IllegalArgumentException.class, () -> plain.vocabLogitsAt(ids, mask, new int[0], VocabHead.MLM));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> plain.classLogits(ids, mask)).getMessage()
                .contains("classification head"));
    }

    /** erf to about 1e-12: Taylor series for |x| &lt; 3, continued fraction of erfc beyond. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double s;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            s = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) by continued fraction (Lentz), converges fast for x >= 3
            double f = ax;
            for (int n = 60; n >= 1; n--) {
                f = ax + (n / 2.0) / f;
            }
            s = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -s : s;
    }
}
