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

    /** Mean over the planted atoms of the best |cosine| against the learned atoms. */
    private static double meanBestCosine(INDArray plantedAtoms, INDArray learned) {
        return java.util.Arrays.stream(bestCosines(plantedAtoms, learned)).average().orElseThrow();
    }

    private static double objective(Dictionary d, INDArray data) {
        return NonNegativeCoordinateDescent.builder(d).lambda(LAMBDA).build().solve(data).meanObjective();
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
        // ρ = 4 (the default before 0.x): with the reference's ρ = 0 these 160 updates recover only 11/16 atoms
        OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(16).lambda(LAMBDA).batchSize(100)
                .maxIterations(0).passes(4).normaliseInput(false).seed(7).dataDescription("planted").codeIterations(50)
                .forgetting(4).codeSolver(codeSolver).listener(progress::add).logEvery(0).build();
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
        // statistics keep their weight for the whole pass. Measured for docs/sparse.md ("Forgetting"), streamed in
        // the given order and as a shuffled whole sample.
        PlantedData p = PlantedData.make(3000, 40, 48, 5, 0.01, 4, DataType.FLOAT);
        double[] rho = {0, 4};
        double[][] objective = new double[2][2];                              // [streamed | whole sample][ρ]
        for (int i = 0; i < 2; i++) {
            OnlineDictionaryLearner.Builder b = OnlineDictionaryLearner.builder().atoms(48).lambda(LAMBDA).batchSize(50)
                    .maxIterations(0).normaliseInput(false).seed(9).forgetting(rho[i]).logEvery(0);
            Dictionary streamed = b.build().fit(batches(p.data(), 50).iterator());
            Dictionary whole = b.build().fit(p.data());
            assertEquals(Double.toString(rho[i]), streamed.provenance().attributes().get("forgetting"));
            assertEquals(Double.toString(rho[i]), whole.provenance().attributes().get("forgetting"));
            objective[0][i] = objective(streamed, p.data());
            objective[1][i] = objective(whole, p.data());
        }
        double planted48 = objective(PlantedData.dictionary(p.atoms(), LAMBDA), p.data());
        System.out.printf("forgetting, one pass, 48 planted atoms: objective streamed rho 0 %.5f, rho 4 %.5f; "
                + "whole sample rho 0 %.5f, rho 4 %.5f; planted %.5f%n", objective[0][0], objective[0][1],
                objective[1][0], objective[1][1], planted48);
        for (double[] o : objective) {
            assertTrue(o[1] < o[0], "rho 4 " + o[1] + " vs rho 0 " + o[0]);
            assertTrue(o[1] - planted48 < 0.5 * (o[0] - planted48), "gap to the planted objective "
                    + planted48 + ": rho 4 " + o[1] + ", rho 0 " + o[0]);
        }
    }

    @Test
    void shuffledWholeSampleRecoversTheAtomsOfAnOrderedSampleAndBeatsItsOrder() {
        // 32 atoms in 4 groups of 8; rows come group after group (1000 rows each, 2 atoms of the group per row), so
        // consecutive rows share a few atoms, as the tokens of one document do
        PlantedData g = PlantedData.grouped(4000, 32, 32, 4, 2, 0.01, 33);
        OnlineDictionaryLearner.Builder b = OnlineDictionaryLearner.builder().atoms(32).lambda(LAMBDA).batchSize(100)
                .maxIterations(0).passes(4).normaliseInput(false).seed(7).logEvery(0);       // default ρ = 0
        Dictionary shuffled = b.build().fit(g.data());                 // seeded permutation of all rows, every pass
        Dictionary inOrder = b.build().fit(batches(g.data(), 100));    // consecutive rows, atoms from the first rows
        double cosShuffled = meanBestCosine(g.atoms(), shuffled.atoms());
        double cosInOrder = meanBestCosine(g.atoms(), inOrder.atoms());
        double objShuffled = objective(shuffled, g.data());
        double objInOrder = objective(inOrder, g.data());
        double objPlanted = objective(PlantedData.dictionary(g.atoms(), LAMBDA), g.data());
        Dictionary shuffledRho4 = b.forgetting(4).build().fit(g.data());                  // for docs/sparse.md only
        System.out.printf("ordered planted sample, 4 passes, rho 0: mean best cosine shuffled %.4f, in order %.4f; "
                + "objective shuffled %.5f, in order %.5f, planted %.5f; shuffled with rho 4: cosine %.4f, "
                + "objective %.5f%n", cosShuffled, cosInOrder, objShuffled, objInOrder, objPlanted,
                meanBestCosine(g.atoms(), shuffledRho4.atoms()), objective(shuffledRho4, g.data()));
        assertTrue(cosShuffled > 0.95, "shuffled whole sample: mean best cosine " + cosShuffled);
        assertTrue(cosShuffled > cosInOrder + 0.03, "shuffled " + cosShuffled + " vs in order " + cosInOrder);
        assertTrue(objShuffled < objPlanted * 1.10, "shuffled objective " + objShuffled + " vs planted " + objPlanted);
        assertTrue(objInOrder - objPlanted > 2 * (objShuffled - objPlanted), "gap to the planted objective "
                + objPlanted + ": shuffled " + objShuffled + ", in order " + objInOrder);
        assertEquals("whole sample, seeded permutation of all rows every pass",
                shuffled.provenance().attributes().get("sampling"));
        assertEquals("4000", shuffled.provenance().attributes().get("sampleRows"));
        assertEquals("FLOAT", shuffled.provenance().attributes().get("sampleType"));
        assertEquals("streamed batches, in the order given", inOrder.provenance().attributes().get("sampling"));
    }

    @Test
    void wholeSampleInitialisationDrawsDistinctRandomRowsOfTheWholeSample() {
        PlantedData g = PlantedData.grouped(4000, 32, 32, 4, 2, 0.01, 33);
        int[][] rows = new int[3][];
        long[] seeds = {7, 7, 8};
        for (int s = 0; s < 3; s++) {
            int run = s;
            OnlineDictionaryLearner learner = OnlineDictionaryLearner.builder().atoms(32).lambda(LAMBDA).batchSize(100)
                    .maxIterations(1).normaliseInput(false).seed(seeds[s]).logEvery(0).build();
            learner.observeInitialisation((r, atoms) -> {
                rows[run] = r;
                INDArray x = g.data();
                for (int j = 0; j < 32; j++) {                       // atom j = the normalised row r[j]
                    INDArray row = x.getRow(r[j]).castTo(DataType.DOUBLE);
                    row.divi(row.norm2Number());
                    for (int i = 0; i < 32; i++) {
                        assertEquals(row.getDouble(i), atoms[j * 32 + i], 1e-6, "atom " + j + " entry " + i);
                    }
                }
            });
            learner.fit(g.data());
        }
        assertEquals(32, java.util.Arrays.stream(rows[0]).distinct().count(), "distinct rows");
        assertTrue(java.util.Arrays.stream(rows[0]).allMatch(r -> r >= 0 && r < 4000));
        long groups = java.util.Arrays.stream(rows[0]).map(r -> r / 1000).distinct().count();
        assertEquals(4, groups, "rows from every part of the sample, not the first k: " + java.util.Arrays.toString(
                rows[0]));
        assertTrue(java.util.Arrays.equals(rows[0], rows[1]), "same seed, same rows");
        assertTrue(!java.util.Arrays.equals(rows[0], rows[2]), "another seed, other rows");
    }

    @Test
    void wholeSampleFitIsBitIdenticalForASeedAndAcceptsAHalfPrecisionSample() {
        PlantedData g = PlantedData.grouped(2000, 32, 16, 4, 2, 0.01, 5);
        OnlineDictionaryLearner.Builder b = OnlineDictionaryLearner.builder().atoms(16).lambda(LAMBDA).batchSize(100)
                .maxIterations(0).passes(2).normaliseInput(true).seed(11).logEvery(0);
        Dictionary a = b.build().fit(g.data());
        assertTrue(a.sameAtoms(b.build().fit(g.data())), "same seed and sample must give the same dictionary");
        assertTrue(!a.sameAtoms(b.seed(12).build().fit(g.data())), "another seed permutes and initialises otherwise");
        INDArray half = g.data().castTo(DataType.HALF);
        Dictionary h = b.seed(11).build().fit(half);
        assertEquals("HALF", h.provenance().attributes().get("sampleType"));
        assertTrue(h.sameAtoms(b.build().fit(half)), "bit-identical from a float16 sample too");
        double cosFloat = meanBestCosine(g.atoms(), a.atoms());
        double cosHalf = meanBestCosine(g.atoms(), h.atoms());
        assertEquals(cosFloat, cosHalf, 0.01, "float16 storage changes the result only by rounding");
        assertEquals(0, half.sub(g.data().castTo(DataType.HALF)).sumNumber().doubleValue(), "sample not modified");
    }

    @Test
    void forgettingDefaultsToTheReferenceValueZeroAndIsRecorded() {
        assertEquals(0.0, OnlineDictionaryLearner.builder().options().forgetting());
        Dictionary d = OnlineDictionaryLearner.builder().atoms(8).batchSize(50).maxIterations(3).logEvery(0).build()
                .fit(planted.data());
        assertEquals("0.0", d.provenance().attributes().get("forgetting"));
        Dictionary d4 = OnlineDictionaryLearner.builder().atoms(8).batchSize(50).maxIterations(3).forgetting(4)
                .logEvery(0).build().fit(planted.data());
        assertEquals("4.0", d4.provenance().attributes().get("forgetting"));
        assertTrue(!d.sameAtoms(d4), "rho changes the statistics' weights, hence the atoms");
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
