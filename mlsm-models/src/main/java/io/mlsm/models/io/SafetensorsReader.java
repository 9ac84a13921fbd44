package io.mlsm.models.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a safetensors file: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets: [begin, end]}}, optional {@code "__metadata__": {str: str}}), then
 * the raw little-endian tensor bytes, offsets relative to the end of the header.
 *
 * <p>{@link #open(Path)} validates the whole header before anything is read and rejects, naming file and tensor:
 * a file shorter than 8 bytes, a header length beyond the file or above 100 MB, JSON that is not an object or has
 * duplicate keys, unknown dtypes, negative or non-integer shapes, {@code end - begin} that disagrees with
 * dtype × shape, overlapping tensors or holes, and offsets beyond the end of the file (a truncated file). Tensor data
 * is read through a memory map in bulk.
 *
 * <pre>{@code
 * try (SafetensorsReader r = SafetensorsReader.open(path)) {
 *     INDArray w = r.read("deberta.embeddings.word_embeddings.weight");   // [V, H] float32
 *     Map<String, INDArray> all = r.readAll();
 * }
 * }</pre>
 */
public final class SafetensorsReader implements Closeable {

    /** The key of the optional string-to-string metadata object. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest header accepted (as the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** Whether tensor bytes can be copied as-is into ND4J buffers (little-endian host, host-memory backend). */
    static final boolean DIRECT = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
            && Nd4j.getEnvironment().isCPU();

    /**
     * One tensor's header entry.
     *
     * @param name  tensor name
     * @param dtype element type
     * @param shape dimensions (empty = scalar)
     * @param begin first byte, relative to the data section
     * @param end   one past the last byte, relative to the data section
     */
    public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        /** @return a copy of the shape */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** @return number of elements */
        public long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        /** @return size in bytes */
        public long byteLength() {
            return end - begin;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + "{" + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")}";
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                              Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens a file and validates its header.
     *
     * @param file a safetensors file
     * @return the reader (close it)
     * @throws NoSuchFileException        if absent
     * @throws CheckpointFormatException  if the file is malformed or truncated (message names file and tensor)
     * @throws IOException                on read failure
     */
    public static SafetensorsReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return parse(file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SafetensorsReader parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointFormatException(file + ": truncated safetensors file: " + size
                    + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(file + ": malformed safetensors header: header length " + n
                    + " is outside [2, " + MAX_HEADER_BYTES + "]");
        }
        if (8 + n > size) {
            throw new CheckpointFormatException(file + ": truncated safetensors file: header length " + n
                    + " needs " + (8 + n) + " bytes but the file has " + size);
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, file);
        String headerText = new String(hb.array(), StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file + ": malformed safetensors header (not valid JSON): "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file + ": malformed safetensors header: expected a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (METADATA_KEY.equals(e.getKey())) {
                parseMetadata(file, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue()));
            }
        }
        long dataLength = size - 8 - n;
        checkLayout(file, tensors, dataLength);
        return new SafetensorsReader(file, ch, 8 + n, tensors, metadata);
    }

    private static void parseMetadata(Path file, JsonNode m, Map<String, String> out) throws CheckpointFormatException {
        if (!m.isObject()) {
            throw new CheckpointFormatException(file + ": malformed safetensors header: " + METADATA_KEY
                    + " must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(file + ": malformed safetensors header: " + METADATA_KEY
                        + " value of '" + e.getKey() + "' must be a string, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v) throws CheckpointFormatException {
        String where = file + ": malformed safetensors header: tensor '" + name + "': ";
        if (name.isEmpty()) {
            throw new CheckpointFormatException(file + ": malformed safetensors header: empty tensor name");
        }
        if (!v.isObject()) {
            throw new CheckpointFormatException(where + "entry must be an object, got " + v);
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new CheckpointFormatException(where + "missing or non-string 'dtype'");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(dt.asText());
        if (dtype == null) {
            throw new CheckpointFormatException(where + "unknown dtype '" + dt.asText() + "'");
        }
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new CheckpointFormatException(where + "missing or non-array 'shape'");
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new CheckpointFormatException(where + "shape entries must be non-negative integers, got "
                        + sh);
            }
            shape[i] = d.longValue();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException ex) {
                throw new CheckpointFormatException(where + "shape " + sh + " overflows");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new CheckpointFormatException(where + "'data_offsets' must be [begin, end], got " + off);
        }
        for (JsonNode o : off) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new CheckpointFormatException(where + "'data_offsets' must be non-negative integers, got "
                        + off);
            }
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (end < begin) {
            throw new CheckpointFormatException(where + "data_offsets end " + end + " < begin " + begin);
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, (long) dtype.bytes());
        } catch (ArithmeticException ex) {
            throw new CheckpointFormatException(where + "shape " + sh + " overflows");
        }
        if (end - begin != expected) {
            throw new CheckpointFormatException(where + "dtype/shape mismatch: " + dtype + " " + sh + " needs "
                    + expected + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long dataLength)
            throws CheckpointFormatException {
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = 0;
        for (TensorInfo t : byOffset) {
            if (t.begin() < cursor) {
                throw new CheckpointFormatException(file + ": malformed safetensors header: tensor '" + t.name()
                        + "' data_offsets [" + t.begin() + ", " + t.end() + "] overlap the previous tensor (ends at "
                        + cursor + ")");
            }
            if (t.begin() > cursor) {
                throw new CheckpointFormatException(file + ": malformed safetensors header: hole in the data "
                        + "section: bytes [" + cursor + ", " + t.begin() + ") belong to no tensor (before '"
                        + t.name() + "')");
            }
            if (t.end() > dataLength) {
                throw new CheckpointFormatException(file + ": truncated safetensors file or offsets out of range: "
                        + "tensor '" + t.name() + "' data_offsets [" + t.begin() + ", " + t.end()
                        + "] exceed the data section of " + dataLength + " bytes");
            }
            cursor = t.end();
        }
        if (cursor != dataLength) {
            throw new CheckpointFormatException(file + ": malformed safetensors file: the data section has "
                    + dataLength + " bytes but the tensors cover " + cursor + " (trailing bytes)");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new CheckpointFormatException(file + ": truncated safetensors file at byte " + pos);
            }
            pos += r;
        }
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /** @return tensor entries in header order */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** @return tensor names in header order */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** @return the {@code __metadata__} map (empty when absent) */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * @param name tensor name
     * @return its header entry
     * @throws CheckpointFormatException if there is no such tensor
     */
    public TensorInfo info(String name) throws CheckpointFormatException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointFormatException(file + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /**
     * Reads one tensor: F32/F16/BF16 as FLOAT, F64 as DOUBLE, I64 as LONG, I32 as INT, in 'c' order.
     *
     * @param name tensor name
     * @return a new array with the tensor's shape
     * @throws CheckpointFormatException if absent or of an unsupported dtype
     * @throws IOException               on read failure
     */
    public INDArray read(String name) throws IOException {
        return read(name, DIRECT);
    }

    /** @param direct whether to copy bytes straight into the ND4J buffer (false: through a memory map) */
    INDArray read(String name, boolean direct) throws IOException {
        TensorInfo t = info(name);
        DataType type;
        try {
            type = t.dtype().nd4jType();
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        long[] shape = t.shape();
        long elements = t.elements();
        long[] createShape = shape.length == 0 ? new long[] {1} : shape;
        if (elements == 0) {
            return Nd4j.create(type, shape);
        }
        if (t.byteLength() > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException(file + ": tensor '" + name + "' has " + t.byteLength()
                    + " bytes; tensors above 2 GiB are not supported");
        }
        if (direct && t.dtype() != SafetensorsDtype.F16 && t.dtype() != SafetensorsDtype.BF16) {
            // little-endian host, CPU backend: read the bytes straight into the array's native buffer
            INDArray out = Nd4j.createUninitialized(type, createShape, 'c');
            ByteBuffer target = out.data().asNio().duplicate();
            if (target.capacity() >= t.byteLength() && out.offset() == 0) {
                target.clear().limit((int) t.byteLength());
                readFully(channel, target, dataStart + t.begin(), file);
                return shape.length == 0 ? out.reshape(new long[0]) : out;
            }
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) elements;
        INDArray out;
        switch (t.dtype()) {
            case F32 -> {
                float[] a = new float[n];
                mapped.asFloatBuffer().get(a);
                out = Nd4j.create(a, createShape, 'c');
            }
            case F64 -> {
                double[] a = new double[n];
                mapped.asDoubleBuffer().get(a);
                out = Nd4j.create(a, createShape, 'c');
            }
            case I64 -> {
                long[] a = new long[n];
                mapped.asLongBuffer().get(a);
                out = Nd4j.createFromArray(a).reshape('c', createShape);
            }
            case I32 -> {
                int[] a = new int[n];
                mapped.asIntBuffer().get(a);
                out = Nd4j.createFromArray(a).reshape('c', createShape);
            }
            case F16, BF16 -> {
                short[] s = new short[n];
                ShortBuffer sb = mapped.asShortBuffer();
                sb.get(s);
                float[] a = new float[n];
                if (t.dtype() == SafetensorsDtype.BF16) {
                    for (int i = 0; i < n; i++) {
                        a[i] = Float.intBitsToFloat((s[i] & 0xffff) << 16);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        a[i] = halfToFloat(s[i]);
                    }
                }
                out = Nd4j.create(a, createShape, 'c');
            }
            default -> throw new IllegalStateException("unreachable: " + t.dtype());
        }
        if (shape.length == 0) {
            out = out.reshape(new long[0]);
        }
        return out;
    }

    /**
     * Reads one tensor converted to FLOAT (integer tensors are converted by value).
     *
     * @param name tensor name
     * @return a FLOAT array
     * @throws IOException as {@link #read(String)}
     */
    public INDArray readFloat(String name) throws IOException {
        INDArray a = read(name);
        return a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
    }

    /**
     * @return every tensor, in header order
     * @throws IOException as {@link #read(String)}
     */
    public Map<String, INDArray> readAll() throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            out.put(name, read(name));
        }
        return out;
    }

    /**
     * IEEE 754 binary16 to binary32 (exact; subnormals, infinities and NaN kept).
     *
     * @param h the half-precision bits
     * @return the float value
     */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
