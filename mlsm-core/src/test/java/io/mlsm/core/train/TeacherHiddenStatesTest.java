package io.mlsm.core.train;

import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.Sequences;
import io.mlsm.models.DebertaModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Collecting a whole dictionary-learning sample on a tiny random teacher: contents, storage type, memory bound. */
class TeacherHiddenStatesTest {

    static Sequences sequences;
    static DebertaModel teacher;

    @BeforeAll
    static void setUp() {
        sequences = SyntheticTask.sequences(12, 16, 5);          // 12 sequences of 13-16 ids, 11-14 content tokens
        teacher = DebertaModel.initialize(SyntheticTask.config(), 9);
    }

    static BatchStream unmasked() {
        return BatchStream.builder(sequences, SyntheticTask.SPECIALS, SyntheticTask.VOCAB).batchSize(4)
                .masking(Masking.none()).shuffle(false).seed(3).epochs(1).dropLast(false).build();
    }

    static INDArray streamed(long budget) {
        List<INDArray> chunks = new ArrayList<>();
        new TeacherHiddenStates(teacher, -1, unmasked(), budget, 7).forEachRemaining(chunks::add);
        return Nd4j.vstack(chunks);
    }

    @Test
    void collectsTheStreamedRowsIntoOneArray() {
        INDArray all = streamed(100);
        assertEquals(100, all.rows());
        INDArray sample = new TeacherHiddenStates(teacher, -1, unmasked(), 100, 7).collect(1L << 30);
        assertEquals(DataType.FLOAT, sample.dataType());
        assertArrayEquals(new long[]{100, teacher.config().hiddenSize()}, sample.shape());
        assertEquals(all, sample, "same rows in the same (corpus) order");
    }

    @Test
    void aShortCorpusGivesTheRowsItHas() {
        long available = streamed(1_000_000).rows();
        assertTrue(available < 200, "the corpus has " + available + " content tokens");
        INDArray sample = new TeacherHiddenStates(teacher, -1, unmasked(), 1_000, 7).collect(1L << 30);
        assertEquals(available, sample.rows());
        assertEquals(streamed(1_000_000), sample);
    }

    @Test
    void overTheBoundTheSampleIsFloat16AndBeyondThatItFailsNamingSizeAndOption() {
        int h = teacher.config().hiddenSize();
        long float32 = 100L * h * 4;
        INDArray half = new TeacherHiddenStates(teacher, -1, unmasked(), 100, 7).collect(float32 - 1);
        assertEquals(DataType.HALF, half.dataType());
        INDArray full = streamed(100);
        double err = half.castTo(DataType.FLOAT).sub(full).amaxNumber().doubleValue();
        assertTrue(err <= 1e-3 * full.amaxNumber().doubleValue(), "float16 rounding " + err);

        assertEquals(DataType.FLOAT, TeacherHiddenStates.sampleType(1_000_000, 768, 4L << 30));
        assertEquals(DataType.HALF, TeacherHiddenStates.sampleType(2_000_000, 768, 4L << 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TeacherHiddenStates.sampleType(4_000_000, 768, 4L << 30));
        assertTrue(e.getMessage().contains("4000000 tokens x 768") && e.getMessage().contains("11.44 GiB")
                && e.getMessage().contains("5.72 GiB") && e.getMessage().contains("DictionarySpec.sampleMemory"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new TeacherHiddenStates(teacher, -1, unmasked(), 100, 7).collect(100L * h * 2 - 1));
        assertTrue(e.getMessage().contains("sampleMemory"), e.getMessage());
    }
}
