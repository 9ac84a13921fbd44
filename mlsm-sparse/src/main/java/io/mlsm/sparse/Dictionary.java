package io.mlsm.sparse;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A sparse-coding dictionary D ∈ R^{d×k}: k atoms (the columns) of dimension d, each with ‖atom‖₂ ≤ 1, plus the
 * {@link DictionaryProvenance} that says how it was made. Immutable: the atoms are copied in and copied out.
 *
 * <p>The Gram matrix DᵀD and the Lipschitz constant L = λ_max(DᵀD) (power iteration, computed once) are cached, so
 * every {@link NonNegativeFista} built on the same dictionary shares them.
 *
 * <pre>{@code
 * Dictionary dict = Dictionary.of(atoms, DictionaryProvenance.of(0.05, k, d, "planted"));  // atoms [d, k]
 * dict.save(Path.of("dict.mlsmdict"));
 * Dictionary back = Dictionary.load(Path.of("dict.mlsmdict"));
 * }</pre>
 *
 * <h2>File format (version 1, big-endian)</h2>
 * <pre>
 * bytes 0..7   magic "MLSMDICT"
 * int32        format version (1)
 * int32        header length N
 * N bytes      UTF-8 JSON header: {"dimension": d, "atoms": k, "dataType": "FLOAT"|"DOUBLE", "provenance": {...}}
 * int64        payload length P = d·k·(4|8)
 * P bytes      atoms, atom after atom (column j of D = d values), IEEE float32 or float64
 * int64        CRC-32 of every byte before it
 * </pre>
 * Files are written to a temporary file in the same directory and moved into place atomically.
 */
public final class Dictionary {

    /** File magic. */
    static final byte[] MAGIC = "MLSMDICT".getBytes(StandardCharsets.US_ASCII);
    /** Current file format version. */
    public static final int FORMAT_VERSION = 1;
    /** Norm slack accepted for atoms (float32 rounding of unit-norm atoms). */
    static final double NORM_SLACK = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final INDArray atoms; // [d, k], private copy, never handed out
    private final DictionaryProvenance provenance;
    private final Map<DataType, INDArray> gramCache = new EnumMap<>(DataType.class);
    private final Map<DataType, INDArray> atomsCache = new EnumMap<>(DataType.class);
    private volatile double lipschitz = Double.NaN;

    private Dictionary(INDArray atoms, DictionaryProvenance provenance) {
        this.atoms = atoms;
        this.provenance = provenance;
    }

    /**
     * A dictionary from a copy of the given atoms.
     *
     * @param atoms      [d, k] FLOAT or DOUBLE matrix, one atom per column, every column with ‖·‖₂ ≤ 1 (+1e-4 slack
     *                   for rounding), finite
     * @param provenance its provenance; its {@code atoms}/{@code dimension} must match the matrix
     * @return the dictionary
     * @throws IllegalArgumentException on a wrong shape, NaN/Inf, an atom of norm above 1 or a provenance mismatch
     */
    public static Dictionary of(INDArray atoms, DictionaryProvenance provenance) {
        if (provenance == null) {
            throw new IllegalArgumentException("provenance must not be null");
        }
        InputChecks.finiteMatrix(atoms, "atoms", -1);
        InputChecks.floatType(atoms.dataType(), "atoms data type");
        int d = (int) atoms.rows();
        int k = (int) atoms.columns();
        if (provenance.dimension() != d || provenance.atoms() != k) {
            throw new IllegalArgumentException("provenance says d=" + provenance.dimension() + ", k="
                    + provenance.atoms() + " but the atoms matrix is [" + d + ", " + k + "]");
        }
        INDArray norms = atoms.norm2(0); // [k]
        double maxNorm = norms.maxNumber().doubleValue();
        if (maxNorm > 1 + NORM_SLACK) {
            long atom = norms.argMax().getLong(0);
            throw new IllegalArgumentException("atom " + atom + " has norm " + maxNorm + " > 1 (atoms must lie in the "
                    + "unit ball)");
        }
        return new Dictionary(atoms.dup('c'), provenance);
    }

    /** @return vector dimension d */
    public int dimension() {
        return (int) atoms.rows();
    }

    /** @return number of atoms k */
    public int size() {
        return (int) atoms.columns();
    }

    /** @return data type of the stored atoms */
    public DataType dataType() {
        return atoms.dataType();
    }

    /** @return how the dictionary was made */
    public DictionaryProvenance provenance() {
        return provenance;
    }

    /** @return a copy of the atoms, [d, k] */
    public INDArray atoms() {
        return atoms.dup('c');
    }

    /**
     * @param type FLOAT or DOUBLE
     * @return a copy of the atoms in the given type, [d, k]
     */
    public INDArray atoms(DataType type) {
        return atoms.castTo(type).dup('c');
    }

    /** Shared, read-only view of the atoms in {@code type}; callers in this package must not modify it. */
    synchronized INDArray atomsShared(DataType type) {
        return type == atoms.dataType() ? atoms : atomsCache.computeIfAbsent(type, t -> atoms.castTo(t).dup('c'));
    }

    /** Cached Gram matrix DᵀD [k, k] in {@code type}; read-only for callers in this package. */
    synchronized INDArray gram(DataType type) {
        INDArray g = gramCache.get(type);
        if (g == null) {
            INDArray a = atoms.castTo(type);
            g = Nd4j.create(type, size(), size());
            Nd4j.gemm(a, a, g, true, false, 1.0, 0.0); // [k, k]
            gramCache.put(type, g);
        }
        return g;
    }

    /**
     * The Lipschitz constant of the lasso gradient, L = λ_max(DᵀD), by power iteration in float64 (cached), times a
     * safety factor of 1.001 so that the step 1/L never exceeds the stable range.
     *
     * @return L &gt; 0 (a tiny positive number for an all-zero dictionary)
     */
    public double lipschitzConstant() {
        double l = lipschitz;
        if (Double.isNaN(l)) {
            l = PowerIteration.largestEigenvalue(gram(DataType.DOUBLE), null).value() * PowerIteration.SAFETY;
            l = Math.max(l, 1e-12);
            lipschitz = l;
        }
        return l;
    }

    /**
     * Whether the two dictionaries hold bit-identical atoms of the same type.
     *
     * @param other another dictionary
     * @return true when type, shape and every value are equal
     */
    public boolean sameAtoms(Dictionary other) {
        return other != null && other.dataType() == dataType() && Arrays.equals(other.atoms.shape(), atoms.shape())
                && other.atoms.equals(atoms);
    }

    // ------------------------------------------------------------------ file I/O

    /**
     * Writes the dictionary atomically: a temporary file in the same directory, forced to disk, then renamed onto
     * {@code file} with {@link StandardCopyOption#ATOMIC_MOVE}. There is no non-atomic fallback.
     *
     * @param file target path (its parent directory must exist)
     * @throws IOException when writing fails, or when the file system cannot rename atomically (the message names the
     *                     file and the reason); the target is then left untouched and no temporary file remains
     */
    public void save(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot save dictionary: directory " + dir + " does not exist");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("dimension", dimension());
        header.put("atoms", size());
        header.put("dataType", dataType().name());
        header.put("provenance", provenance);
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int width = dataType() == DataType.DOUBLE ? 8 : 4;
        long payload = (long) dimension() * size() * width;

        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            CRC32 crc = new CRC32();
            try (OutputStream raw = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                         new java.util.zip.CheckedOutputStream(raw, crc), 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeInt(headerBytes.length);
                out.write(headerBytes);
                out.writeLong(payload);
                INDArray byAtom = atoms.transpose().dup('c'); // [k, d]: atom after atom
                ByteBuffer buf = ByteBuffer.allocate(dimension() * width).order(ByteOrder.BIG_ENDIAN);
                if (width == 8) {
                    double[] v = byAtom.data().asDouble();
                    for (int j = 0; j < size(); j++) {
                        buf.clear();
                        buf.asDoubleBuffer().put(v, j * dimension(), dimension());
                        out.write(buf.array());
                    }
                } else {
                    float[] v = byAtom.data().asFloat();
                    for (int j = 0; j < size(); j++) {
                        buf.clear();
                        buf.asFloatBuffer().put(v, j * dimension(), dimension());
                        out.write(buf.array());
                    }
                }
                out.flush();
                long sum = crc.getValue();
                new DataOutputStream(raw).writeLong(sum);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);                               // on disk before the rename makes it visible
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot save dictionary " + abs + ": the file system cannot rename "
                        + tmp.getFileName() + " onto it atomically (" + e.getMessage() + "); refusing a non-atomic "
                        + "write", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reference λ (SPEC: λ = 0.05) assumed for a {@code .npy} dictionary, which does not record one. */
    public static final double NPY_DEFAULT_LAMBDA = 0.05;

    /** @return whether {@code file} is named {@code *.npy} (any case): read and written as a NumPy matrix */
    public static boolean isNpy(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy");
    }

    /** {@link #readNpy(Path, double)} with {@link #NPY_DEFAULT_LAMBDA}. */
    public static Dictionary readNpy(Path file) throws IOException {
        return readNpy(file, NPY_DEFAULT_LAMBDA);
    }

    /**
     * Imports a dictionary saved by NumPy: a {@code .npy} matrix {@code [d, k]} (float64 or float32, C or Fortran
     * order), one atom per column — the layout of a SPAMS dictionary the reference code saves with
     * {@code numpy.save}. An {@code .npy} file carries no provenance; the imported one records the file, its
     * SHA-256 and {@code lambda} (attributes {@code source=npy}, {@code npyFile}, {@code npySha256}).
     *
     * <pre>{@code
     * Dictionary d = Dictionary.readNpy(Path.of("dict_layer12.npy"), 0.05);   // [768, 3000] float64
     * d.writeNpy(Path.of("back.npy"));                                        // numpy.load gives the same matrix
     * }</pre>
     *
     * @param lambda the λ the dictionary is meant for (the sparse-coding solvers read it from the provenance)
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it is not a 2-D float {@code .npy} (file and field named), or an atom has
     *                                  norm above 1
     */
    public static Dictionary readNpy(Path file, double lambda) throws IOException {
        INDArray atoms = NpyMatrixFile.read(file);                                      // [d, k]
        int d = (int) atoms.rows();
        int k = (int) atoms.columns();
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("source", "npy");
        attrs.put("npyFile", file.toAbsolutePath().normalize().toString());
        attrs.put("npySha256", io.mlsm.runtime.Provenance.sha256(file));
        DictionaryProvenance p = new DictionaryProvenance(lambda, k, d, 0, 0, 0, "imported from " + file,
                SparseLibrary.VERSION, java.time.Instant.now().toString(), attrs);
        try {
            return of(atoms, p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exports the atoms as a NumPy {@code .npy} matrix {@code [d, k]} (C order, {@code '<f8'} for a DOUBLE dictionary,
     * {@code '<f4'} for FLOAT), atomically: {@code numpy.load(file)} gives the SPAMS layout, one atom per column. The
     * provenance is not in the file (save it with {@link #save(Path)} for that).
     *
     * @throws IOException if writing fails (no partial file is left)
     */
    public void writeNpy(Path file) throws IOException {
        NpyMatrixFile.write(file, atoms);
    }

    /**
     * Shape of a dictionary file, read from its header only (magic, version and JSON header; the atoms are not
     * read), so a configuration can be checked before any work.
     *
     * @param dimension d
     * @param atoms     k
     */
    public record Shape(int dimension, int atoms) {
    }

    /**
     * @param file a dictionary file (or a {@code *.npy} matrix {@code [d, k]})
     * @return its dimension and number of atoms, from the header
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it is not a dictionary file or its header is corrupt
     */
    public static Shape readShape(Path file) throws IOException {
        if (isNpy(file)) {
            int[] shape = NpyMatrixFile.readShape(file);
            return new Shape(shape[0], shape[1]);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("dictionary file " + file + " does not exist or is not a regular file");
        }
        String where = "dictionary file " + file + ": ";
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
                Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException(where + "not a dictionary (bad magic, expected \"MLSMDICT\")");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException(where + "unsupported format version " + version + " (expected "
                        + FORMAT_VERSION + ")");
            }
            int headerLength = in.readInt();
            if (headerLength < 2 || headerLength > Files.size(file)) {
                throw new IllegalArgumentException(where + "corrupt: header length " + headerLength);
            }
            byte[] header = new byte[headerLength];
            in.readFully(header);
            JsonNode root = JSON.readTree(header);
            return new Shape(requiredInt(root, "dimension", where), requiredInt(root, "atoms", where));
        } catch (java.io.EOFException e) {
            throw new IllegalArgumentException(where + "truncated header", e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(where + "corrupt header: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a dictionary written by {@link #save(Path)}, or, for a file named {@code *.npy}, by {@link #readNpy(Path)}.
     *
     * @param file the file
     * @return the dictionary, bit-identical to the saved one, with its provenance
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when the file is not a dictionary, is truncated or corrupt (bad magic,
     *                                  version, header, sizes or checksum); the message names the file and the problem
     */
    public static Dictionary load(Path file) throws IOException {
        if (isNpy(file)) {
            return readNpy(file);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("dictionary file " + file + " does not exist or is not a regular file");
        }
        byte[] all = Files.readAllBytes(file);
        String where = "dictionary file " + file + ": ";
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
        if (all.length < MAGIC.length + 8) {
            throw new IllegalArgumentException(where + "truncated (" + all.length + " bytes, too short for a header)");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(where + "not a dictionary (bad magic, expected \"MLSMDICT\")");
        }
        int version = in.getInt();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException(where + "unsupported format version " + version + " (expected "
                    + FORMAT_VERSION + ")");
        }
        int headerLength = in.getInt();
        if (headerLength < 2 || headerLength > in.remaining() - 8) {
            throw new IllegalArgumentException(where + "truncated or corrupt: header length " + headerLength
                    + " does not fit the " + all.length + "-byte file");
        }
        byte[] headerBytes = new byte[headerLength];
        in.get(headerBytes);
        JsonNode header;
        DictionaryProvenance provenance;
        int d;
        int k;
        DataType type;
        try {
            header = JSON.readTree(headerBytes);
            d = requiredInt(header, "dimension", where);
            k = requiredInt(header, "atoms", where);
            type = DataType.valueOf(header.path("dataType").asText("?"));
            JsonNode p = header.get("provenance");
            if (p == null) {
                throw new IllegalArgumentException(where + "header has no \"provenance\"");
            }
            Map<String, String> attrs = p.has("attributes")
                    ? JSON.convertValue(p.get("attributes"), new TypeReference<Map<String, String>>() { })
                    : Map.of();
            provenance = new DictionaryProvenance(p.path("lambda").asDouble(Double.NaN), p.path("atoms").asInt(-1),
                    p.path("dimension").asInt(-1), p.path("iterations").asLong(-1), p.path("rowsSeen").asLong(-1),
                    p.path("seed").asLong(), p.path("data").asText(""), p.path("libraryVersion").asText("unknown"),
                    p.path("created").asText(""), attrs);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith(where)) {
                throw iae;
            }
            throw new IllegalArgumentException(where + "corrupt header: " + e.getMessage(), e);
        }
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(where + "unsupported data type " + type);
        }
        int width = type == DataType.DOUBLE ? 8 : 4;
        long expectedPayload = (long) d * k * width;
        if (in.remaining() < 8) {
            throw new IllegalArgumentException(where + "truncated before the payload length");
        }
        long payload = in.getLong();
        if (payload != expectedPayload) {
            throw new IllegalArgumentException(where + "corrupt: payload length " + payload + " but d=" + d + ", k="
                    + k + " in " + type + " needs " + expectedPayload);
        }
        long expectedFile = in.position() + payload + 8;
        if (all.length != expectedFile) {
            throw new IllegalArgumentException(where + (all.length < expectedFile ? "truncated" : "corrupt (trailing bytes)")
                    + ": expected " + expectedFile + " bytes, got " + all.length);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, (int) (expectedFile - 8));
        long stored = ByteBuffer.wrap(all, (int) (expectedFile - 8), 8).order(ByteOrder.BIG_ENDIAN).getLong();
        if (stored != crc.getValue()) {
            throw new IllegalArgumentException(where + "corrupt: checksum mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
        INDArray byAtom;
        if (width == 8) {
            double[] v = new double[d * k];
            in.asDoubleBuffer().get(v);
            byAtom = Nd4j.createFromArray(v).reshape(k, d);
        } else {
            float[] v = new float[d * k];
            in.asFloatBuffer().get(v);
            byAtom = Nd4j.createFromArray(v).reshape(k, d);
        }
        try {
            return of(byAtom.transpose().dup('c'), provenance);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode header, String field, String where) {
        JsonNode n = header.get(field);
        if (n == null || !n.canConvertToInt() || n.asInt() < 1) {
            throw new IllegalArgumentException(where + "header field \"" + field + "\" missing or not a positive int");
        }
        return n.asInt();
    }

    /**
     * A random dictionary with unit-norm Gaussian atoms (for tests, benchmarks and random initialisation).
     *
     * @param d    dimension
     * @param k    atoms
     * @param seed seed
     * @param type FLOAT or DOUBLE
     * @return [d, k] matrix with unit-norm columns
     */
    public static INDArray randomUnitAtoms(int d, int k, long seed, DataType type) {
        if (d < 1 || k < 1) {
            throw new IllegalArgumentException("need d >= 1 and k >= 1, got d=" + d + ", k=" + k);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[d * k];
        for (int j = 0; j < k; j++) {
            double n2 = 0;
            for (int i = 0; i < d; i++) {
                double g = gaussian(rnd);
                v[i * k + j] = g;
                n2 += g * g;
            }
            double inv = 1 / Math.sqrt(n2);
            for (int i = 0; i < d; i++) {
                v[i * k + j] *= inv;
            }
        }
        return Nd4j.createFromArray(v).reshape(d, k).castTo(type);
    }

    /** Standard normal by Box–Muller from a seeded generator. */
    static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public String toString() {
        return "Dictionary[d=" + dimension() + ", k=" + size() + ", " + dataType() + ", lambda=" + provenance.lambda()
                + ", iterations=" + provenance.iterations() + "]";
    }
}
