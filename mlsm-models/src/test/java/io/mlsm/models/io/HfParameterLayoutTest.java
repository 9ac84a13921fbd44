package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.DebertaParameters;
import io.mlsm.models.ForwardResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

import static io.mlsm.models.io.SafetensorsTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfParameterLayoutTest {

    @Test
    void layoutAgreesWithTheModelForEveryPreset() {
        for (DebertaConfig c : new DebertaConfig[] {DebertaConfig.tiny(), DebertaConfig.small(),
                DebertaConfig.base().withLatentConcepts(2500)}) {
            Map<String, long[]> mine = HfParameterLayout.shapes(c);
            Map<String, long[]> model = DebertaParameters.backboneAndMlmShapes(c);
            assertEquals(mine.keySet(), model.keySet());
            mine.forEach((k, s) -> assertArrayEquals(s, model.get(k), k));
        }
        // base: 12 layers x 16 + 3 embedding + 1 relative + 5 head tensors
        assertEquals(12 * 16 + 9, HfParameterLayout.shapes(DebertaConfig.base()).size());
        assertArrayEquals(new long[] {27_500, 768},
                HfParameterLayout.shapes(DebertaConfig.base().withLatentConcepts(2500))
                        .get(HfParameterLayout.WORD_EMBEDDINGS));
    }

    @Test
    void warmStartAppendsConceptRowsAndKeepsTheTeacher() throws Exception {
        HfDebertaDirectory.Loaded teacher = HfDebertaDirectory.load(TinyFixture.dir());
        Map<String, INDArray> student = HfParameterLayout.withConceptRows(teacher.parameters(), teacher.config(), 30,
                9);
        DebertaConfig sc = teacher.config().withLatentConcepts(30);
        HfParameterLayout.validate(sc, student, "student");
        INDArray emb = student.get(HfParameterLayout.WORD_EMBEDDINGS);
        assertBitEqual(teacher.parameters().get(HfParameterLayout.WORD_EMBEDDINGS),
                HfParameterLayout.vocabularyRows(emb, sc), "vocabulary rows copied");
        INDArray concepts = HfParameterLayout.conceptRows(emb, sc);
        double std = concepts.stdNumber().doubleValue();
        assertTrue(Math.abs(std - 0.02) < 0.002, "concept rows ~ N(0, 0.02): std " + std);
        assertEquals(0.0, HfParameterLayout.conceptRows(student.get(HfParameterLayout.OUTPUT_BIAS), sc)
                .amaxNumber().doubleValue());
        assertEquals(concepts, HfParameterLayout.conceptRows(HfParameterLayout.withConceptRows(
                teacher.parameters(), teacher.config(), 30, 9).get(HfParameterLayout.WORD_EMBEDDINGS), sc), "seeded");
        assertFalse(concepts.equals(HfParameterLayout.conceptRows(HfParameterLayout.withConceptRows(
                teacher.parameters(), teacher.config(), 30, 10).get(HfParameterLayout.WORD_EMBEDDINGS), sc)));
        // the teacher is untouched, and the student's vocabulary logits equal the teacher's
        assertEquals(500, teacher.parameters().get(HfParameterLayout.WORD_EMBEDDINGS).size(0));
        int[][] ids = {{2, 17, 4, 99, 3}};
        int[][] mask = {{1, 1, 1, 1, 1}};
        ForwardResult t = DebertaModel.fromParameters(teacher.config(), teacher.parameters()).forward(ids, mask);
        ForwardResult s = DebertaModel.fromParameters(sc, student).forward(ids, mask);
        // same weights, but the output GEMM has k more rows: equal up to float32 summation order
        double diff = t.logits().sub(s.logits()).norm1Number().doubleValue() / t.logits().norm1Number().doubleValue();
        assertTrue(diff < 1e-6, "vocabulary logits differ: " + diff);
        assertEquals(30, s.conceptLogits().size(2));

        assertThrows(IllegalArgumentException.class,
                () -> HfParameterLayout.withConceptRows(student, sc, 5, 1));
        assertThrows(IllegalArgumentException.class,
                () -> HfParameterLayout.withConceptRows(teacher.parameters(), teacher.config(), 0, 1));
        assertTrue(Arrays.equals(new long[] {530, 64}, emb.shape()));
    }
}
