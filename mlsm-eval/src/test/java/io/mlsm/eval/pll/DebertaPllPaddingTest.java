package io.mlsm.eval.pll;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.core.tokenizer.SpecialTokens;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batched PLL on the real (tiny, randomly initialised) DeBERTa equals one forward per position: the model's
 * outputs at real positions do not depend on right padding or on the other rows, which batching relies on.
 * Float32 BLAS results depend on the matrix shapes, so sums agree to 1e-4, not bit for bit.
 */
class DebertaPllPaddingTest {

    @Test
    void batchedPllOnTinyDebertaMatchesOneForwardPerPosition() {
        DebertaConfig cfg = DebertaConfig.tiny();
        DebertaModel model = DebertaModel.initialize(cfg, 42L);
        SpecialTokens sp = new SpecialTokens(0, 1, 2, cfg.padTokenId(), 4);
        List<int[]> forwards = new ArrayList<>();
        MaskedLmScorer scorer = (ids, mask, pos, tgt) -> {
            forwards.add(new int[] {ids.length, ids[0].length});
            INDArray logits = model.forward(ids, mask).logits();   // [B, T, V]
            float[] out = new float[ids.length];
            for (int b = 0; b < ids.length; b++) {
                float[] row = logits.get(NDArrayIndex.point(b), NDArrayIndex.point(pos[b]), NDArrayIndex.all())
                        .toFloatVector();                          // [V]
                out[b] = MaskedLmScorer.logSoftmaxAt(row, tgt[b]);
            }
            return out;
        };
        Random r = new Random(5);
        List<ScoredSequence> seqs = new ArrayList<>();
        for (int len : new int[] {7, 7, 10}) {
            int[] ids = new int[len];
            ids[0] = sp.cls();
            for (int t = 1; t < len - 1; t++) {
                ids[t] = 5 + r.nextInt(cfg.vocabSize() - 5);
            }
            ids[len - 1] = sp.sep();
            seqs.add(ScoredSequence.allButEnds(ids));
        }
        double[] batched = new PseudoLogLikelihood(scorer, sp, new PllOptions(64, 64 * 10, 10)).score(seqs);
        int batchedForwards = forwards.size();
        assertEquals(1, batchedForwards, "all 18 masked copies fit one forward pass");
        double maxDiff = 0;
        for (int i = 0; i < seqs.size(); i++) {
            double brute = PseudoLogLikelihoodTest.bruteForce(scorer, seqs.get(i));
            assertEquals(brute, batched[i], 1e-4, "sequence " + i);
            assertTrue(brute < 0);
            maxDiff = Math.max(maxDiff, Math.abs(brute - batched[i]));
        }
        org.slf4j.LoggerFactory.getLogger(DebertaPllPaddingTest.class)
                .info("tiny DeBERTa: batched vs per-position PLL, max |difference| = {}", maxDiff);
    }
}
