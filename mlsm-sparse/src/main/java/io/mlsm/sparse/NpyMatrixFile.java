package io.mlsm.sparse;

import io.mlsm.runtime.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A two-dimensional float64 or float32 matrix in NumPy's {@code .npy} format (format versions 1.0 and 2.0), as
 * {@code numpy.save} writes it — the form in which the reference code saves a SPAMS dictionary ({@code [d, k]},
 * float64, one atom per column).
 *
 * <p>Layout (NEP 1, "A simple file format for NumPy arrays"): the magic {@code \x93NUMPY}, the major and minor
 * version bytes, the header length ({@code uint16} little-endian in 1.0, {@code uint32} in 2.0), then an ASCII
 * Python dict literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (d, k), }} padded with spaces and a
 * final {@code \n}, then the raw data. Read: {@code descr} {@code '<f8'} or {@code '<f4'}, {@code fortran_order}
 * {@code True} or {@code False}, a 2-tuple {@code shape}, exactly those three keys and exactly {@code d·k} values;
 * anything else is rejected with the file and the field named. Written: version 1.0 (2.0 when the header would not
 * fit), C order, {@code '<f8'} for DOUBLE and {@code '<f4'} for FLOAT, the whole preamble a multiple of 64 bytes,
 * atomically ({@link AtomicFiles}).
 *
 * <pre>{@code
 * INDArray d = NpyMatrixFile.read(Path.of("dictionary.npy"));     // [d, k], DOUBLE for '<f8'
 * NpyMatrixFile.write(Path.of("out.npy"), d);                      // numpy.load reads it
 * }</pre>
 */
public final class NpyMatrixFile {

    /** The 6 magic bytes {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Preamble alignment numpy uses. */
    static final int ALIGN = 64;

    private NpyMatrixFile() {
    }

    /**
     * @param file a {@code .npy} file holding a 2-D little-endian float64 or float32 array
     * @return the matrix {@code [rows, columns]} in C order, DOUBLE for {@code '<f8'}, FLOAT for {@code '<f4'}
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it is not such a file (the message names the file and the field)
     */
    public static INDArray read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "npy file not found");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** The header of a 2-D {@code .npy} matrix: its shape, element size, order and where the data starts. */
    record Header(int rows, int columns, int itemSize, boolean fortranOrder, int dataStart) {
    }

    /**
     * @param file a {@code .npy} file
     * @return {rows, columns} from its header (the data is not read, only its size checked)
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it is not a 2-D float64/float32 {@code .npy} file
     */
    public static int[] readShape(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "npy file not found");
        }
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(12);
            if (head.length == 12) {
                long len = (head[6] & 0xff) == 1 ? ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN)
                        .getShort(8) & 0xffff : ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(8) & 0xffffffffL;
                byte[] rest = in.readNBytes((int) Math.min(len, 1 << 24));
                byte[] all = new byte[head.length + rest.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(rest, 0, all, head.length, rest.length);
                head = all;
            }
        }
        Header h = header(head, file.toString(), Files.size(file));
        return new int[] {h.rows(), h.columns()};
    }

    /** As {@link #read(Path)} from bytes; {@code source} names them in errors. */
    static INDArray parse(byte[] bytes, String source) {
        Header h = header(bytes, source, bytes.length);
        int n = h.rows() * h.columns();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.position(h.dataStart());
        char order = h.fortranOrder() ? 'f' : 'c';
        long[] shape = {h.rows(), h.columns()};
        if (h.itemSize() == 8) {
            double[] v = new double[n];
            in.asDoubleBuffer().get(v);
            return Nd4j.create(v, shape, order).dup('c');
        }
        float[] v = new float[n];
        in.asFloatBuffer().get(v);
        return Nd4j.create(v, shape, order).dup('c');
    }

    /**
     * @param bytes      the file's first bytes (at least the whole preamble)
     * @param fileLength the whole file's length, to check the data size
     */
    static Header header(byte[] bytes, String source, long fileLength) {
        String where = source + ": ";
        if (bytes.length < MAGIC.length + 4) {
            throw new IllegalArgumentException(where + "not an .npy file (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IllegalArgumentException(where + "not an .npy file (bad magic, expected \\x93NUMPY)");
            }
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int headerStart;
        if (major == 1 && minor == 0) {
            headerLength = in.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 && minor == 0) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException(where + "truncated before the header length");
            }
            headerLength = in.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(where + "unsupported .npy format version " + major + "." + minor
                    + " (1.0 and 2.0 are read)");
        }
        if (headerStart + headerLength > bytes.length) {
            throw new IllegalArgumentException(where + "truncated header (length " + headerLength + ", file "
                    + fileLength + " bytes)");
        }
        String header = new String(bytes, headerStart, (int) headerLength, StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(header, where).dict();
        for (String key : dict.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new IllegalArgumentException(where + "header field '" + key + "' is not an .npy field "
                        + "(expected descr, fortran_order, shape)");
            }
        }
        Object descr = require(dict, "descr", where);
        int itemSize;
        if ("<f8".equals(descr)) {
            itemSize = 8;
        } else if ("<f4".equals(descr)) {
            itemSize = 4;
        } else {
            throw new IllegalArgumentException(where + "header field 'descr' is " + show(descr)
                    + "; only '<f8' (little-endian float64) and '<f4' (float32) are read");
        }
        Object fortran = require(dict, "fortran_order", where);
        if (!(fortran instanceof Boolean)) {
            throw new IllegalArgumentException(where + "header field 'fortran_order' is " + show(fortran)
                    + ", expected True or False");
        }
        Object shape = require(dict, "shape", where);
        if (!(shape instanceof List<?> dims) || dims.size() != 2) {
            throw new IllegalArgumentException(where + "header field 'shape' is " + show(shape)
                    + ", expected a 2-D shape (rows, columns)");
        }
        long rows = (Long) dims.get(0);
        long cols = (Long) dims.get(1);
        if (rows < 1 || cols < 1 || rows * cols > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException(where + "header field 'shape' is " + show(shape)
                    + ": both sizes must be >= 1 and the array under 2 GiB");
        }
        long dataStart = headerStart + headerLength;
        long expected = rows * cols * itemSize;
        if (fileLength - dataStart != expected) {
            throw new IllegalArgumentException(where + "data has " + (fileLength - dataStart) + " bytes, shape "
                    + show(shape) + " of " + descr + " needs " + expected);
        }
        return new Header((int) rows, (int) cols, itemSize, (Boolean) fortran, (int) dataStart);
    }

    /**
     * Writes {@code matrix} as a C-order {@code .npy} (version 1.0, or 2.0 for a header over 65535 bytes),
     * atomically.
     *
     * @param matrix a 2-D DOUBLE ({@code '<f8'}) or FLOAT ({@code '<f4'}) array
     * @throws IllegalArgumentException for another rank or data type
     * @throws IOException              if writing fails (no partial file is left)
     */
    public static void write(Path file, INDArray matrix) throws IOException {
        AtomicFiles.write(file, toBytes(matrix));
    }

    /** @return the {@code .npy} bytes of {@code matrix} (see {@link #write}) */
    static byte[] toBytes(INDArray matrix) {
        if (matrix == null || matrix.rank() != 2) {
            throw new IllegalArgumentException("an .npy matrix must be 2-D, got "
                    + (matrix == null ? "null" : "rank " + matrix.rank()));
        }
        DataType t = matrix.dataType();
        if (t != DataType.DOUBLE && t != DataType.FLOAT) {
            throw new IllegalArgumentException("an .npy matrix must be DOUBLE or FLOAT, got " + t);
        }
        int itemSize = t == DataType.DOUBLE ? 8 : 4;
        String dict = "{'descr': '" + (itemSize == 8 ? "<f8" : "<f4") + "', 'fortran_order': False, 'shape': ("
                + matrix.rows() + ", " + matrix.columns() + "), }";
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int total = pad(prefix + dict.length() + 1);
        if (total - prefix > 0xffff) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            total = pad(prefix + dict.length() + 1);
        }
        int headerLength = total - prefix;
        String header = dict + " ".repeat(headerLength - dict.length() - 1) + "\n";
        long n = matrix.length();
        ByteBuffer out = ByteBuffer.allocate((int) (total + n * itemSize)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) headerLength);
        } else {
            out.putInt(headerLength);
        }
        out.put(header.getBytes(StandardCharsets.US_ASCII));
        INDArray c = matrix.dup('c');
        if (itemSize == 8) {
            out.asDoubleBuffer().put(c.data().asDouble());
        } else {
            out.asFloatBuffer().put(c.data().asFloat());
        }
        return out.array();
    }

    private static int pad(int len) {
        return (len + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static Object require(Map<String, Object> dict, String key, String where) {
        Object v = dict.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + "header has no '" + key + "' field");
        }
        return v;
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(l.get(i));
            }
            return sb.append(l.size() == 1 ? ",)" : ")").toString();
        }
        return v instanceof Boolean b ? (b ? "True" : "False") : String.valueOf(v);
    }

    /**
     * The subset of Python literal syntax an {@code .npy} header uses: a dict of string keys to strings,
     * {@code True}/{@code False} and tuples of non-negative integers; trailing commas allowed.
     */
    private static final class HeaderParser {
        private final String s;
        private final String where;
        private int i;

        HeaderParser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        Map<String, Object> dict() {
            Map<String, Object> out = new LinkedHashMap<>();
            skip();
            expect('{');
            while (true) {
                skip();
                if (peek() == '}') {
                    i++;
                    break;
                }
                String key = string();
                skip();
                expect(':');
                skip();
                if (out.put(key, value()) != null) {
                    throw error("duplicate header field '" + key + "'");
                }
                skip();
                if (peek() == ',') {
                    i++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            skip();
            if (i != s.length()) {
                throw error("text after the header dict");
            }
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                i++;
                List<Long> dims = new ArrayList<>();
                while (true) {
                    skip();
                    if (peek() == ')') {
                        i++;
                        return dims;
                    }
                    int start = i;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    if (start == i) {
                        throw error("expected an integer in the shape tuple");
                    }
                    if (i - start > 18) {
                        throw error("shape size " + s.substring(start, i) + " too large");
                    }
                    dims.add(Long.parseLong(s.substring(start, i)));
                    skip();
                    if (peek() == ',') {
                        i++;
                    } else if (peek() != ')') {
                        throw error("expected ',' or ')' in the shape tuple");
                    }
                }
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            throw error("unsupported header value");
        }

        private String string() {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error("expected a quoted string");
            }
            int end = s.indexOf(q, i + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw error("header ends early");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(where + "malformed .npy header at offset " + i + ": " + what
                    + " in " + s.strip());
        }
    }
}
