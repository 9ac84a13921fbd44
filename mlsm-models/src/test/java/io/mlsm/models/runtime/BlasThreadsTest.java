package io.mlsm.models.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests run with {@code OMP_NUM_THREADS=1}, so ND4J starts OpenBLAS on one thread: the case the class fixes. */
class BlasThreadsTest {

    private int original;

    @BeforeEach
    void remember() {
        original = Nd4j.factory().blas().getMaxThreads();
    }

    @AfterEach
    void restore() {
        Nd4j.factory().blas().setMaxThreads(original);
    }

    @Test
    void theVariableSetsTheBlasThreadCountAndNoValueLeavesNd4jsChoice() {
        Blas blas = Nd4j.factory().blas();
        blas.setMaxThreads(1);
        BlasThreads.Decision d = BlasThreads.apply("2");
        assertEquals(2, d.threads());
        assertEquals(2, blas.getMaxThreads());
        assertTrue(d.reason().contains("ND4J had set 1"), d.reason());

        BlasThreads.Decision none = BlasThreads.apply(null);
        assertEquals(2, none.threads());
        assertEquals(2, blas.getMaxThreads());
        assertTrue(none.reason().contains("not set"), none.reason());
    }

    @Test
    void badValuesAreRejectedWithTheVariableNamed() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> BlasThreads.apply("0"));
        assertTrue(zero.getMessage().contains("OPENBLAS_NUM_THREADS") && zero.getMessage().contains("0"),
                zero.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> BlasThreads.apply("two"));
        assertTrue(word.getMessage().contains("'two'"), word.getMessage());
    }

    @Test
    void productsRepeatBitForBitAtAGivenThreadCount() {
        // what keeps training bit-reproducible: the same count gives the same split of every product. A different
        // count may round differently (measured: 1 and 2 threads differ in the last bit), so a resumed run must keep
        // the original's OPENBLAS_NUM_THREADS.
        Nd4j.getRandom().setSeed(7);
        INDArray a = Nd4j.rand(DataType.FLOAT, 517, 1031).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 1031, 389).subi(0.5);
        INDArray v = Nd4j.rand(DataType.FLOAT, 1031, 1).subi(0.5);
        BlasThreads.apply("2");
        float[] ab = a.mmul(b).reshape(-1).toFloatVector();
        float[] atab = a.transpose().mmul(a.mmul(b)).reshape(-1).toFloatVector();
        float[] av = a.mmul(v).reshape(-1).toFloatVector();
        for (int rep = 0; rep < 3; rep++) {
            assertArrayEquals(ab, a.mmul(b).reshape(-1).toFloatVector(), "a b, repetition " + rep);
            assertArrayEquals(atab, a.transpose().mmul(a.mmul(b)).reshape(-1).toFloatVector(), "a' a b, " + rep);
            assertArrayEquals(av, a.mmul(v).reshape(-1).toFloatVector(), "a v, repetition " + rep);
        }
    }
}
