package io.mlsm.sparse;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonNegativeCoordinateDescentTest {

    static final double LAMBDA = 0.05;
    static PlantedData planted;
    static Dictionary dict;
    /** Float64 reference: FISTA with restart run to a relative change of 1e-13 (its KKT is checked in the FISTA test). */
    static SparseCodes reference;

    @BeforeAll
    static void setUp() {
        planted = PlantedData.make(300, 48, 96, 4, 0.01, 11, DataType.DOUBLE);
        dict = PlantedData.dictionary(planted.atoms(), LAMBDA);
        reference = NonNegativeFista.builder(dict).dataType(DataType.DOUBLE).maxIterations(5000).tolerance(1e-13)
                .adaptiveRestart(true).build().solve(planted.data());
    }

    /** Largest KKT deviation of {@code codes} in float64: |∇_j + λ| on the support, max(0, −(∇_j + λ)) off it. */
    static double worstKkt(INDArray h, INDArray codes, INDArray atoms, double lambda) {
        INDArray a = codes.castTo(DataType.DOUBLE);
        INDArray d = atoms.castTo(DataType.DOUBLE);
        INDArray grad = a.mmul(d.transpose().mmul(d)).subi(h.castTo(DataType.DOUBLE).mmul(d));   // [n, k]
        double[] g = grad.data().asDouble();
        double[] v = a.data().asDouble();
        double worst = 0;
        for (int i = 0; i < v.length; i++) {
            assertTrue(v[i] >= 0, "negative code " + v[i]);
            worst = Math.max(worst, v[i] > 0 ? Math.abs(g[i] + lambda) : -(g[i] + lambda));
        }
        return worst;
    }

    @Test
    void matchesTheFloat64ReferenceObjectiveAndKkt() {
        SparseCodes r = NonNegativeCoordinateDescent.builder(dict).build().solve(planted.data().castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, r.codes().dataType());
        double[] f = PlantedData.objective(planted.data(), r.codes(), planted.atoms(), LAMBDA);
        for (int i = 0; i < f.length; i++) {
            double rel = Math.abs(f[i] - reference.objective()[i]) / reference.objective()[i];
            assertTrue(rel < 1e-5, "row " + i + ": objective " + f[i] + " vs reference " + reference.objective()[i]);
            assertEquals(f[i], r.objective()[i], 1e-5 * f[i], "reported objective of row " + i);
        }
        // float32 correlations: KKT holds to float precision, far inside λ
        double worst = worstKkt(planted.data(), r.codes(), planted.atoms(), LAMBDA);
        assertTrue(worst < 1e-4, "KKT deviation " + worst);
        // the support is the reference's
        assertEquals(reference.codes().gt(1e-6).castTo(DataType.INT), r.codes().gt(1e-6).castTo(DataType.INT));
    }

    @Test
    void solvesNonNegativeLeastSquaresWhenLambdaIsZero() {
        // λ = 0: NNLS, a dense-ish support; the reference is FISTA in float64 to a tight tolerance
        PlantedData p = PlantedData.make(40, 32, 24, 6, 0.05, 5, DataType.DOUBLE);
        Dictionary d0 = PlantedData.dictionary(p.atoms(), 0.0);
        SparseCodes ref = NonNegativeFista.builder(d0).lambda(0).dataType(DataType.DOUBLE).maxIterations(20000)
                .tolerance(1e-14).build().solve(p.data());
        SparseCodes r = NonNegativeCoordinateDescent.builder(d0).lambda(0).tolerance(1e-7).build().solve(p.data());
        double[] f = PlantedData.objective(p.data(), r.codes(), p.atoms(), 0.0);
        double[] half = p.data().mul(p.data()).sum(1).muli(0.5).toDoubleVector();
        for (int i = 0; i < r.rows(); i++) {
            assertEquals(ref.objective()[i], f[i], 1e-5 * ref.objective()[i] + 1e-9, "row " + i);
            // the reported objective comes from the float32 Gram form: accurate relative to ½‖h‖²
            assertEquals(f[i], r.objective()[i], 1e-6 * half[i], "reported objective of row " + i);
        }
        assertTrue(worstKkt(p.data(), r.codes(), p.atoms(), 0.0) < 1e-4);
    }

    @Test
    void resultDoesNotDependOnThreadsAndChunksOnlyRound() {
        INDArray h = planted.data().castTo(DataType.FLOAT);
        SparseCodes one = NonNegativeCoordinateDescent.builder(dict).threads(1).build().solve(h);
        SparseCodes many = NonNegativeCoordinateDescent.builder(dict).threads(3).build().solve(h);
        assertArrayEquals(one.codes().data().asFloat(), many.codes().data().asFloat(), 0f);
        assertArrayEquals(one.objective(), many.objective(), 0.0);
        assertArrayEquals(one.iterations(), many.iterations());
        // another chunking changes only the rounding of the correlation GEMM
        SparseCodes chunked = NonNegativeCoordinateDescent.builder(dict).chunkRows(70).build().solve(h);
        assertArrayEquals(one.codes().data().asFloat(), chunked.codes().data().asFloat(), 1e-5f);
        assertArrayEquals(one.objective(), chunked.objective(), 1e-6);
    }

    @Test
    void warmStartFromTheSolutionNeedsOneSweepPerRow() {
        NonNegativeCoordinateDescent cd = NonNegativeCoordinateDescent.builder(dict).dataType(DataType.DOUBLE).build();
        SparseCodes cold = cd.solve(planted.data());
        SparseCodes warm = cd.solve(planted.data(), cold.codes());
        assertTrue(warm.maxIterations() <= 2, "warm start took " + warm.maxIterations() + " sweeps");
        assertTrue(cold.meanIterations() > warm.meanIterations());
        assertArrayEquals(cold.objective(), warm.objective(), 1e-6);
        // a warm start far from the optimum (every atom on) still reaches it
        SparseCodes dense = cd.solve(planted.data(), Nd4j.ones(DataType.DOUBLE, 300, 96));
        for (int i = 0; i < dense.rows(); i++) {
            assertEquals(cold.objective()[i], dense.objective()[i], 1e-5 * cold.objective()[i]);
        }
    }

    @Test
    void zeroRowsZeroAtomsAndHugeLambdaGiveZeroCodes() {
        SparseCodes r = NonNegativeCoordinateDescent.builder(dict).lambda(100).build().solve(planted.data());
        assertEquals(0.0, r.codes().sumNumber().doubleValue());
        double[] half = planted.data().mul(planted.data()).sum(1).muli(0.5).toDoubleVector();
        assertArrayEquals(half, r.objective(), 1e-5);

        INDArray atoms = planted.atoms().dup();
        atoms.getColumn(7).assign(0);                                   // a dead atom is never used
        Dictionary withDead = PlantedData.dictionary(atoms, LAMBDA);
        INDArray h = planted.data().dup();
        h.getRow(3).assign(0);
        SparseCodes z = NonNegativeCoordinateDescent.builder(withDead).build().solve(h);
        assertEquals(0.0, z.codes().getColumn(7).sumNumber().doubleValue());
        assertEquals(0.0, z.codes().getRow(3).sumNumber().doubleValue());
        assertEquals(0.0, z.objective()[3]);
    }

    @Test
    void normalisationEqualsSolvingNormalisedRows() {
        INDArray h = planted.data().castTo(DataType.FLOAT);
        INDArray unit = h.divColumnVector(h.norm2(1).reshape(h.rows(), 1));
        SparseCodes viaOption = NonNegativeCoordinateDescent.builder(dict).normaliseInput(true).build().solve(h);
        SparseCodes direct = NonNegativeCoordinateDescent.builder(dict).build().solve(unit);
        assertTrue(viaOption.codes().equalsWithEps(direct.codes(), 1e-5));
    }

    @Test
    void agreesWithFistaThroughTheCommonInterface() {
        INDArray h = planted.data().castTo(DataType.FLOAT);
        NonNegativeLassoSolver[] solvers = {
            NonNegativeFista.builder(dict).tolerance(1e-7).maxIterations(3000).build(),
            NonNegativeCoordinateDescent.builder(dict).build()};
        double[] means = new double[2];
        for (int s = 0; s < 2; s++) {
            assertEquals(LAMBDA, solvers[s].lambda());
            assertEquals(dict, solvers[s].dictionary());
            means[s] = solvers[s].solve(h).meanObjective();
        }
        assertEquals(means[0], means[1], 1e-5 * means[0]);
    }

    @Test
    void rejectsBadInput() {
        NonNegativeCoordinateDescent cd = NonNegativeCoordinateDescent.builder(dict).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cd.solve(Nd4j.rand(DataType.FLOAT, 4, 47)));
        assertTrue(e.getMessage().contains("dimension mismatch") && e.getMessage().contains("48"), e.getMessage());
        INDArray nan = Nd4j.rand(DataType.FLOAT, 4, 48);
        nan.putScalar(2, 5, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> cd.solve(nan));
        assertTrue(e.getMessage().contains("NaN/Inf"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cd.solve(Nd4j.create(DataType.FLOAT, 0, 48)));
        assertTrue(e.getMessage().contains("empty batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cd.solve(Nd4j.rand(DataType.FLOAT, 4, 48), Nd4j.rand(DataType.FLOAT, 3, 96)));
        assertTrue(e.getMessage().contains("warm start"), e.getMessage());
        // codes of 2.1M rows × 1024 atoms would not fit one buffer: a clear error, not an overflow
        Dictionary wide = PlantedData.dictionary(Nd4j.ones(DataType.FLOAT, 1, 1024), LAMBDA);
        e = assertThrows(IllegalArgumentException.class, () -> NonNegativeCoordinateDescent.builder(wide).build()
                .solve(Nd4j.ones(DataType.FLOAT, 2_100_000, 1)));
        assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("batches"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NonNegativeCoordinateDescent.builder(dict).lambda(-0.1).build());
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NonNegativeCoordinateDescent.builder(dict).tolerance(0).build());
        assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NonNegativeCoordinateDescent.builder(dict).threads(0).build());
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NonNegativeCoordinateDescent.builder(dict).dataType(DataType.HALF).build());
        assertTrue(e.getMessage().contains("FLOAT or DOUBLE"), e.getMessage());
    }

    @Test
    void doesNotModifyItsInput() {
        INDArray h = planted.data().castTo(DataType.FLOAT);
        INDArray copy = h.dup();
        NonNegativeCoordinateDescent.builder(dict).normaliseInput(true).build().solve(h);
        assertEquals(copy, h);
        INDArray sub = h.get(NDArrayIndex.interval(10, 20), NDArrayIndex.all());
        SparseCodes r = NonNegativeCoordinateDescent.builder(dict).build().solve(sub);
        assertEquals(10, r.rows());
        // a row view is read in place (offset into the shared buffer): same result as its copy
        SparseCodes ofCopy = NonNegativeCoordinateDescent.builder(dict).build().solve(sub.dup());
        assertArrayEquals(ofCopy.objective(), r.objective(), 0.0);
        assertEquals(ofCopy.codes(), r.codes());
        // a column-major input is converted, not misread
        SparseCodes fortran = NonNegativeCoordinateDescent.builder(dict).build().solve(h.dup('f'));
        SparseCodes whole = NonNegativeCoordinateDescent.builder(dict).build().solve(h);
        assertArrayEquals(whole.objective(), fortran.objective(), 1e-9);
    }
}
