package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.core.data.BatchStream;
import io.mlsm.core.data.Masking;
import io.mlsm.core.data.Sequences;
import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.models.DebertaModel;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.sparse.CompactTargets;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.SparseCodes;
import io.mlsm.sparse.SparseTargets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * MLSM / LSM targets of a whole corpus, computed once and stored on disk in a compact top-n form, so that later
 * epochs run no teacher. Targets do not depend on masking: the teacher reads the unmasked sequence, so the target of
 * a token is a property of (teacher, layer, dictionary, solver, corpus) alone. For every token position of every
 * sequence the file holds the {@code topN} largest entries of the token's concept distribution
 * p = α/‖α‖₁ ({@link SparseTargets#compact}: sorted by decreasing value, renormalised to sum to 1 after
 * truncation); special tokens and all-zero codes are stored as zero rows. {@link CachedConceptTargets} turns the rows
 * of a batch's targets back into the dense {@code [N, k]} array the MLSM loss takes (Berend 2023, "Masked latent
 * semantic modeling").
 *
 * <p>File layout (little-endian): a {@value #HEADER_BYTES}-byte header — magic {@code MLSMTGT1}, format version,
 * k, topN, sequence count, token count, SHA-256 fingerprints of the teacher (weights + layer), the coder (dictionary
 * atoms + solver settings) and the corpus (every id), a CRC32C of the data and a CRC32C of the header — then one
 * record of {@code topN} int32 atom ids (−1 for an empty slot) followed by {@code topN} float32 probabilities per
 * token, tokens in sequence order. A token's record offset follows from {@link Sequences#length}, so nothing else is
 * stored. The file is written atomically and read through memory maps in segments (files may exceed 2 GiB).
 *
 * <pre>{@code
 * ConceptTargetCache.Fingerprints fp = ConceptTargetCache.Fingerprints.of(teacher, -1, fista, sequences);
 * ConceptTargetCache cache = Files.exists(file) ? ConceptTargetCache.open(file, sequences, fp)
 *         : ConceptTargetCache.builder(sequences, tokenizer.specials())
 *                 .teacher(teacher, -1).solver(fista).topN(32).batchSize(32).build(file);
 * TargetSource targets = new CachedConceptTargets(cache);          // phase 2, no teacher
 * }</pre>
 */
public final class ConceptTargetCache {

    private static final Logger LOG = LoggerFactory.getLogger(ConceptTargetCache.class);

    /** File name extension of caches. */
    public static final String EXTENSION = ".mlsmtgt";
    /** Format version written by this class. */
    public static final int FORMAT_VERSION = 1;
    /** Size of the header in bytes. */
    public static final int HEADER_BYTES = 160;

    private static final byte[] MAGIC = "MLSMTGT1".getBytes(StandardCharsets.US_ASCII);
    private static final int FINGERPRINT_BYTES = 32;
    private static final long DEFAULT_SEGMENT_BYTES = 1L << 30;

    private final Path file;
    private final int k;
    private final int topN;
    private final int sequenceCount;
    private final long tokenCount;
    private final Fingerprints fingerprints;
    private final long dataCrc;
    private final long[] offsets;
    private final int recordBytes;
    private final long recordsPerSegment;
    private final ByteBuffer[] segments;

    private ConceptTargetCache(Path file, Header h, long[] offsets, long segmentBytes) throws IOException {
        this.file = file;
        this.k = h.k;
        this.topN = h.topN;
        this.sequenceCount = h.sequenceCount;
        this.tokenCount = h.tokenCount;
        this.fingerprints = h.fingerprints;
        this.dataCrc = h.dataCrc;
        this.offsets = offsets;
        this.recordBytes = recordBytes(topN);
        this.recordsPerSegment = Math.max(1, segmentBytes / recordBytes);
        int count = (int) ((tokenCount + recordsPerSegment - 1) / recordsPerSegment);
        this.segments = new ByteBuffer[count];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int s = 0; s < count; s++) {
                long first = s * recordsPerSegment;
                long records = Math.min(recordsPerSegment, tokenCount - first);
                segments[s] = ch.map(FileChannel.MapMode.READ_ONLY, HEADER_BYTES + first * recordBytes,
                        records * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * What a cache was computed from: SHA-256 digests (hex) of the teacher's weights and layer, of the coder
     * (dictionary atoms and solver settings) and of the corpus (every sequence's ids). A cache whose fingerprints differ
     * from the current inputs is stale.
     *
     * @param teacher    digest of the teacher's parameters (sorted by name, shape and float32 values) and the layer
     * @param coder      digest of the dictionary atoms (float32) and the solver's options
     * @param corpus     digest of the sequence count and every sequence's length and ids
     */
    public record Fingerprints(String teacher, String coder, String corpus) {

        /** Checks that each is a 64-digit lower-case hex SHA-256. */
        public Fingerprints {
            check("teacher", teacher);
            check("coder", coder);
            check("corpus", corpus);
        }

        private static void check(String name, String hex) {
            if (hex == null || !hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(name + " fingerprint must be 64 lower-case hex digits, got " + hex);
            }
        }

        /**
         * Computes the fingerprints of the inputs of a cache (reads every teacher weight and every corpus id).
         *
         * @param teacher   the teacher
         * @param layer     hidden-state layer as in {@link ConceptTargets}
         * @param solver    the solver (its dictionary and options)
         * @param sequences the corpus
         * @return the fingerprints
         */
        public static Fingerprints of(DebertaModel teacher, int layer, NonNegativeFista solver, Sequences sequences) {
            return new Fingerprints(teacher(teacher, layer), coder(solver), corpus(sequences));
        }

        /** @return the digest of the teacher's weights and the hidden-state index of {@code layer} */
        public static String teacher(DebertaModel teacher, int layer) {
            MessageDigest md = sha256();
            int index = ConceptTargets.hiddenStateIndex(layer, teacher.config().numLayers());
            md.update(("layer=" + index + ";").getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, INDArray> e : new TreeMap<>(teacher.parameters()).entrySet()) {
                md.update((e.getKey() + Arrays.toString(e.getValue().shape()) + ";").getBytes(StandardCharsets.UTF_8));
                updateFloats(md, e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        }

        /** @return the digest of the solver's dictionary atoms and options */
        public static String coder(NonNegativeFista solver) {
            MessageDigest md = sha256();
            NonNegativeFista.Options o = solver.options();
            md.update(("lambda=" + o.lambda() + ";it=" + o.maxIterations() + ";tol=" + o.tolerance() + ";restart="
                    + o.adaptiveRestart() + ";norm=" + o.normaliseInput() + ";type=" + o.dataType() + ";d="
                    + solver.dictionary().dimension() + ";k=" + solver.dictionary().size() + ";")
                    .getBytes(StandardCharsets.UTF_8));
            updateFloats(md, solver.dictionary().atoms());
            return HexFormat.of().formatHex(md.digest());
        }

        /** @return the digest of every sequence's length and ids */
        public static String corpus(Sequences sequences) {
            MessageDigest md = sha256();
            int n = sequences.size();
            ByteBuffer b = ByteBuffer.allocate(4 * (sequences.maxLength() + 1)).order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[Math.max(1, sequences.maxLength())];
            md.update(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, n).array());
            for (int i = 0; i < n; i++) {
                int len = sequences.copyTo(i, ids, 0);
                b.clear();
                b.putInt(len);
                for (int t = 0; t < len; t++) {
                    b.putInt(ids[t]);
                }
                b.flip();
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        }

        private static void updateFloats(MessageDigest md, INDArray a) {
            float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            md.update(b.array());
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        }
    }

    /** Progress of {@link Builder#build(Path)}. */
    @FunctionalInterface
    public interface BuildListener {
        /**
         * Called after each batch of sequences was coded and written.
         *
         * @param sequencesDone sequences written so far
         * @param sequenceCount all sequences
         * @param tokensDone    token records written so far
         */
        void onProgress(long sequencesDone, long sequenceCount, long tokensDone);
    }

    /**
     * @param sequences the corpus (sequence {@code i} of the cache is sequence {@code i} here)
     * @param specials  special-token ids (stored as zero rows, never coded)
     * @return a builder
     */
    public static Builder builder(Sequences sequences, SpecialTokens specials) {
        return new Builder(sequences, specials);
    }

    /** Fluent configuration of a cache build. Defaults: topN 32, batch size 32, layer −1. */
    public static final class Builder {
        private final Sequences sequences;
        private final SpecialTokens specials;
        private DebertaModel teacher;
        private int layer = -1;
        private NonNegativeFista solver;
        private int topN = 32;
        private int batchSize = 32;
        private BuildListener listener = (done, total, tokens) -> { };
        private final FlopCount spent = new FlopCount();

        private Builder(Sequences sequences, SpecialTokens specials) {
            this.sequences = Objects.requireNonNull(sequences, "sequences");
            this.specials = Objects.requireNonNull(specials, "specials");
        }

        /** @param model the teacher @param hiddenLayer layer as in {@link ConceptTargets} @return this */
        public Builder teacher(DebertaModel model, int hiddenLayer) {
            this.teacher = Objects.requireNonNull(model, "teacher");
            this.layer = hiddenLayer;
            return this;
        }

        /** @param s the solver (its dictionary defines k; should normalise its input) @return this */
        public Builder solver(NonNegativeFista s) {
            this.solver = Objects.requireNonNull(s, "solver");
            return this;
        }

        /** @param n concepts kept per token, {@code >= 1} (n ≥ k keeps every non-zero) @return this */
        public Builder topN(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("topN must be >= 1, got " + n);
            }
            this.topN = n;
            return this;
        }

        /** @param n sequences per teacher forward pass, {@code >= 1} @return this */
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /**
         * @return operations the builds of this builder have spent so far ({@link FlopCount#TEACHER_FORWARD},
         * {@link FlopCount#SPARSE_CODING})
         */
        public Map<String, Double> flops() {
            return spent.snapshot();
        }

        /** @param l progress listener (SLF4J logging happens anyway) @return this */
        public Builder listener(BuildListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * Runs the teacher over every sequence, codes every real non-special token and writes the cache atomically
         * (on failure no file, not even a partial one, is left at {@code file}).
         *
         * @param file the cache file to create or replace
         * @return the cache, opened
         * @throws IOException              on a write failure
         * @throws IllegalArgumentException on a missing teacher or solver, a dimension mismatch or bad sequences
         */
        public ConceptTargetCache build(Path file) throws IOException {
            int k = validate();
            int n = sequences.size();
            long tokens = sequences.tokenCount();
            Fingerprints fp = Fingerprints.of(teacher, layer, solver, sequences);
            LOG.info("target cache: coding {} tokens of {} sequences (k={}, top {}) into {}", tokens, n, k, topN, file);
            long t0 = System.nanoTime();
            AtomicFiles.write(file, ch -> {
                ch.write(ByteBuffer.allocate(HEADER_BYTES)); // placeholder, rewritten at the end
                CRC32C crc = new CRC32C();
                code(sequences, ch, crc, true);
                ByteBuffer header = header(k, topN, n, tokens, fp, crc.getValue());
                long pos = 0;
                while (header.hasRemaining()) {
                    pos += ch.write(header, pos);
                }
            });
            LOG.info("target cache: {} written ({} MiB) in {} s", file, Files.size(file) >> 20,
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            return open(file, sequences, fp);
        }

        /**
         * Codes the sequences {@code [from, to)} into a shard file (written atomically) that {@link #assemble} later
         * joins with the other shards into a cache equal, byte for byte, to what {@link #build} writes. The shard's
         * batches are the whole build's batches, so {@code from} must be a multiple of the batch size; distributed
         * jobs ({@code mlsm-spark}) give each task one shard.
         *
         * @param from     first sequence, a multiple of {@link #batchSize(int)}
         * @param to       last sequence, exclusive
         * @param expected the fingerprints of the whole build's inputs (computed once by the caller, recorded in the
         *                 shard so that a shard of other inputs is never joined in)
         * @param shard    the shard file to create or replace
         * @return what the shard holds
         * @throws IOException              on a write failure
         * @throws IllegalArgumentException on a misaligned or out-of-range slice, or as {@link #build}
         */
        public Shard buildShard(int from, int to, Fingerprints expected, Path shard) throws IOException {
            Objects.requireNonNull(expected, "expected fingerprints");
            int k = validate();
            if (from < 0 || to > sequences.size() || from >= to) {
                throw new IllegalArgumentException("shard range [" + from + ", " + to + ") is empty or outside the "
                        + sequences.size() + " sequences");
            }
            if (from % batchSize != 0) {
                throw new IllegalArgumentException("shard start " + from + " is not a multiple of the batch size "
                        + batchSize + ": its batches would differ from a whole build's");
            }
            Sequences slice = sequences.slice(from, to);
            long tokens = slice.tokenCount();
            long[] crcOut = new long[1];
            AtomicFiles.write(shard, ch -> {
                ch.write(ByteBuffer.allocate(HEADER_BYTES));
                CRC32C crc = new CRC32C();
                code(slice, ch, crc, false);
                crcOut[0] = crc.getValue();
                ByteBuffer header = shardHeader(k, topN, from, to, tokens, expected, crc.getValue());
                long pos = 0;
                while (header.hasRemaining()) {
                    pos += ch.write(header, pos);
                }
            });
            return new Shard(shard, from, to, tokens, k, topN, expected, crcOut[0]);
        }

        /** Checks the configuration; @return k */
        private int validate() {
            if (teacher == null || solver == null) {
                throw new IllegalArgumentException("a cache build needs teacher(...) and solver(...)");
            }
            new ConceptTargets(teacher, layer, solver.dictionary(), solver); // validates layer and dimensions
            if (sequences.size() < 1) {
                throw new IllegalArgumentException("no sequences to cache");
            }
            return solver.dictionary().size();
        }

        /** Codes every token of {@code part} in batches of {@link #batchSize} and writes its records to {@code ch}. */
        private void code(Sequences part, java.nio.channels.WritableByteChannel ch, CRC32C crc, boolean log)
                throws IOException {
            int hiddenIndex = ConceptTargets.hiddenStateIndex(layer, teacher.config().numLayers());
            DebertaModel encoder = ConceptTargets.upTo(teacher, hiddenIndex);    // no layer after the one used
            int n = part.size();
            long tokens = part.tokenCount();
            int rec = recordBytes(topN);
            BatchStream stream = BatchStream.builder(part, specials, teacher.config().vocabSize())
                    .batchSize(batchSize).masking(Masking.none()).shuffle(false).dropLast(false).epochs(1).build();
            long written = 0;
            long sequencesDone = 0;
            long lastLog = System.nanoTime();
            long codedTokens = 0;
            long truncatedTokens = 0;
            double droppedMass = 0;
            for (Batch batch : stream) {
                int t = batch.length();
                int[] ids = batch.originalIds();
                int[] mask = batch.attentionMask();
                int[] rows = new int[ids.length];
                int coded = 0;
                for (int i = 0; i < ids.length; i++) {
                    if (mask[i] == 1 && !specials.isSpecial(ids[i])) {
                        rows[coded++] = i;
                    }
                }
                CompactTargets compact = null;
                if (coded > 0) {
                    INDArray hidden = encoder.hiddenStates(batch.originalIdsArray(DataType.INT32),
                            batch.attentionMaskArray(teacher.dataType())).get(hiddenIndex);       // [B, T, H]
                    spent.teacherPass(encoder, batch);
                    INDArray flat = hidden.reshape((long) batch.batchSize() * t, hidden.size(2)); // [B*T, H]
                    INDArray picked = Nd4j.pullRows(flat, 1, Arrays.copyOf(rows, coded));        // [n, H]
                    SparseCodes codes = solver.solve(picked);
                    compact = SparseTargets.compact(codes.codes(), topN);                         // n x top-n
                    spent.sparseCoding(picked, codes);
                    codedTokens += coded;
                    for (float m : compact.droppedMass()) {
                        truncatedTokens += m > 1e-6f ? 1 : 0; // above summation-order rounding
                        droppedMass += m;
                    }
                }
                ByteBuffer out = ByteBuffer.allocate(batch.tokenCount() * rec).order(ByteOrder.LITTLE_ENDIAN);
                int next = 0;
                for (int b = 0; b < batch.batchSize(); b++) {
                    for (int p = b * t; p < (b + 1) * t && mask[p] == 1; p++) {
                        if (next < coded && rows[next] == p) {
                            putRecord(out, compact, next++);
                        } else {
                            putZeroRecord(out, topN);
                        }
                    }
                }
                out.flip();
                crc.update(out.duplicate());
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                written += batch.tokenCount();
                sequencesDone += batch.batchSize();
                listener.onProgress(sequencesDone, n, written);
                if (log && System.nanoTime() - lastLog > 30_000_000_000L) {
                    lastLog = System.nanoTime();
                    LOG.info("target cache: {}/{} sequences, {} tokens", sequencesDone, n, written);
                }
            }
            if (written != tokens) {
                throw new IllegalStateException("wrote " + written + " token records but the sequences hold "
                        + tokens + " tokens");
            }
            if (log) {
                LOG.info("target cache: {} of {} coded tokens had more than {} non-zero concepts (mean dropped mass "
                        + "{} among them)", truncatedTokens, codedTokens, topN,
                        truncatedTokens == 0 ? 0 : (float) (droppedMass / truncatedTokens));
            }
        }

        private static void putRecord(ByteBuffer out, CompactTargets c, int row) {
            int n = c.topN();
            for (int s = 0; s < n; s++) {
                out.putInt(c.index(row, s));
            }
            for (int s = 0; s < n; s++) {
                out.putFloat(c.value(row, s));
            }
        }

        private static void putZeroRecord(ByteBuffer out, int topN) {
            for (int s = 0; s < topN; s++) {
                out.putInt(-1);
            }
            for (int s = 0; s < topN; s++) {
                out.putFloat(0f);
            }
        }
    }

    private static int recordBytes(int topN) {
        return 8 * topN;
    }

    private static ByteBuffer header(int k, int topN, int sequences, long tokens, Fingerprints fp, long dataCrc) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC);
        h.putInt(FORMAT_VERSION);
        h.putInt(k);
        h.putInt(topN);
        h.putInt(sequences);
        h.putLong(tokens);
        h.put(HexFormat.of().parseHex(fp.teacher()));
        h.put(HexFormat.of().parseHex(fp.coder()));
        h.put(HexFormat.of().parseHex(fp.corpus()));
        h.putLong(dataCrc);
        return seal(h);
    }

    /**
     * One shard of a distributed cache build ({@link Builder#buildShard}): the records of the sequences
     * {@code [from, to)}, behind a {@value #HEADER_BYTES}-byte header (magic {@code MLSMTSH1}, version, k, topN, the
     * range, the token count, the three fingerprints of the whole build, a CRC32C of the data and one of the header).
     *
     * @param file         the shard file
     * @param from         first sequence
     * @param to           last sequence, exclusive
     * @param tokens       token records in the shard
     * @param k            concepts
     * @param topN         slots per token
     * @param fingerprints the inputs of the whole build
     * @param dataCrc      CRC32C of the records
     */
    public record Shard(Path file, int from, int to, long tokens, int k, int topN, Fingerprints fingerprints,
                        long dataCrc) {
    }

    /** File name extension of shards. */
    public static final String SHARD_EXTENSION = ".mlsmtsh";

    private static final byte[] SHARD_MAGIC = "MLSMTSH1".getBytes(StandardCharsets.US_ASCII);

    /** Appends the CRC32C of what {@code h} holds so far and returns it ready to write ({@value #HEADER_BYTES} bytes). */
    private static ByteBuffer seal(ByteBuffer h) {
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, h.position());
        h.putLong(crc.getValue());
        h.position(HEADER_BYTES);
        h.flip();
        return h;
    }

    /** Reads the {@value #HEADER_BYTES}-byte header of {@code file} (the caller checked its size). */
    private static ByteBuffer readHeaderBytes(Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (h.hasRemaining() && ch.read(h, h.position()) >= 0) {
                // read fully
            }
        }
        h.flip();
        return h;
    }

    /** Reads the stored CRC32C after the first {@code end} bytes of {@code h}; @return whether it matches them */
    private static boolean crcMatches(ByteBuffer h, int end) {
        long stored = h.getLong();
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, end);
        return crc.getValue() == stored;
    }

    private static ByteBuffer shardHeader(int k, int topN, int from, int to, long tokens, Fingerprints fp,
                                          long dataCrc) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(SHARD_MAGIC);
        h.putInt(FORMAT_VERSION);
        h.putInt(k);
        h.putInt(topN);
        h.putInt(from);
        h.putInt(to);
        h.putInt(0);
        h.putLong(tokens);
        h.put(HexFormat.of().parseHex(fp.teacher()));
        h.put(HexFormat.of().parseHex(fp.coder()));
        h.put(HexFormat.of().parseHex(fp.corpus()));
        h.putLong(dataCrc);
        return seal(h);
    }

    /**
     * Reads and checks a shard's header and size (not its data checksum: {@link #assemble} checks that while it
     * copies).
     *
     * @throws IllegalArgumentException naming the file when it is not a shard, of another version, corrupt or of the
     *                                  wrong size
     * @throws IOException              when it cannot be read
     */
    public static Shard readShard(Path file) throws IOException {
        String where = "target shard " + file + ": ";
        long size = Files.size(file);
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException(where + "truncated: " + size + " bytes, shorter than the header");
        }
        ByteBuffer h = readHeaderBytes(file);
        byte[] magic = new byte[SHARD_MAGIC.length];
        h.get(magic);
        if (!Arrays.equals(magic, SHARD_MAGIC)) {
            throw new IllegalArgumentException(where + "wrong magic: not a target shard");
        }
        int version = h.getInt();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException(where + "unsupported format version " + version);
        }
        int k = h.getInt();
        int topN = h.getInt();
        int from = h.getInt();
        int to = h.getInt();
        h.getInt();
        long tokens = h.getLong();
        byte[] t = new byte[FINGERPRINT_BYTES];
        byte[] c = new byte[FINGERPRINT_BYTES];
        byte[] q = new byte[FINGERPRINT_BYTES];
        h.get(t).get(c).get(q);
        long dataCrc = h.getLong();
        if (!crcMatches(h, h.position())) {
            throw new IllegalArgumentException(where + "corrupt header: checksum mismatch");
        }
        if (k < 1 || topN < 1 || from < 0 || to <= from || tokens < 0) {
            throw new IllegalArgumentException(where + "invalid header: k=" + k + ", topN=" + topN + ", range ["
                    + from + ", " + to + "), tokens=" + tokens);
        }
        long expected = HEADER_BYTES + tokens * recordBytes(topN);
        if (size != expected) {
            throw new IllegalArgumentException(where + "size " + size + " bytes, expected " + expected);
        }
        HexFormat hex = HexFormat.of();
        return new Shard(file, from, to, tokens, k, topN, new Fingerprints(hex.formatHex(t), hex.formatHex(c),
                hex.formatHex(q)), dataCrc);
    }

    /**
     * Joins shards that together cover every sequence into one cache at {@code file}, written atomically: until the
     * last byte is copied and checked nothing exists at {@code file}, so an interrupted join leaves no partial cache.
     * The result equals, byte for byte, the cache {@link Builder#build} writes from the same inputs.
     *
     * @param file      the cache file to create or replace
     * @param sequences the whole corpus
     * @param expected  the fingerprints the shards must carry
     * @param shards    the shard files, in any order
     * @return the cache, opened
     * @throws IllegalArgumentException naming the shard when one is missing, overlaps another, carries other
     *                                  fingerprints or settings, has the wrong token count or fails its checksum
     * @throws IOException              on a read or write failure
     */
    public static ConceptTargetCache assemble(Path file, Sequences sequences, Fingerprints expected,
                                              List<Path> shards) throws IOException {
        Objects.requireNonNull(expected, "expected fingerprints");
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to assemble into " + file);
        }
        List<Shard> parts = new ArrayList<>();
        for (Path p : shards) {
            parts.add(readShard(p));
        }
        parts.sort(java.util.Comparator.comparingInt(Shard::from));
        Shard first = parts.get(0);
        int next = 0;
        long tokens = 0;
        for (Shard sh : parts) {
            String where = "target shard " + sh.file() + ": ";
            if (sh.from() != next) {
                throw new IllegalArgumentException(where + (sh.from() > next ? "sequences [" + next + ", " + sh.from()
                        + ") are in no shard" : "overlaps the previous shard (starts at " + sh.from() + ", expected "
                        + next + ")"));
            }
            if (!sh.fingerprints().equals(expected)) {
                throw new IllegalArgumentException(where + "computed from other inputs (fingerprints differ)");
            }
            if (sh.k() != first.k() || sh.topN() != first.topN()) {
                throw new IllegalArgumentException(where + "k=" + sh.k() + ", topN=" + sh.topN() + " but the first "
                        + "shard has k=" + first.k() + ", topN=" + first.topN());
            }
            if (sh.to() > sequences.size()) {
                throw new IllegalArgumentException(where + "ends at sequence " + sh.to() + " beyond the corpus's "
                        + sequences.size());
            }
            long expectTokens = sequences.slice(sh.from(), sh.to()).tokenCount();
            if (sh.tokens() != expectTokens) {
                throw new IllegalArgumentException(where + sh.tokens() + " token records, the corpus has "
                        + expectTokens + " in that range");
            }
            next = sh.to();
            tokens += sh.tokens();
        }
        if (next != sequences.size()) {
            throw new IllegalArgumentException("target shards cover sequences [0, " + next + ") of "
                    + sequences.size() + ": the rest are in no shard");
        }
        long total = tokens;
        AtomicFiles.write(file, ch -> {
            ch.write(ByteBuffer.allocate(HEADER_BYTES));
            CRC32C all = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (Shard sh : parts) {
                CRC32C own = new CRC32C();
                try (FileChannel in = FileChannel.open(sh.file(), StandardOpenOption.READ)) {
                    in.position(HEADER_BYTES);
                    while (true) {
                        buf.clear();
                        if (in.read(buf) < 0) {
                            break;
                        }
                        buf.flip();
                        own.update(buf.duplicate());
                        all.update(buf.duplicate());
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                    }
                }
                if (own.getValue() != sh.dataCrc()) {
                    throw new IllegalArgumentException("target shard " + sh.file() + ": corrupt data: checksum "
                            + "mismatch; delete it and run the job again");
                }
            }
            ByteBuffer header = header(first.k(), first.topN(), sequences.size(), total, expected, all.getValue());
            long pos = 0;
            while (header.hasRemaining()) {
                pos += ch.write(header, pos);
            }
        });
        LOG.info("target cache: {} assembled from {} shards ({} tokens)", file, parts.size(), total);
        return open(file, sequences, expected);
    }

    private record Header(int k, int topN, int sequenceCount, long tokenCount, Fingerprints fingerprints,
                          long dataCrc) {
    }

    private static Header readHeader(Path file) throws IOException {
        long size = Files.size(file);
        String where = "target cache " + file + ": ";
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException(where + "truncated: " + size + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        ByteBuffer h = readHeaderBytes(file);
        byte[] magic = new byte[MAGIC.length];
        h.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(where + "wrong magic " + HexFormat.of().formatHex(magic)
                    + " (expected " + new String(MAGIC, StandardCharsets.US_ASCII) + "): not a target cache");
        }
        int version = h.getInt();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException(where + "unsupported format version " + version + " (this library reads "
                    + FORMAT_VERSION + ")");
        }
        int k = h.getInt();
        int topN = h.getInt();
        int sequences = h.getInt();
        long tokens = h.getLong();
        byte[] t = new byte[FINGERPRINT_BYTES];
        byte[] c = new byte[FINGERPRINT_BYTES];
        byte[] s = new byte[FINGERPRINT_BYTES];
        h.get(t).get(c).get(s);
        long dataCrc = h.getLong();
        int end = h.position();
        long storedCrc = h.getLong();
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, end);
        if (crc.getValue() != storedCrc) {
            throw new IllegalArgumentException(where + "corrupt header: checksum mismatch (stored "
                    + Long.toHexString(storedCrc) + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
        if (k < 1 || topN < 1 || sequences < 0 || tokens < 0) {
            throw new IllegalArgumentException(where + "invalid header: k=" + k + ", topN=" + topN + ", sequences="
                    + sequences + ", tokens=" + tokens);
        }
        long expected = HEADER_BYTES + tokens * recordBytes(topN);
        if (size != expected) {
            throw new IllegalArgumentException(where + (size < expected ? "truncated" : "trailing bytes") + ": "
                    + size + " bytes, expected " + expected + " (" + tokens + " tokens x " + recordBytes(topN)
                    + " bytes + header)");
        }
        HexFormat hex = HexFormat.of();
        return new Header(k, topN, sequences, tokens, new Fingerprints(hex.formatHex(t), hex.formatHex(c),
                hex.formatHex(s)), dataCrc);
    }

    /**
     * Opens a cache and checks that it belongs to {@code sequences} and to the expected inputs.
     *
     * @param file      the cache file
     * @param sequences the corpus it was built from
     * @param expected  fingerprints of the current teacher, coder and corpus ({@link Fingerprints#of})
     * @return the cache
     * @throws IllegalArgumentException naming the file and the problem: truncated, wrong magic or version, corrupt
     *                                  header, sequence or token count mismatch, stale fingerprint
     * @throws IOException              when the file cannot be read
     */
    public static ConceptTargetCache open(Path file, Sequences sequences, Fingerprints expected) throws IOException {
        return open(file, sequences, expected, DEFAULT_SEGMENT_BYTES);
    }

    /** As {@link #open(Path, Sequences, Fingerprints)} with a chosen map segment size (tests use small ones). */
    static ConceptTargetCache open(Path file, Sequences sequences, Fingerprints expected, long segmentBytes)
            throws IOException {
        Objects.requireNonNull(expected, "expected fingerprints");
        Header h = readHeader(file);
        String where = "target cache " + file + ": ";
        if (h.sequenceCount != sequences.size()) {
            throw new IllegalArgumentException(where + "sequence count mismatch: the cache holds " + h.sequenceCount
                    + " sequences, the corpus has " + sequences.size());
        }
        List<String> stale = new ArrayList<>();
        compare(stale, "teacher", h.fingerprints.teacher(), expected.teacher());
        compare(stale, "coder (dictionary/solver)", h.fingerprints.coder(), expected.coder());
        compare(stale, "corpus", h.fingerprints.corpus(), expected.corpus());
        if (!stale.isEmpty()) {
            throw new IllegalArgumentException(where + "stale: fingerprint mismatch of " + String.join("; ", stale)
                    + "; rebuild the cache");
        }
        long[] offsets = new long[sequences.size() + 1];
        for (int i = 0; i < sequences.size(); i++) {
            offsets[i + 1] = offsets[i] + sequences.length(i);
        }
        if (offsets[sequences.size()] != h.tokenCount) {
            throw new IllegalArgumentException(where + "token count mismatch: the cache holds " + h.tokenCount
                    + " tokens, the corpus has " + offsets[sequences.size()]);
        }
        return new ConceptTargetCache(file, h, offsets, segmentBytes);
    }

    private static void compare(List<String> out, String name, String stored, String expected) {
        if (!stored.equals(expected)) {
            out.add(name + " (cache " + stored.substring(0, 12) + "…, expected " + expected.substring(0, 12) + "…)");
        }
    }

    /**
     * Reads every record and checks the data checksum of the header (a full pass over the file).
     *
     * @throws IllegalArgumentException naming the file when the data does not match its checksum
     */
    public void verify() {
        CRC32C crc = new CRC32C();
        for (ByteBuffer s : segments) {
            crc.update(s.duplicate().clear());
        }
        if (crc.getValue() != dataCrc) {
            throw new IllegalArgumentException("target cache " + file + ": corrupt data: checksum mismatch (stored "
                    + Long.toHexString(dataCrc) + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
    }

    /** @return the cache file */
    public Path file() {
        return file;
    }

    /** @return the number of concepts k */
    public int k() {
        return k;
    }

    /** @return the slots per token */
    public int topN() {
        return topN;
    }

    /** @return the number of sequences */
    public int sequenceCount() {
        return sequenceCount;
    }

    /** @return the number of token records */
    public long tokenCount() {
        return tokenCount;
    }

    /** @return what the cache was computed from */
    public Fingerprints fingerprints() {
        return fingerprints;
    }

    /** @return the number of memory-mapped segments */
    int segmentCount() {
        return segments.length;
    }

    /**
     * @param sequence a sequence index
     * @param position a token position in it
     * @return the global token index of that position
     * @throws IndexOutOfBoundsException outside the corpus
     */
    public long tokenIndex(int sequence, int position) {
        Objects.checkIndex(sequence, sequenceCount);
        long start = offsets[sequence];
        Objects.checkIndex(position, (int) (offsets[sequence + 1] - start));
        return start + position;
    }

    /**
     * @param sequence a sequence index
     * @param position a token position in it
     * @return the token's stored top-n row ({@code rows = 1}); {@code zeroRows[0]} for a zero row; dropped mass is
     * not stored (reported as 0)
     */
    public CompactTargets row(int sequence, int position) {
        long token = tokenIndex(sequence, position);
        int[] idx = new int[topN];
        float[] val = new float[topN];
        ByteBuffer seg = segments[(int) (token / recordsPerSegment)];
        int base = (int) ((token % recordsPerSegment) * recordBytes);
        boolean zero = true;
        for (int s = 0; s < topN; s++) {
            idx[s] = seg.getInt(base + 4 * s);
            val[s] = seg.getFloat(base + 4 * (topN + s));
            zero &= idx[s] < 0;
        }
        return new CompactTargets(1, topN, idx, val, new boolean[]{zero}, new float[1]);
    }

    /**
     * Writes the dense distribution of one token into {@code dest[offset, offset + k)} (which must be zero there).
     *
     * @param token  a global token index ({@link #tokenIndex})
     * @param dest   the destination
     * @param offset where the token's k values start
     */
    void scatter(long token, float[] dest, int offset) {
        ByteBuffer seg = segments[(int) (token / recordsPerSegment)];
        int base = (int) ((token % recordsPerSegment) * recordBytes);
        for (int s = 0; s < topN; s++) {
            int j = seg.getInt(base + 4 * s);
            if (j < 0) {
                break; // slots are filled from the front; the rest are empty
            }
            if (j >= k) {
                throw new IllegalStateException("target cache " + file + ": atom index " + j + " of token " + token
                        + " is outside k=" + k + " (corrupt data)");
            }
            dest[offset + j] = seg.getFloat(base + 4 * (topN + s));
        }
    }

    @Override
    public String toString() {
        return "ConceptTargetCache[" + file + ", " + sequenceCount + " sequences, " + tokenCount + " tokens, k=" + k
                + ", top " + topN + "]";
    }
}
