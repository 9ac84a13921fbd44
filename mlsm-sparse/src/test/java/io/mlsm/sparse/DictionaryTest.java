package io.mlsm.sparse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DictionaryTest {

    @TempDir
    Path dir;

    private static Dictionary sample(DataType type) {
        INDArray atoms = Dictionary.randomUnitAtoms(16, 24, 5, type);
        atoms.getColumn(3).muli(0.25);                                     // an atom inside the ball
        DictionaryProvenance p = new DictionaryProvenance(0.05, 24, 16, 1234, 493_600, 42,
                "teacher layer 12 of run x, 1M tokens", SparseLibrary.VERSION, "2026-11-22T00:00:00Z",
                Map.of("layer", "12", "batchSize", "400"));
        return Dictionary.of(atoms, p);
    }

    @Test
    void roundTripIsExactWithProvenance() throws IOException {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Dictionary d = sample(type);
            Path f = dir.resolve("d-" + type + ".mlsmdict");
            d.save(f);
            Dictionary back = Dictionary.load(f);
            assertTrue(back.sameAtoms(d), "atoms differ after round trip (" + type + ")");
            assertEquals(type, back.dataType());
            assertEquals(d.provenance(), back.provenance());
            assertEquals("12", back.provenance().attributes().get("layer"));
            assertEquals(16, back.dimension());
            assertEquals(24, back.size());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary files may be left behind");
        }
    }

    @Test
    void saveReplacesAnExistingFileAndIsImmutable() throws IOException {
        Dictionary d = sample(DataType.FLOAT);
        INDArray copy = d.atoms();
        copy.assign(0);                                                    // the copy, not the dictionary
        assertTrue(d.atoms().norm2Number().doubleValue() > 1);
        Path f = dir.resolve("x.mlsmdict");
        Files.writeString(f, "old");
        d.save(f);
        assertTrue(Dictionary.load(f).sameAtoms(d));
    }

    @Test
    void aSaveThatCannotBeCompletedLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Dictionary d = sample(DataType.FLOAT);
        Path blocked = Files.createDirectory(dir.resolve("blocked.mlsmdict"));   // a non-empty directory: no rename
        Files.writeString(blocked.resolve("keep.txt"), "kept");
        IOException e = assertThrows(IOException.class, () -> d.save(blocked));
        assertTrue(e.getMessage().contains("blocked.mlsmdict"), e.getMessage());
        assertEquals("kept", Files.readString(blocked.resolve("keep.txt")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "the temporary file must be removed");
        }
    }

    @Test
    void rejectsCorruptOrTruncatedFiles() throws IOException {
        Dictionary d = sample(DataType.FLOAT);
        Path f = dir.resolve("good.mlsmdict");
        d.save(f);
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[good.length - 20] ^= 0x10;                                 // a payload byte
        assertMessage(write("flipped", flipped), "checksum");

        assertMessage(write("truncated", Arrays.copyOf(good, good.length - 7)), "truncated");
        assertMessage(write("short", Arrays.copyOf(good, 10)), "truncated");
        assertMessage(write("trailing", Arrays.copyOf(good, good.length + 3)), "trailing");

        byte[] magic = good.clone();
        magic[0] = 'X';
        assertMessage(write("magic", magic), "magic");

        byte[] version = good.clone();
        ByteBuffer.wrap(version).putInt(8, 99);
        assertMessage(write("version", version), "version 99");

        byte[] header = good.clone();
        header[17] = '#';                                                  // inside the JSON header
        assertMessage(write("header", header), "header");

        byte[] hlen = good.clone();
        ByteBuffer.wrap(hlen).putInt(12, 1 << 30);
        assertMessage(write("hlen", hlen), "header length");

        assertThrows(IOException.class, () -> Dictionary.load(dir.resolve("missing.mlsmdict")));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name + ".mlsmdict");
        Files.write(p, bytes);
        return p;
    }

    private static void assertMessage(Path file, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dictionary.load(file));
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(file.getFileName().toString()),
                "message should name the file and '" + fragment + "': " + e.getMessage());
    }

    @Test
    void rejectsInvalidAtomsAndProvenance() {
        INDArray atoms = Dictionary.randomUnitAtoms(8, 5, 1, DataType.FLOAT);
        DictionaryProvenance p = DictionaryProvenance.of(0.05, 5, 8, "x");
        INDArray big = atoms.dup();
        big.getColumn(2).muli(1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dictionary.of(big, p));
        assertTrue(e.getMessage().contains("atom 2") && e.getMessage().contains("norm"), e.getMessage());
        INDArray nan = atoms.dup();
        nan.putScalar(1, 1, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> Dictionary.of(nan, p));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dictionary.of(atoms, DictionaryProvenance.of(0.05, 6, 8, "x")));
        assertTrue(e.getMessage().contains("k=6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DictionaryProvenance.of(0.05, 0, 8, "x"));
        assertTrue(e.getMessage().contains("k"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DictionaryProvenance.of(-1, 5, 8, "x"));
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dictionary.randomUnitAtoms(8, 0, 1, DataType.FLOAT));
        assertTrue(e.getMessage().contains("k"), e.getMessage());
    }
}
