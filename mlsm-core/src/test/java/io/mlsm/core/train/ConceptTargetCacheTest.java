package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.Sequences;
import io.mlsm.models.DebertaModel;
import io.mlsm.sparse.CompactTargets;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.SparseTargets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The concept-target cache against the on-the-fly {@link ConceptTargets} on a tiny random teacher and dictionary:
 * equal targets for MLM and LSM batches (topN = k), the top-n truncation, zero rows, a round trip through segmented
 * memory maps, and rejection of truncated, corrupt and stale files with no partial file left by a failed build.
 */
class ConceptTargetCacheTest {

    static final int K = 24;
    static final int BUILD_BATCH = 8;
    /** Float rounding between a teacher pass over one batch composition and another (padding, batch mates). */
    static final double ACROSS_BATCHES = 2e-5;
    /** Same batch composition: identical hidden states; only the ℓ1 division rounds differently. */
    static final double SAME_BATCHES = 1e-6;

    @TempDir
    static Path dir;
    static Sequences sequences;
    static DebertaModel teacher;
    static Dictionary dictionary;
    static NonNegativeFista solver;
    static ConceptTargets onTheFly;
    static ConceptTargetCache full;
    static ConceptTargetCache.Fingerprints fingerprints;

    static NonNegativeFista solver(Dictionary d, double lambda) {
        return NonNegativeFista.builder(d).options(NonNegativeFista.Options.reference(lambda)).build();
    }

    @BeforeAll
    static void buildCache() throws IOException {
        sequences = SyntheticTask.sequences(36, 16, 5);
        teacher = DebertaModel.initialize(SyntheticTask.config(), 9);
        int h = teacher.config().hiddenSize();
        dictionary = Dictionary.of(Dictionary.randomUnitAtoms(h, K, 13, DataType.FLOAT),
                DictionaryProvenance.of(LAMBDA, K, h, "random unit atoms"));
        solver = solver(dictionary, LAMBDA);
        onTheFly = new ConceptTargets(teacher, -1, dictionary, solver);
        full = ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).teacher(teacher, -1).solver(solver)
                .topN(K).batchSize(BUILD_BATCH).build(dir.resolve("full" + ConceptTargetCache.EXTENSION));
        fingerprints = ConceptTargetCache.Fingerprints.of(teacher, -1, solver, sequences);
    }

    static final double LAMBDA = 0.2;

    static BatchStream stream(Masking masking, boolean shuffle, int batchSize) {
        return BatchStream.builder(sequences, SyntheticTask.SPECIALS, SyntheticTask.VOCAB).batchSize(batchSize)
                .masking(masking).shuffle(shuffle).seed(21).dropLast(false).build();
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertArrayEquals(a.shape(), b.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    static void assertRowsAreDistributionsOrZero(INDArray p) {
        INDArray sums = p.sum(1);
        for (int r = 0; r < p.rows(); r++) {
            double s = sums.getDouble(r);
            assertTrue(s == 0 || Math.abs(s - 1) < 1e-5, "row " + r + " sums to " + s);
        }
    }

    @Test
    void cachedTargetsEqualOnTheFlyTargetsForMlmAndLsmBatches() {
        CachedConceptTargets cached = new CachedConceptTargets(full);
        int zeroRows = 0;
        int rows = 0;
        for (Masking m : List.of(Masking.mlm(), Masking.bert(), Masking.lsm(), Masking.lsm15())) {
            BatchStream s = stream(m, true, 6);
            for (long i = 0; i < 4; i++) {
                Batch b = s.batch(i);
                INDArray expected = onTheFly.distributions(b);                                 // [N, k]
                INDArray got = Nd4j.createFromArray(cached.denseTargets(b)).reshape(b.targetCount(), K);
                assertEquals(DataType.FLOAT, got.dataType());
                double diff = maxAbsDiff(expected, got);
                assertTrue(diff <= ACROSS_BATCHES, m + " batch " + i + ": max |cached - on the fly| = " + diff);
                assertRowsAreDistributionsOrZero(got);
                INDArray gotSums = got.sum(1);
                INDArray expSums = expected.sum(1);
                for (int r = 0; r < got.rows(); r++) {
                    assertEquals(expSums.getDouble(r) == 0, gotSums.getDouble(r) == 0, "zero row " + r + " differs");
                    zeroRows += gotSums.getDouble(r) == 0 ? 1 : 0;
                    rows++;
                }
                assertClose(expected, cached.attach(b, onTheFlyBase(b)).target(io.mlsm.models.loss.Targets.CONCEPTS), ACROSS_BATCHES,
                        "attach");
            }
        }
        assertTrue(zeroRows > 0 && zeroRows < rows, "the fixture must have zero and non-zero codes: " + zeroRows
                + " zero rows of " + rows);
    }

    private static io.mlsm.models.TrainingBatch onTheFlyBase(Batch b) {
        return io.mlsm.models.TrainingBatch.of(b.inputIdsArray(DataType.INT32), b.attentionMaskArray(DataType.FLOAT),
                b.labelsArray(DataType.INT32));
    }

    private static void assertClose(INDArray expected, INDArray got, double tol, String what) {
        double d = maxAbsDiff(expected, got);
        assertTrue(d <= tol, what + ": max diff " + d);
    }

    @Test
    void sameBatchCompositionGivesTheSameTargetsToRounding() {
        CachedConceptTargets cached = new CachedConceptTargets(full);
        BatchStream s = stream(Masking.lsm(), false, BUILD_BATCH);
        for (long i = 0; i < s.batchesPerEpoch(); i++) {
            Batch b = s.batch(i);
            INDArray got = Nd4j.createFromArray(cached.denseTargets(b)).reshape(b.targetCount(), K);
            double diff = maxAbsDiff(onTheFly.distributions(b), got);
            assertTrue(diff <= SAME_BATCHES, "batch " + i + ": " + diff);
        }
    }

    @Test
    void topNKeepsTheLargestConceptRenormalised() throws IOException {
        int topN = 1;
        ConceptTargetCache top1 = ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).teacher(teacher, -1)
                .solver(solver).topN(topN).batchSize(BUILD_BATCH).build(dir.resolve("top1.mlsmtgt"));
        assertEquals(topN, top1.topN());
        CachedConceptTargets cached = new CachedConceptTargets(top1);
        BatchStream s = stream(Masking.lsm(), false, BUILD_BATCH);
        int truncated = 0;
        for (long i = 0; i < s.batchesPerEpoch(); i++) {
            Batch b = s.batch(i);
            INDArray got = Nd4j.createFromArray(cached.denseTargets(b)).reshape(b.targetCount(), K);
            // the codes the on-the-fly source computes, truncated independently by SparseTargets.compact
            INDArray full = onTheFly.distributions(b);
            INDArray expected = SparseTargets.compact(full, topN).toDense(K);
            double diff = maxAbsDiff(expected, got);
            assertTrue(diff <= SAME_BATCHES * 4, "batch " + i + ": " + diff);
            assertRowsAreDistributionsOrZero(got);
            for (int r = 0; r < got.rows(); r++) {
                long nz = Arrays.stream(got.getRow(r).toDoubleVector()).filter(v -> v != 0).count();
                assertTrue(nz <= topN);
                long fullNz = Arrays.stream(full.getRow(r).toDoubleVector()).filter(v -> v != 0).count();
                truncated += fullNz > topN ? 1 : 0;
            }
        }
        assertTrue(truncated > 0, "some codes must have more than " + topN + " non-zeros for this test to bite");
    }

    @Test
    void specialTokensAndZeroCodesAreZeroRows() {
        for (int i = 0; i < sequences.size(); i++) {
            int[] ids = sequences.get(i);
            for (int t = 0; t < ids.length; t++) {
                CompactTargets row = full.row(i, t);
                if (SyntheticTask.SPECIALS.isSpecial(ids[t])) {
                    assertTrue(row.zeroRows()[0], "special token " + ids[t] + " at " + i + "/" + t);
                    for (int s = 0; s < K; s++) {
                        assertEquals(-1, row.index(0, s));
                        assertEquals(0f, row.value(0, s));
                    }
                } else if (!row.zeroRows()[0]) {
                    double sum = 0;
                    for (int s = 0; s < K; s++) {
                        sum += row.value(0, s);
                        if (s > 0) {
                            assertTrue(row.value(0, s) <= row.value(0, s - 1), "sorted by decreasing value");
                        }
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
        }
    }

    @Test
    void roundTripThroughSegmentedMapsIsExact() throws IOException {
        ConceptTargetCache segmented = ConceptTargetCache.open(full.file(), sequences, fingerprints,
                3L * 8 * K);                                  // 3 records per segment
        assertTrue(segmented.segmentCount() > 100, "segments: " + segmented.segmentCount());
        assertEquals(1, full.segmentCount());
        assertEquals(sequences.tokenCount(), segmented.tokenCount());
        assertEquals(sequences.size(), segmented.sequenceCount());
        assertEquals(K, segmented.k());
        assertEquals(fingerprints, segmented.fingerprints());
        for (int i = 0; i < sequences.size(); i++) {
            for (int t = 0; t < sequences.length(i); t++) {
                assertEquals(full.row(i, t), segmented.row(i, t), i + "/" + t);
            }
        }
        CachedConceptTargets a = new CachedConceptTargets(full);
        CachedConceptTargets b = new CachedConceptTargets(segmented);
        Batch batch = stream(Masking.lsm(), true, 7).batch(2);
        assertArrayEquals(a.denseTargets(batch), b.denseTargets(batch));
        segmented.verify();
        full.verify();
    }

    private Path copy(String name) throws IOException {
        return Files.copy(full.file(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String openFails(Path file, Sequences seqs, ConceptTargetCache.Fingerprints fp) {
        return assertThrows(IllegalArgumentException.class, () -> ConceptTargetCache.open(file, seqs, fp))
                .getMessage();
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int v = f.read();
            f.seek(at);
            f.write(v ^ 0x5A);
        }
    }

    @Test
    void truncatedAndCorruptFilesAreRejectedByName() throws IOException {
        Path truncated = copy("truncated.mlsmtgt");
        try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
            f.setLength(f.length() - 4);
        }
        String m = openFails(truncated, sequences, fingerprints);
        assertTrue(m.contains("truncated") && m.contains(truncated.toString()), m);

        Path stub = dir.resolve("stub.mlsmtgt");
        Files.write(stub, new byte[20]);
        m = openFails(stub, sequences, fingerprints);
        assertTrue(m.contains("truncated") && m.contains("header"), m);

        Path magic = copy("magic.mlsmtgt");
        flipByte(magic, 0);
        m = openFails(magic, sequences, fingerprints);
        assertTrue(m.contains("wrong magic"), m);

        Path header = copy("header.mlsmtgt");
        flipByte(header, 40);                                  // inside the teacher fingerprint
        m = openFails(header, sequences, fingerprints);
        assertTrue(m.contains("corrupt header"), m);

        Path data = copy("data.mlsmtgt");
        flipByte(data, ConceptTargetCache.HEADER_BYTES + 8L * K * 5 + 3);
        ConceptTargetCache opened = ConceptTargetCache.open(data, sequences, fingerprints);
        m = assertThrows(IllegalArgumentException.class, opened::verify).getMessage();
        assertTrue(m.contains("corrupt data"), m);
    }

    @Test
    void staleCachesNameWhatChanged() {
        DebertaModel otherTeacher = DebertaModel.initialize(SyntheticTask.config(), 10);
        String m = openFails(full.file(), sequences,
                ConceptTargetCache.Fingerprints.of(otherTeacher, -1, solver, sequences));
        assertTrue(m.contains("stale") && m.contains("teacher") && !m.contains("corpus"), m);
        m = openFails(full.file(), sequences, ConceptTargetCache.Fingerprints.of(teacher, 1, solver, sequences));
        assertTrue(m.contains("teacher"), "another layer: " + m);
        m = openFails(full.file(), sequences,
                ConceptTargetCache.Fingerprints.of(teacher, -1, solver(dictionary, 0.1), sequences));
        assertTrue(m.contains("coder") && !m.contains("teacher"), m);

        Sequences fewer = SyntheticTask.sequences(35, 16, 5);
        m = openFails(full.file(), fewer, fingerprints);
        assertTrue(m.contains("sequence count mismatch") && m.contains("36") && m.contains("35"), m);

        Sequences other = SyntheticTask.sequences(36, 16, 6);
        m = openFails(full.file(), other, ConceptTargetCache.Fingerprints.of(teacher, -1, solver, other));
        assertTrue(m.contains("corpus") || m.contains("token count mismatch"), m);
        // same ids per sequence, so token counts match, but one id changed: only the corpus fingerprint notices
        List<int[]> changed = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            changed.add(sequences.get(i));
        }
        changed.get(3)[2] = changed.get(3)[2] == 7 ? 8 : 7;
        Sequences edited = Sequences.of(changed);
        m = openFails(full.file(), edited, ConceptTargetCache.Fingerprints.of(teacher, -1, solver, edited));
        assertTrue(m.contains("corpus") && !m.contains("teacher") && !m.contains("coder"), m);
    }

    @Test
    void failedBuildLeavesNoPartialFileAndKeepsAnOldOne() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("failing"));
        Path target = sub.resolve("t.mlsmtgt");
        ConceptTargetCache.Builder failing = ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS)
                .teacher(teacher, -1).solver(solver).topN(4).batchSize(BUILD_BATCH)
                .listener((done, total, tokens) -> {
                    if (done >= 2 * BUILD_BATCH) {
                        throw new IllegalStateException("interrupted at " + done);
                    }
                });
        assertThrows(IllegalStateException.class, () -> failing.build(target));
        try (Stream<Path> s = Files.list(sub)) {
            assertEquals(List.of(), s.toList(), "nothing may be left behind");
        }
        ConceptTargetCache good = ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).teacher(teacher, -1)
                .solver(solver).topN(4).batchSize(BUILD_BATCH).build(target);
        byte[] before = Files.readAllBytes(target);
        assertThrows(IllegalStateException.class, () -> failing.build(target));
        assertArrayEquals(before, Files.readAllBytes(target), "a failed rebuild must keep the old cache");
        try (Stream<Path> s = Files.list(sub)) {
            assertEquals(1, s.count());
        }
        good.verify();
    }

    @Test
    void badInputsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).topN(0));
        String m = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).solver(solver)
                        .build(dir.resolve("x.mlsmtgt"))).getMessage();
        assertTrue(m.contains("teacher"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).teacher(teacher, 7)
                        .solver(solver).build(dir.resolve("x.mlsmtgt"))).getMessage();
        assertTrue(m.contains("layer 7"), m);
        assertFalse(Files.exists(dir.resolve("x.mlsmtgt")));
    }
}
