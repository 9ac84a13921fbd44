package io.mlsm.models.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.runtime.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format used by Hugging
 * Face checkpoints and by this library's own checkpoints.
 *
 * <p>Writing is atomic (temporary file in the target directory, forced to disk, then renamed): a failure leaves no
 * partial file. Tensors are laid out in name order, the header is padded with spaces so the data section starts
 * at a multiple of 8 bytes (as the reference implementation does). FLOAT, DOUBLE, LONG and INT arrays are written
 * as F32, F64, I64, I32. Reading is done by {@link SafetensorsReader}, which validates the header first.
 *
 * <pre>{@code
 * Safetensors.write(dir.resolve("model.safetensors"), params, Map.of("format", "pt"));
 * Map<String, INDArray> back = Safetensors.read(dir.resolve("model.safetensors"));
 * }</pre>
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_BYTES = 8 << 20;

    private Safetensors() {
    }

    /**
     * Reads every tensor of a file.
     *
     * @param file safetensors file
     * @return name → array, in header order
     * @throws IOException (a {@link CheckpointFormatException} for malformed or truncated files)
     */
    public static Map<String, INDArray> read(Path file) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            return r.readAll();
        }
    }

    /**
     * @param file safetensors file
     * @return a validating reader (close it)
     * @throws IOException as {@link SafetensorsReader#open(Path)}
     */
    public static SafetensorsReader open(Path file) throws IOException {
        return SafetensorsReader.open(file);
    }

    /**
     * Writes tensors without metadata.
     *
     * @param file    target
     * @param tensors name → array
     * @throws IOException on failure (no partial file left)
     */
    public static void write(Path file, Map<String, INDArray> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes tensors and string metadata atomically.
     *
     * @param file     target (replaced if present)
     * @param tensors  name → array (FLOAT, DOUBLE, LONG or INT; any order or view)
     * @param metadata stored under {@code __metadata__} (omitted when empty)
     * @throws IllegalArgumentException for an empty or reserved name, a null array or an unsupported data type
     * @throws IOException              on write failure (no partial file left)
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, SafetensorsReader.DIRECT);
    }

    /** @param direct whether to write the arrays' native bytes as they are (false: through a chunk buffer) */
    static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata, boolean direct)
            throws IOException {
        TreeMap<String, INDArray> sorted = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("tensor names must be non-empty");
            }
            if (SafetensorsReader.METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("tensor name '" + name + "' is reserved for metadata");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            sorted.put(name, e.getValue());
        }
        ObjectNode header = JSON.createObjectNode();
        Map<String, SafetensorsDtype> dtypes = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
            INDArray a = e.getValue();
            SafetensorsDtype dt;
            try {
                dt = SafetensorsDtype.forWriting(a.dataType());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
            dtypes.put(e.getKey(), dt);
            long bytes = a.length() * dt.bytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dt.name());
            ArrayNode sh = t.putArray("shape");
            for (long d : a.shape()) {
                sh.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        if (!metadata.isEmpty()) { // last, as the reference implementation writes it
            ObjectNode m = header.putObject(SafetensorsReader.METADATA_KEY);
            new TreeMap<>(metadata).forEach(m::put);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialise safetensors header", ex);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        AtomicFiles.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(padded).put(headerBytes).flip();
            writeFully(ch, prefix);
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
                writeTensor(ch, chunk, e.getValue(), dtypes.get(e.getKey()), direct);
            }
        });
    }

    private static void writeTensor(FileChannel ch, ByteBuffer chunk, INDArray a, SafetensorsDtype dt,
                                    boolean direct) throws IOException {
        if (a.length() == 0) {
            return;
        }
        INDArray c = compact(a);
        if (direct) {
            // little-endian host, CPU backend: the array's native bytes are the file's bytes
            ByteBuffer src = c.data().asNio().duplicate();
            long bytes = c.length() * dt.bytes();
            if (src.capacity() >= bytes) {
                src.clear().limit((int) bytes);
                writeFully(ch, src);
                return;
            }
        }
        int n = (int) c.length();
        int per = CHUNK_BYTES / dt.bytes();
        switch (dt) {
            case F32 -> {
                float[] v = c.data().asFloat();
                for (int i = 0; i < n; i += per) {
                    int m = Math.min(per, n - i);
                    chunk.clear();
                    chunk.asFloatBuffer().put(v, i, m);
                    chunk.limit(m * 4);
                    writeFully(ch, chunk);
                }
            }
            case F64 -> {
                double[] v = c.data().asDouble();
                for (int i = 0; i < n; i += per) {
                    int m = Math.min(per, n - i);
                    chunk.clear();
                    chunk.asDoubleBuffer().put(v, i, m);
                    chunk.limit(m * 8);
                    writeFully(ch, chunk);
                }
            }
            case I64 -> {
                long[] v = c.data().asLong();
                for (int i = 0; i < n; i += per) {
                    int m = Math.min(per, n - i);
                    chunk.clear();
                    chunk.asLongBuffer().put(v, i, m);
                    chunk.limit(m * 8);
                    writeFully(ch, chunk);
                }
            }
            case I32 -> {
                int[] v = c.data().asInt();
                for (int i = 0; i < n; i += per) {
                    int m = Math.min(per, n - i);
                    chunk.clear();
                    chunk.asIntBuffer().put(v, i, m);
                    chunk.limit(m * 4);
                    writeFully(ch, chunk);
                }
            }
            default -> throw new IllegalStateException("unreachable: " + dt);
        }
    }

    /** A 'c'-ordered array whose buffer holds exactly its elements (a copy only when needed). */
    private static INDArray compact(INDArray a) {
        if (a.length() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + a.length() + " elements is too large (max 2^31)");
        }
        boolean ok = !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
        return ok ? a : a.dup('c');
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
