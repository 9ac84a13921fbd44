package io.mlsm.core.train;

import io.mlsm.core.data.Sequences;
import io.mlsm.models.DebertaModel;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.DictionaryProvenance;
import io.mlsm.sparse.NonNegativeFista;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shards of a target cache ({@link ConceptTargetCache.Builder#buildShard}, {@link ConceptTargetCache#assemble}):
 * shards on batch boundaries join into the whole build's bytes; a misaligned start, a missing, overlapping, stale or
 * corrupt shard is rejected, naming the shard, and leaves no cache.
 */
class ConceptTargetShardsTest {

    static final int K = 12;
    static final int BATCH = 4;

    @TempDir
    static Path dir;
    static Sequences sequences;
    static ConceptTargetCache.Builder builder;
    static ConceptTargetCache.Fingerprints fp;
    static Path whole;

    @BeforeAll
    static void build() throws IOException {
        sequences = SyntheticTask.sequences(22, 12, 3);
        DebertaModel teacher = DebertaModel.initialize(SyntheticTask.config(), 4);
        int h = teacher.config().hiddenSize();
        Dictionary d = Dictionary.of(Dictionary.randomUnitAtoms(h, K, 7, DataType.FLOAT),
                DictionaryProvenance.of(0.2, K, h, "random"));
        NonNegativeFista solver = NonNegativeFista.builder(d).options(NonNegativeFista.Options.reference(0.2)).build();
        builder = ConceptTargetCache.builder(sequences, SyntheticTask.SPECIALS).teacher(teacher, -1).solver(solver)
                .topN(6).batchSize(BATCH);
        whole = dir.resolve("whole" + ConceptTargetCache.EXTENSION);
        builder.build(whole);
        fp = ConceptTargetCache.Fingerprints.of(teacher, -1, solver, sequences);
    }

    static List<Path> shards(String name, int... starts) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            int to = i + 1 < starts.length ? starts[i + 1] : sequences.size();
            Path p = dir.resolve(name + "-" + i + ConceptTargetCache.SHARD_EXTENSION);
            ConceptTargetCache.Shard s = builder.buildShard(starts[i], to, fp, p);
            assertEquals(sequences.slice(starts[i], to).tokenCount(), s.tokens());
            out.add(p);
        }
        return out;
    }

    @Test
    void shardsOnBatchBoundariesJoinIntoTheWholeBuildsBytes() throws IOException {
        List<Path> parts = new ArrayList<>(shards("aligned", 0, 8, 12, 20));
        java.util.Collections.reverse(parts); // any order
        Path joined = dir.resolve("joined" + ConceptTargetCache.EXTENSION);
        ConceptTargetCache c = ConceptTargetCache.assemble(joined, sequences, fp, parts);
        assertEquals(-1, Files.mismatch(whole, joined));
        c.verify();
    }

    @Test
    void aShardNotStartingOnABatchBoundaryIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.buildShard(6, 12, fp, dir.resolve("odd" + ConceptTargetCache.SHARD_EXTENSION)));
        assertTrue(e.getMessage().contains("not a multiple of the batch size 4"), e.getMessage());
    }

    @Test
    void missingOverlappingStaleAndCorruptShardsAreRejectedAndNoCacheIsLeft() throws IOException {
        List<Path> parts = shards("bad", 0, 8, 16);
        Path out = dir.resolve("never" + ConceptTargetCache.EXTENSION);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.assemble(out, sequences, fp, List.of(parts.get(0), parts.get(2))));
        assertTrue(missing.getMessage().contains("sequences [8, 16) are in no shard"), missing.getMessage());
        IllegalArgumentException tail = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.assemble(out, sequences, fp, parts.subList(0, 2)));
        assertTrue(tail.getMessage().contains("cover sequences [0, 16) of 22"), tail.getMessage());
        Path overlap = dir.resolve("overlap" + ConceptTargetCache.SHARD_EXTENSION);
        builder.buildShard(4, 12, fp, overlap);
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.assemble(out, sequences, fp, List.of(parts.get(0), overlap, parts.get(1),
                        parts.get(2))));
        assertTrue(over.getMessage().contains("overlaps"), over.getMessage());
        ConceptTargetCache.Fingerprints other = new ConceptTargetCache.Fingerprints(fp.teacher(), fp.coder(),
                "0".repeat(64));
        Path stale = dir.resolve("stale" + ConceptTargetCache.SHARD_EXTENSION);
        builder.buildShard(8, 16, other, stale);
        IllegalArgumentException st = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.assemble(out, sequences, fp, List.of(parts.get(0), stale, parts.get(2))));
        assertTrue(st.getMessage().contains(stale.toString()) && st.getMessage().contains("other inputs"),
                st.getMessage());
        Path corrupt = dir.resolve("corrupt" + ConceptTargetCache.SHARD_EXTENSION);
        Files.copy(parts.get(1), corrupt);
        try (FileChannel ch = FileChannel.open(corrupt, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{0x7f, 0x7f, 0x7f, 0x7f}), Files.size(corrupt) - 4);
        }
        IllegalArgumentException cr = assertThrows(IllegalArgumentException.class,
                () -> ConceptTargetCache.assemble(out, sequences, fp, List.of(parts.get(0), corrupt, parts.get(2))));
        assertTrue(cr.getMessage().contains(corrupt.toString()) && cr.getMessage().contains("checksum"),
                cr.getMessage());
        assertFalse(Files.exists(out), "a refused join must leave no cache");
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "temporary file left");
        }
    }

    @Test
    void aSliceIsAViewOfItsRange() {
        Sequences s = sequences.slice(5, 9);
        assertEquals(4, s.size());
        assertEquals(sequences.maxLength(), s.maxLength());
        long tokens = 0;
        for (int i = 0; i < 4; i++) {
            assertTrue(java.util.Arrays.equals(sequences.get(5 + i), s.get(i)));
            tokens += sequences.length(5 + i);
        }
        assertEquals(tokens, s.tokenCount());
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(4));
        assertThrows(IndexOutOfBoundsException.class, () -> sequences.slice(3, 23));
    }
}
