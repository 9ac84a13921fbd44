package io.mlsm.sparse;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnlineDictionaryLearnerTest {

    static final double LAMBDA = 0.05;
    static PlantedData planted;

    @BeforeAll
    static void setUp() {
        // small, well-posed: 16 non-negative-coded atoms in dimension 32, 3 atoms per row
        planted = PlantedData.make(4000, 32, 16, 3, 0.01, 21, DataType.FLOAT);
    }

    private static List<INDArray> batches(INDArray data, int size) {
        List<INDArray> out = new ArrayList<>();
        for (long r = 0; r < data.rows(); r += size) {
            out.add(data.get(NDArrayIndex.interval(r, Math.min(data.rows(), r + size)), NDArrayIndex.all()).dup());
        }
        return out;
    }

    /** Best |cosine| of every planted atom against the learned atoms. */
    private static double[] bestCosines(INDArray plantedAtoms, INDArray learned) {
        INDArray p = plantedAtoms.castTo(DataType.DOUBLE);
        INDArray l = learned.castTo(DataType.DOUBLE);
        INDArray ln = l.divRowVector(l.norm2(0).addi(1e-12));
        INDArray cos = p.transpose().mmul(ln);                                      // [k0, k]
        return cos.max(1).toDoubleVector();
    }

    @ParameterizedTest
    @EnumSource(OnlineDictionaryLearner.CodeSolver.class)
    void recoversPlantedAtomsAndApproachesThePlantedObjective(OnlineDictionaryLearner.CodeSolver codeSolver) {
        List<LearningProgress> progress = new ArrayList<>();
        List<float[]> snapshots = new ArrayList<>();
        OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(16).lambda(LAMBDA).batchSize(100)
                .maxIterations(0).passes(4).normaliseInput(false).seed(7).dataDescription("planted").codeIterations(50)
                .codeSolver(codeSolver).listener(progress::add).logEvery(0).build();
        learner.observeAtoms(snapshots::add);
        Dictionary dict = learner.fit(planted.data());

        double[] best = bestCosines(planted.atoms(), dict.atoms());
        long recovered = java.util.Arrays.stream(best).filter(c -> c > 0.9).count();
        assertTrue(recovered >= 15, "recovered " + recovered + "/16 atoms, cosines " + java.util.Arrays.toString(best));

        NonNegativeFista.Builder solver = NonNegativeFista.builder(dict).tolerance(1e-6).maxIterations(500);
        double learnedObjective = solver.build().solve(planted.data()).meanObjective();
        double plantedObjective = NonNegativeFista.builder(PlantedData.dictionary(planted.atoms(), LAMBDA))
                .tolerance(1e-6).maxIterations(500).build().solve(planted.data()).meanObjective();
        double initialObjective = progress.get(0).batchObjective();             // data-initialised dictionary
        assertTrue(learnedObjective < plantedObjective * 1.10, "learned objective " + learnedObjective
                + " vs planted " + plantedObjective);
        assertTrue(learnedObjective - plantedObjective < 0.2 * (initialObjective - plantedObjective),
                "learning should close most of the gap: initial " + initialObjective + ", learned "
                        + learnedObjective + ", planted " + plantedObjective);

        assertEquals(160, progress.size(), "4 passes of 40 batches");
        assertEquals(4, progress.get(159).pass());
        assertEquals(16_000, progress.get(159).rowsSeen());
        assertTrue(progress.get(159).batchObjective() < progress.get(0).batchObjective(), "objective should fall");
        assertEquals(160, dict.provenance().iterations());
        assertEquals(16_000, dict.provenance().rowsSeen());
        assertEquals(7, dict.provenance().seed());
        assertEquals("planted", dict.provenance().data());
        assertEquals(codeSolver.name(), dict.provenance().attributes().get("codeSolver"));

        // constraint after every update: ‖d_j‖ ≤ 1
        for (float[] atoms : snapshots) {
            for (int j = 0; j < 16; j++) {
                double n2 = 0;
                for (int i = 0; i < 32; i++) {
                    n2 += (double) atoms[j * 32 + i] * atoms[j * 32 + i];
                }
                assertTrue(n2 <= 1 + 1e-5, "atom " + j + " norm² " + n2);
            }
        }
    }

    @Test
    void nonNegativeAtomsStayNonNegativeAndInTheBall() {
        List<float[]> snapshots = new ArrayList<>();
        OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(12).lambda(LAMBDA).batchSize(64)
                .maxIterations(10).codeIterations(30).nonNegativeAtoms(true).initialisation(OnlineDictionaryLearner.Initialisation.RANDOM)
                .seed(3).logEvery(0).build();
        learner.observeAtoms(snapshots::add);
        Dictionary dict = learner.fit(batches(planted.data(), 64).iterator());
        assertEquals(10, snapshots.size());
        for (float[] atoms : snapshots) {
            for (int j = 0; j < 12; j++) {
                double n2 = 0;
                for (int i = 0; i < 32; i++) {
                    float v = atoms[j * 32 + i];
                    assertTrue(v >= 0, "negative entry in atom " + j);
                    n2 += (double) v * v;
                }
                assertTrue(n2 <= 1 + 1e-5, "atom " + j + " norm² " + n2);
            }
        }
        assertTrue(dict.atoms().minNumber().doubleValue() >= 0);
        assertEquals(10, dict.provenance().iterations());
    }

    @Test
    void sameSeedSameDictionaryAndStreamingReadsOneBatchAtATime() {
        List<INDArray> list = batches(planted.data().get(NDArrayIndex.interval(0, 600), NDArrayIndex.all()), 100);
        int[] pulled = {0};
        Iterator<INDArray> counting = new Iterator<>() {
            final Iterator<INDArray> it = list.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public INDArray next() {
                pulled[0]++;
                return it.next();
            }
        };
        OnlineDictionaryLearner.Builder b = OnlineDictionaryLearner.builder().atoms(16).lambda(LAMBDA).batchSize(100)
                .maxIterations(0).seed(5).codeIterations(30).logEvery(0);
        Dictionary a = b.build().fit(counting);
        assertEquals(6, pulled[0]);
        Dictionary again = b.build().fit(list.iterator());
        assertTrue(a.sameAtoms(again), "same seed and data must give the same dictionary");
        Dictionary other = b.seed(6).build().fit(list.iterator());
        assertTrue(!a.sameAtoms(other), "another seed should change the initialisation");
    }

    @Test
    void maxIterationsStopsAndLargeBatchesAreSplit() {
        List<LearningProgress> progress = new ArrayList<>();
        Dictionary d = OnlineDictionaryLearner.builder().atoms(8).batchSize(50).maxIterations(7).logEvery(0)
                .listener(progress::add).build().fit(List.of(planted.data()));            // one [4000, 32] batch
        assertEquals(7, progress.size());
        assertEquals(350, progress.get(6).rowsSeen());
        assertTrue(planted.data().rows() > 350, "the single input batch was larger than the batch size");
        assertEquals(7, d.provenance().iterations());
    }

    @Test
    void forgettingTheFirstBatchesLowersTheObjectiveOfOnePass() {
        // harder than the recovery case: 48 atoms in dimension 40, 5 per row, one pass of 60 small batches; the
        // data-initialised dictionary codes the first batches badly, and with the 2009 weights (ρ = 0) those
        // statistics keep their weight for the whole pass
        PlantedData p = PlantedData.make(3000, 40, 48, 5, 0.01, 4, DataType.FLOAT);
        double[] objective = new double[2];
        double[] rho = {0, 4};
        for (int i = 0; i < 2; i++) {
            Dictionary d = OnlineDictionaryLearner.builder().atoms(48).lambda(LAMBDA).batchSize(50).maxIterations(0)
                    .normaliseInput(false).seed(9).forgetting(rho[i]).logEvery(0).build()
                    .fit(batches(p.data(), 50).iterator());
            assertEquals(Double.toString(rho[i]), d.provenance().attributes().get("forgetting"));
            objective[i] = NonNegativeCoordinateDescent.builder(d).lambda(LAMBDA).build().solve(p.data())
                    .meanObjective();
        }
        double planted48 = NonNegativeCoordinateDescent.builder(PlantedData.dictionary(p.atoms(), LAMBDA)).build()
                .solve(p.data()).meanObjective();
        assertTrue(objective[1] < objective[0], "rho 4 " + objective[1] + " vs rho 0 " + objective[0]);
        assertTrue(objective[1] - planted48 < 0.5 * (objective[0] - planted48), "gap to the planted objective "
                + planted48 + ": rho 4 " + objective[1] + ", rho 0 " + objective[0]);
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnlineDictionaryLearner.builder().atoms(0).build());
        assertTrue(e.getMessage().contains("atoms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnlineDictionaryLearner.builder().lambda(-1).build());
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnlineDictionaryLearner.builder().forgetting(-1).build());
        assertTrue(e.getMessage().contains("forgetting"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnlineDictionaryLearner.builder().threads(0).build());
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnlineDictionaryLearner.builder().codeTolerance(0)
                .build());
        assertTrue(e.getMessage().contains("codeTolerance") && e.getMessage().contains("coordinate descent"),
                e.getMessage());
        OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(4).batchSize(10).logEvery(0).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> learner.fit(Collections.<INDArray>emptyList().iterator()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> learner.fit(List.of(Nd4j.rand(DataType.FLOAT, 20, 8), Nd4j.rand(DataType.FLOAT, 20, 9)).iterator()));
        assertTrue(e.getMessage().contains("dimension mismatch"), e.getMessage());
        INDArray nan = Nd4j.rand(DataType.FLOAT, 20, 8);
        nan.putScalar(3, 3, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> learner.fit(List.of(nan).iterator()));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> learner.fit(List.of(Nd4j.rand(DataType.FLOAT, 20, 8), Nd4j.create(DataType.FLOAT, 0, 8))
                        .iterator()));
        assertTrue(e.getMessage().contains("empty batch"), e.getMessage());
    }
}
