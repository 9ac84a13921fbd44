package io.mlsm.models.io;

import io.mlsm.runtime.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @Test
    void readsTheHuggingFaceFixture() throws Exception {
        try (SafetensorsReader r = Safetensors.open(TinyFixture.model())) {
            assertEquals(43, r.names().size());
            assertEquals(Map.of("format", "pt"), r.metadata());
            INDArray w = r.read("deberta.embeddings.word_embeddings.weight");
            assertEquals(DataType.FLOAT, w.dataType());
            assertArrayEquals(new long[] {500, 64}, w.shape());
            // reference values read from the same file with numpy
            assertEquals(-0.1613672f, w.getFloat(0, 0));
            assertEquals(0.16657828f, w.getFloat(499, 63));
            assertEquals(0.29450905f, w.getFloat(123, 45));
            assertEquals(-4.316921106432801, w.castTo(DataType.DOUBLE).sumNumber().doubleValue(), 1e-9);
            INDArray rel = r.read("deberta.encoder.rel_embeddings.weight");
            assertArrayEquals(new long[] {256, 64}, rel.shape());
            assertEquals(-0.1889136f, rel.getFloat(255, 0));
            assertEquals(w, r.read("cls.predictions.decoder.weight"), "tied decoder stored equal");
        }
        try (SafetensorsReader r = Safetensors.open(TinyFixture.io())) {
            INDArray ids = r.read("input_ids");
            assertEquals(DataType.LONG, ids.dataType());
            assertArrayEquals(new long[] {2, 16}, ids.shape());
            assertArrayEquals(new long[] {2, 16, 500}, r.read("logits").shape());
        }
    }

    @Test
    void writeThenReadIsBitIdenticalForEveryWrittenType(@TempDir Path dir) throws Exception {
        Nd4j.getRandom().setSeed(7);
        Map<String, INDArray> t = new LinkedHashMap<>();
        INDArray f = Nd4j.randn(DataType.FLOAT, 5, 7);
        f.putScalar(0, 0, Float.NaN);
        f.putScalar(0, 1, Float.NEGATIVE_INFINITY);
        f.putScalar(0, 2, -0.0f);
        f.putScalar(0, 3, Float.MIN_VALUE);
        t.put("f32", f);
        t.put("f32.transposed.view", f.transpose());
        t.put("f32.row.view", f.getRow(3));
        t.put("f64", Nd4j.randn(DataType.DOUBLE, 3, 2, 4));
        t.put("i64", Nd4j.createFromArray(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE).reshape(2, 2));
        t.put("i32", Nd4j.createFromArray(Integer.MIN_VALUE, 5, Integer.MAX_VALUE));
        t.put("scalar", Nd4j.scalar(3.25f));
        t.put("int64.named", Nd4j.zeros(DataType.INT64, 3).addi(7));
        t.put("int32.named", Nd4j.zeros(DataType.INT32, 2).addi(-3));
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, t, Map.of("format", "pt", "note", "x"));

        try (SafetensorsReader r = Safetensors.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "x"), r.metadata());
            assertEquals(t.keySet().stream().sorted().toList(), List.copyOf(r.names()));
            for (Map.Entry<String, INDArray> e : t.entrySet()) {
                INDArray back = r.read(e.getKey());
                INDArray want = e.getValue();
                assertEquals(want.dataType(), back.dataType(), e.getKey());
                assertArrayEquals(want.shape(), back.shape(), e.getKey());
                assertBitEqual(want, back, e.getKey());
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "data section aligned to 8 bytes");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the target file remains");
        }
    }

    @Test
    void fixtureRoundTripIsBitIdentical(@TempDir Path dir) throws Exception {
        Map<String, INDArray> a = Safetensors.read(TinyFixture.model());
        Path out = dir.resolve("copy.safetensors");
        Safetensors.write(out, a, Map.of("format", "pt"));
        Map<String, INDArray> b = Safetensors.read(out);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertBitEqual(a.get(k), b.get(k), k);
        }
    }

    @Test
    void rewritingTheHuggingFaceFilesReproducesThemByteForByte(@TempDir Path dir) throws Exception {
        for (Path original : List.of(TinyFixture.model(), TinyFixture.io())) {
            Map<String, INDArray> t;
            Map<String, String> md;
            try (SafetensorsReader r = Safetensors.open(original)) {
                t = r.readAll();
                md = r.metadata();
            }
            Path copy = dir.resolve(original.getFileName());
            Safetensors.write(copy, t, md);
            assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), original.toString());
        }
    }

    @Test
    void directAndBufferedPathsAgreeByteForByte(@TempDir Path dir) throws Exception {
        assertTrue(SafetensorsReader.DIRECT, "this x86 CPU-backend build should take the direct path");
        Nd4j.getRandom().setSeed(3);
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("f32", Nd4j.randn(DataType.FLOAT, 1200, 2000));   // 9.6 MB: more than one 8 MiB chunk
        t.put("f64", Nd4j.randn(DataType.DOUBLE, 3, 5));
        t.put("i64", Nd4j.createFromArray(1L, -2L, 3L));
        t.put("i32", Nd4j.createFromArray(4, -5));
        t.put("scalar", Nd4j.scalar(-1.5));
        Path a = dir.resolve("direct.safetensors");
        Path b = dir.resolve("buffered.safetensors");
        Safetensors.write(a, t, Map.of("k", "v"), true);
        Safetensors.write(b, t, Map.of("k", "v"), false);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        try (SafetensorsReader r = Safetensors.open(TinyFixture.io())) {
            for (String name : r.names()) {
                INDArray viaDirect = r.read(name, true);
                INDArray viaMap = r.read(name, false);
                assertEquals(viaMap.dataType(), viaDirect.dataType(), name);
                assertArrayEquals(viaMap.shape(), viaDirect.shape(), name);
                assertBitEqual(viaMap, viaDirect, name);
            }
        }
        try (SafetensorsReader r = Safetensors.open(a)) {
            assertEquals(0, r.read("scalar", true).rank());
            assertEquals(0, r.read("scalar", false).rank());
            assertEquals(-1.5, r.read("scalar", true).getDouble(0));
        }
    }

    @Test
    void halfAndBfloat16AreWidenedExactly(@TempDir Path dir) throws Exception {
        short[] half = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00, (short) 0x8000, 0x3555};
        float[] halfWant = {1f, -2f, 65504f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -0f, 0.33325195f};
        short[] bf = {0x3F80, (short) 0xC0A0, 0x7F80, 0x0001};
        float[] bfWant = {1f, -5f, Float.POSITIVE_INFINITY, Float.intBitsToFloat(0x00010000)};
        Path file = dir.resolve("h.safetensors");
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[14,22]}}";
        ByteBuffer data = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : half) {
            data.putShort(s);
        }
        for (short s : bf) {
            data.putShort(s);
        }
        Files.write(file, fileBytes(header, data.array()));
        try (SafetensorsReader r = Safetensors.open(file)) {
            INDArray h = r.read("h");
            assertEquals(DataType.FLOAT, h.dataType());
            assertArrayEquals(halfWant, h.toFloatVector());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(h.getFloat(5)));
            INDArray b = r.read("b");
            assertArrayEquals(new long[] {2, 2}, b.shape());
            assertArrayEquals(bfWant, b.reshape(4).toFloatVector());
        }
        assertTrue(Float.isNaN(SafetensorsReader.halfToFloat((short) 0x7E00)));
    }

    @Test
    void malformedHeadersAreRejectedWithClearMessages(@TempDir Path dir) throws Exception {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] eight = new byte[8];
        assertBad(dir, new byte[5], "fewer than the 8-byte header length");
        assertBad(dir, withLength(1000, ok, eight), "truncated safetensors file: header length 1000");
        assertBad(dir, withLength(Long.MAX_VALUE, ok, eight), "header length");
        assertBad(dir, fileBytes("{\"a\": [", eight), "not valid JSON");
        assertBad(dir, fileBytes("[1, 2, 3]", eight), "expected a JSON object");
        assertBad(dir, fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "Duplicate");
        assertBad(dir, fileBytes(ok.replace("F32", "F13"), eight), "tensor 'a': unknown dtype 'F13'");
        assertBad(dir, fileBytes(ok.replace("[2]", "[-2]"), eight), "shape entries must be non-negative");
        assertBad(dir, fileBytes(ok.replace("[2]", "[2.5]"), eight), "shape entries must be non-negative");
        assertBad(dir, fileBytes(ok.replace("\"shape\":[2],", ""), eight), "missing or non-array 'shape'");
        assertBad(dir, fileBytes(ok.replace("[0,8]", "[0]"), eight), "'data_offsets' must be [begin, end]");
        assertBad(dir, fileBytes(ok.replace("[0,8]", "[8,0]"), eight), "end 0 < begin 8");
        assertBad(dir, fileBytes(ok.replace("[2]", "[3]"), eight),
                "tensor 'a': dtype/shape mismatch: F32 [3] needs 12 bytes but data_offsets [0, 8] span 8");
        assertBad(dir, fileBytes(ok.replace("F32", "F64"), eight), "dtype/shape mismatch");
        assertBad(dir, fileBytes(ok.replace("[0,8]", "[4,12]"), new byte[12]), "hole");
        assertBad(dir, fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "overlap");
        assertBad(dir, fileBytes(ok.replace("[0,8]", "[0,8]"), new byte[4]),
                "tensor 'a' data_offsets [0, 8] exceed the data section of 4 bytes");
        assertBad(dir, fileBytes(ok, new byte[12]), "trailing bytes");
        assertBad(dir, fileBytes("{\"__metadata__\":{\"k\":1}," + ok.substring(1), eight), "__metadata__");
        assertBad(dir, fileBytes("{\"a\":7}", eight), "entry must be an object");
    }

    @Test
    void truncatedFixtureNamesTheCutTensor(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(TinyFixture.model());
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.open(cut));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(cut.toString())
                && e.getMessage().contains("deberta.encoder.rel_embeddings.weight"), e.getMessage());
        Files.write(cut, Arrays.copyOf(all, 100));
        e = assertThrows(CheckpointFormatException.class, () -> Safetensors.open(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void missingTensorsAndUnreadableDtypesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("u8.safetensors");
        Files.write(f, fileBytes("{\"bytes\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}",
                new byte[8]));
        try (SafetensorsReader r = Safetensors.open(f)) {
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> r.read("bytes"));
            assertTrue(e.getMessage().contains("'bytes'") && e.getMessage().contains("U8"), e.getMessage());
            e = assertThrows(CheckpointFormatException.class, () -> r.read("nope"));
            assertTrue(e.getMessage().contains("missing tensor 'nope'"), e.getMessage());
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Safetensors.open(dir.resolve("absent")));
    }

    @Test
    void failedWritesLeaveNothingBehind(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("h", Nd4j.ones(DataType.HALF, 3))));
        assertTrue(e.getMessage().contains("tensor 'h'") && e.getMessage().contains("HALF"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", Nd4j.ones(3))));
        assertEquals(0, countFiles(dir));

        Safetensors.write(file, Map.of("a", Nd4j.ones(DataType.FLOAT, 4)));
        byte[] before = Files.readAllBytes(file);
        IOException io = assertThrows(IOException.class, () -> AtomicFiles.write(file, ch -> {
            ch.write(ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full (simulated)");
        }));
        // the failure names the file it happened to (a full disk says only "No space left on device")
        assertEquals("cannot write " + file.toAbsolutePath() + ": disk full (simulated)", io.getMessage());
        assertEquals("disk full (simulated)", io.getCause().getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "previous content kept");
        assertEquals(1, countFiles(dir), "temp file removed");
    }

    // ------------------------------------------------------------------ helpers

    static void assertBitEqual(INDArray want, INDArray got, String what) {
        INDArray w = want.dup('c');
        INDArray g = got.dup('c');
        switch (want.dataType()) {
            case FLOAT -> {
                float[] a = w.data().asFloat();
                float[] b = g.data().asFloat();
                assertEquals(a.length, b.length, what);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), what + "[" + i + "]");
                }
            }
            case DOUBLE -> {
                double[] a = w.data().asDouble();
                double[] b = g.data().asDouble();
                assertEquals(a.length, b.length, what);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), what);
                }
            }
            default -> assertArrayEquals(w.data().asLong(), g.data().asLong(), what);
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    private static void assertBad(Path dir, byte[] content, String fragment) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, content);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.open(f),
                fragment);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
    }

    static byte[] fileBytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return withLength(h.length, header, data);
    }

    private static byte[] withLength(long length, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(h).put(data);
        return b.array();
    }
}
