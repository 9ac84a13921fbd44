package io.mlsm.core.data;

import io.mlsm.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A corpus tokenised once into a compact binary file of token ids with an offset index, read through memory maps,
 * so epochs and shuffles never re-tokenise and corpora larger than memory stream from disk. Files are written
 * atomically (temporary file in the same directory, then an atomic rename) and carry the corpus digest, a
 * tokenizer fingerprint and the {@link SequenceOptions} in their header; {@link #openOrBuild} reuses a file only
 * when all three match.
 *
 * <pre>{@code
 * try (EncodedCorpus enc = EncodedCorpus.openOrBuild(corpus, tokenizer, SequenceOptions.defaults(), cacheDir)) {
 *     int[] ids = enc.get(0);                        // [CLS] A [SEP] B [SEP]
 * }
 * }</pre>
 *
 * <p>Layout (little-endian): a 256-byte header ({@code MLSMSEQ1} magic, format version, id width in bytes (2 when
 * the vocabulary has at most 65536 ids, else 4), options, vocabulary size, counts, region offsets, file size,
 * SHA-256 of the corpus and of the tokenizer), the ids of all sequences back to back, then {@code n + 1} long
 * offsets (in ids) of the sequence starts.
 */
public final class EncodedCorpus implements Sequences, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EncodedCorpus.class);

    /** File name extension of encoded corpora. */
    public static final String EXTENSION = ".mlsmseq";

    static final byte[] MAGIC = "MLSMSEQ1".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 256;
    static final long DEFAULT_SEGMENT_BYTES = 1L << 30;

    /**
     * The header of an encoded corpus file.
     *
     * @param options               how the sequences were built
     * @param vocabSize             vocabulary size of the tokenizer
     * @param tokenWidth            bytes per id (2 or 4)
     * @param sequenceCount         number of sequences
     * @param tokenCount            number of ids
     * @param longestSequence       length of the longest sequence
     * @param corpusSha256          hex SHA-256 of the corpus ({@link CorpusIdentity#sha256()})
     * @param tokenizerFingerprint  hex SHA-256 fingerprint of the tokenizer ({@link #tokenizerFingerprint})
     * @param linesRead             lines read from the corpus
     * @param droppedSequences      sequences dropped as too short
     * @param truncatedSequences    sequences truncated to the maximum length
     */
    public record Header(SequenceOptions options, int vocabSize, int tokenWidth, long sequenceCount, long tokenCount,
                         int longestSequence, String corpusSha256, String tokenizerFingerprint, long linesRead,
                         long droppedSequences, long truncatedSequences) {
    }

    private final Path file;
    private final Header header;
    private final MappedSegments tokens;
    private final MappedSegments offsets;
    private final int size;

    private EncodedCorpus(Path file, Header header, MappedSegments tokens, MappedSegments offsets) {
        this.file = file;
        this.header = header;
        this.tokens = tokens;
        this.offsets = offsets;
        this.size = (int) header.sequenceCount();
    }

    /**
     * Opens the cached encoding of ({@code corpus}, {@code tokenizer}, {@code options}) in {@code cacheDir}, building
     * it first when it is missing or does not match (a corrupt cache file is rebuilt with a warning).
     */
    public static EncodedCorpus openOrBuild(Corpus corpus, Tokenizer tokenizer, SequenceOptions options, Path cacheDir) {
        String corpusSha = corpus.identity().sha256();
        String tokFp = tokenizerFingerprint(tokenizer);
        String name = "corpus-" + corpusSha.substring(0, 16) + "-tok-" + tokFp.substring(0, 12) + "-L"
                + options.maxLength() + "-m" + options.minContentTokens() + (options.pairLines() ? "-pairs" : "-lines")
                + (options.windowLongLines() ? "-window" : "") + EXTENSION;
        Path file = cacheDir.resolve(name);
        if (Files.isRegularFile(file)) {
            try {
                EncodedCorpus enc = open(file);
                Header h = enc.header();
                if (h.corpusSha256().equals(corpusSha) && h.tokenizerFingerprint().equals(tokFp)
                        && h.options().equals(options) && h.vocabSize() == tokenizer.vocabSize()) {
                    LOG.info("Using encoded corpus {} ({} sequences, {} ids)", file, h.sequenceCount(), h.tokenCount());
                    return enc;
                }
                enc.close();
                LOG.warn("Encoded corpus {} does not match the corpus/tokenizer/options; rebuilding", file);
            } catch (IllegalArgumentException e) {
                LOG.warn("Encoded corpus {} is unreadable ({}); rebuilding", file, e.getMessage());
            }
        }
        return build(corpus, tokenizer, options, file);
    }

    /**
     * Tokenises {@code corpus} into {@code file} (written atomically, replacing an existing file) and opens it.
     *
     * @throws IllegalArgumentException when no sequence survives (every pair shorter than the minimum)
     */
    public static EncodedCorpus build(Corpus corpus, Tokenizer tokenizer, SequenceOptions options, Path file) {
        return build(corpus, tokenizer, options, file, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Tokenises {@code corpus} with {@code threads} threads into {@code file} (written atomically, replacing an
     * existing file) and opens it; the file is the same whatever the number of threads.
     *
     * @throws IllegalArgumentException when no sequence survives (every pair shorter than the minimum)
     */
    public static EncodedCorpus build(Corpus corpus, Tokenizer tokenizer, SequenceOptions options, Path file,
                                      int threads) {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        SequenceBuilder.Report[] report = new SequenceBuilder.Report[1];
        EncodedCorpus enc = write(file, tokenizer.vocabSize(), options, corpus.identity().sha256(),
                tokenizerFingerprint(tokenizer), sink -> report[0] = new SequenceBuilder(tokenizer, options)
                        .build(corpus, sink, threads), false, corpus.files().toString());
        SequenceBuilder.Report r = report[0];
        LOG.info("Encoded corpus {} into {}: {} lines, {} sequences ({} dropped as too short, {} truncated), {} ids "
                        + "in {} s", corpus.files().size() == 1 ? corpus.files().get(0) : corpus.files().size() + " files",
                file, r.lines(), r.sequences(), r.dropped(), r.truncated(), r.tokens(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return enc;
    }

    /**
     * Encodes one part of a corpus (typically one file: pairs never span two files, so a corpus encoded file by file
     * and joined with {@link #concatenate} equals {@link #build} of the whole) into {@code file}, on the calling
     * thread. A part that yields no sequence writes no file (and removes an old one).
     *
     * @return the counts of the part
     */
    public static SequenceBuilder.Report buildPart(Corpus part, Tokenizer tokenizer, SequenceOptions options,
                                                   Path file) {
        SequenceBuilder.Report[] report = new SequenceBuilder.Report[1];
        EncodedCorpus enc = write(file, tokenizer.vocabSize(), options, part.identity().sha256(),
                tokenizerFingerprint(tokenizer), sink -> report[0] = new SequenceBuilder(tokenizer, options)
                        .build(part, sink, 1), true, part.files().toString());
        if (enc != null) {
            enc.close();
        } else {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the old part " + file, e);
            }
        }
        return report[0];
    }

    /**
     * Joins encoded parts, in order, into one encoded corpus {@code file} (written atomically) whose header carries
     * the whole corpus's digest and counts: with the parts of {@link #buildPart} for each file of a corpus, the
     * result equals {@link #build} of that corpus byte for byte.
     *
     * @param parts        the parts in corpus order (parts that yielded no sequence are simply absent)
     * @param corpusSha256 the whole corpus's digest ({@link CorpusIdentity#sha256()})
     * @param totals       the counts summed over every part, those without sequences included
     * @param file         the file to create or replace
     * @return the joined corpus, opened
     * @throws IllegalArgumentException when the parts were built with other tokenizers, options or vocabulary sizes,
     *                                  when their sequence count disagrees with {@code totals}, or when there is no
     *                                  sequence at all
     */
    public static EncodedCorpus concatenate(List<EncodedCorpus> parts, String corpusSha256,
                                            SequenceBuilder.Report totals, Path file) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("corpus yields no sequence (" + totals.lines() + " lines read)");
        }
        Header first = parts.get(0).header();
        long sequences = 0;
        for (EncodedCorpus p : parts) {
            Header h = p.header();
            if (!h.options().equals(first.options()) || h.vocabSize() != first.vocabSize()
                    || !h.tokenizerFingerprint().equals(first.tokenizerFingerprint())) {
                throw new IllegalArgumentException("encoded part " + p.file() + " was built with "
                        + describe(h) + " but " + parts.get(0).file() + " with " + describe(first));
            }
            sequences += h.sequenceCount();
        }
        if (sequences != totals.sequences()) {
            throw new IllegalArgumentException("encoded parts hold " + sequences + " sequences, the counts say "
                    + totals.sequences());
        }
        EncodedCorpus out = write(file, first.vocabSize(), first.options(), corpusSha256,
                first.tokenizerFingerprint(), sink -> {
                    for (EncodedCorpus p : parts) {
                        for (int i = 0; i < p.size(); i++) {
                            sink.accept(p.get(i));
                        }
                    }
                    return totals;
                }, false, parts.size() + " parts");
        LOG.info("Encoded corpus {} joined from {} parts: {} sequences, {} ids", file, parts.size(), out.size(),
                out.tokenCount());
        return out;
    }

    private static String describe(Header h) {
        return h.options() + ", vocabulary " + h.vocabSize() + ", tokenizer " + h.tokenizerFingerprint().substring(0, 12);
    }

    /** Produces the sequences of a file in order and returns the counts of what it read. */
    @FunctionalInterface
    private interface SequenceSource {
        SequenceBuilder.Report feed(java.util.function.Consumer<int[]> sink);
    }

    /**
     * Writes the sequences of {@code source} into {@code file} atomically and opens it; with none, fails naming
     * {@code what}, or returns {@code null} (nothing written) when {@code allowEmpty}.
     */
    private static EncodedCorpus write(Path file, int vocabSize, SequenceOptions options, String corpusSha,
                                       String tokFp, SequenceSource source, boolean allowEmpty, String what) {
        Path dir = file.toAbsolutePath().getParent();
        int width = vocabSize <= 65536 ? 2 : 4;
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            long start = System.nanoTime();
            SequenceBuilder.Report report;
            long[][] offs = {new long[1024]};
            int[] longest = {0};
            long[] count = {0};
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.position(HEADER_BYTES);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                long[] lastLog = {start};
                report = source.feed(ids -> {
                    long n = count[0];
                    if (n + 2 > offs[0].length) {
                        if (n + 2 > Integer.MAX_VALUE - 8) {
                            throw new IllegalArgumentException("corpus has more than " + (Integer.MAX_VALUE - 10)
                                    + " sequences; split it");
                        }
                        offs[0] = Arrays.copyOf(offs[0], (int) Math.min(Integer.MAX_VALUE - 8L, offs[0].length * 2L));
                    }
                    offs[0][(int) n + 1] = offs[0][(int) n] + ids.length;
                    count[0] = n + 1;
                    longest[0] = Math.max(longest[0], ids.length);
                    for (int id : ids) {
                        if (buf.remaining() < 4) {
                            flush(ch, buf);
                        }
                        if (width == 2) {
                            buf.putShort((short) id);
                        } else {
                            buf.putInt(id);
                        }
                    }
                    long now = System.nanoTime();
                    if (now - lastLog[0] > 10_000_000_000L) {
                        lastLog[0] = now;
                        LOG.info("Encoding corpus: {} sequences, {} ids so far", count[0], offs[0][(int) count[0]]);
                    }
                });
                if (count[0] == 0) {
                    if (allowEmpty) {
                        return null;
                    }
                    throw new IllegalArgumentException("corpus " + what + " yields no sequence with at least "
                            + options.minContentTokens() + " content tokens (" + report.lines() + " lines read)");
                }
                long n = count[0];
                long tokenCount = offs[0][(int) n];
                long tokensEnd = HEADER_BYTES + tokenCount * width;
                long offsetsStart = (tokensEnd + 7) & ~7L;
                for (long p = tokensEnd; p < offsetsStart; p++) {
                    if (buf.remaining() < 8) {
                        flush(ch, buf);
                    }
                    buf.put((byte) 0);
                }
                for (int i = 0; i <= n; i++) {
                    if (buf.remaining() < 8) {
                        flush(ch, buf);
                    }
                    buf.putLong(offs[0][i]);
                }
                flush(ch, buf);
                long fileSize = offsetsStart + (n + 1) * 8;
                Header h = new Header(options, vocabSize, width, n, tokenCount, longest[0], corpusSha, tokFp,
                        report.lines(), report.dropped(), report.truncated());
                ByteBuffer hb = encodeHeader(h, offsetsStart, fileSize);
                ch.write(hb, 0);
                ch.force(true);
                if (ch.size() != fileSize) {
                    throw new IllegalStateException("encoded corpus size " + ch.size() + " != expected " + fileSize);
                }
            }
            moveAtomically(tmp, file);
            tmp = null;
            return open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write encoded corpus " + file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static void flush(FileChannel ch, ByteBuffer buf) {
        buf.flip();
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.clear();
    }

    /**
     * Renames {@code tmp} (a file in the target's directory) onto {@code target} atomically; there is no non-atomic
     * fallback.
     *
     * @throws IOException naming the target and the reason when the file system cannot rename atomically, or when the
     *                     rename fails
     */
    static void moveAtomically(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot write " + target + ": the file system cannot rename " + tmp.getFileName()
                    + " onto it atomically (" + e.getMessage() + "); refusing a non-atomic write", e);
        }
    }

    private static ByteBuffer encodeHeader(Header h, long offsetsStart, long fileSize) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putInt(FORMAT_VERSION);
        b.putInt(h.tokenWidth());
        b.putInt(h.options().maxLength());
        b.putInt(h.options().minContentTokens());
        b.putInt((h.options().pairLines() ? 1 : 0) | (h.options().windowLongLines() ? 2 : 0));
        b.putInt(h.vocabSize());
        b.putLong(h.sequenceCount());
        b.putLong(h.tokenCount());
        b.putLong(HEADER_BYTES);
        b.putLong(offsetsStart);
        b.putLong(fileSize);
        b.putInt(h.longestSequence());
        b.putInt(0);
        b.put(HexFormat.of().parseHex(h.corpusSha256()));
        b.put(HexFormat.of().parseHex(h.tokenizerFingerprint()));
        b.putLong(h.linesRead());
        b.putLong(h.droppedSequences());
        b.putLong(h.truncatedSequences());
        b.position(0);
        return b;
    }

    /**
     * Opens an encoded corpus file.
     *
     * @throws IllegalArgumentException naming the file when it is not an encoded corpus, of another format version,
     *                                  truncated or inconsistent
     */
    public static EncodedCorpus open(Path file) {
        return open(file, DEFAULT_SEGMENT_BYTES);
    }

    static EncodedCorpus open(Path file, long segmentBytes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("encoded corpus file does not exist: " + file.toAbsolutePath());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long actual = ch.size();
            if (actual < HEADER_BYTES) {
                throw new IllegalArgumentException("encoded corpus file is truncated (" + actual + " bytes, header needs "
                        + HEADER_BYTES + "): " + file.toAbsolutePath());
            }
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // read the header
            }
            b.flip();
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not an encoded corpus file (bad magic): " + file.toAbsolutePath());
            }
            int version = b.getInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("encoded corpus format version " + version + " is not supported "
                        + "(expected " + FORMAT_VERSION + "): " + file.toAbsolutePath());
            }
            int width = b.getInt();
            int maxLength = b.getInt();
            int minContent = b.getInt();
            int pair = b.getInt();
            int vocab = b.getInt();
            long n = b.getLong();
            long tokenCount = b.getLong();
            long tokensStart = b.getLong();
            long offsetsStart = b.getLong();
            long fileSize = b.getLong();
            int longest = b.getInt();
            b.getInt();
            byte[] corpusSha = new byte[32];
            byte[] tokSha = new byte[32];
            b.get(corpusSha);
            b.get(tokSha);
            long lines = b.getLong();
            long dropped = b.getLong();
            long truncated = b.getLong();
            if ((width != 2 && width != 4) || n < 1 || n > Integer.MAX_VALUE - 10 || tokenCount < n
                    || tokensStart != HEADER_BYTES || offsetsStart < tokensStart + tokenCount * width
                    || fileSize != offsetsStart + (n + 1) * 8 || longest < 1 || longest > maxLength || pair < 0
                    || pair > 3) {
                throw new IllegalArgumentException("encoded corpus header is inconsistent: " + file.toAbsolutePath());
            }
            if (actual != fileSize) {
                throw new IllegalArgumentException("encoded corpus file is truncated or has trailing bytes (" + actual
                        + " bytes, header says " + fileSize + "): " + file.toAbsolutePath());
            }
            SequenceOptions options = new SequenceOptions(maxLength, minContent, (pair & 1) == 1, (pair & 2) == 2);
            Header h = new Header(options, vocab, width, n, tokenCount, longest, HexFormat.of().formatHex(corpusSha),
                    HexFormat.of().formatHex(tokSha), lines, dropped, truncated);
            MappedSegments tok = new MappedSegments(ch, tokensStart, tokenCount * width, segmentBytes,
                    (long) maxLength * width);
            MappedSegments off = new MappedSegments(ch, offsetsStart, (n + 1) * 8, segmentBytes, 16);
            if (off.getLong(0) != 0 || off.getLong(n * 8) != tokenCount) {
                throw new IllegalArgumentException("encoded corpus offset index is inconsistent: " + file.toAbsolutePath());
            }
            return new EncodedCorpus(file, h, tok, off);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read encoded corpus " + file.toAbsolutePath(), e);
        }
    }

    /**
     * A SHA-256 over the tokenizer's vocabulary size, special ids, every piece and the encoding of a probe text:
     * two tokenizers with the same fingerprint produce the same ids (up to segmentation scores the probe misses).
     */
    public static String tokenizerFingerprint(Tokenizer tokenizer) {
        MessageDigest md = Corpus.sha256();
        ByteBuffer b = ByteBuffer.allocate(4 * 6).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(tokenizer.vocabSize()).putInt(tokenizer.specials().cls()).putInt(tokenizer.specials().sep())
                .putInt(tokenizer.specials().unk()).putInt(tokenizer.specials().pad()).putInt(tokenizer.specials().mask());
        md.update(b.array());
        for (int i = 0; i < tokenizer.vocabSize(); i++) {
            String piece = tokenizer.idToPiece(i);
            md.update(String.valueOf(piece).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        String probe = "The quick brown fox jumps over the lazy dog. \"Curiouser and curiouser!\" cried Alice, 1865.";
        for (int id : tokenizer.encode(probe)) {
            md.update(new byte[] {(byte) id, (byte) (id >>> 8), (byte) (id >>> 16), (byte) (id >>> 24)});
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the header */
    public Header header() {
        return header;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int length(int index) {
        Objects.checkIndex(index, size);
        return (int) (offsets.getLong((long) (index + 1) * 8) - offsets.getLong((long) index * 8));
    }

    @Override
    public int[] get(int index) {
        int[] out = new int[length(index)];
        copyTo(index, out, 0);
        return out;
    }

    @Override
    public int copyTo(int index, int[] dest, int offset) {
        Objects.checkIndex(index, size);
        long from = offsets.getLong((long) index * 8);
        int len = (int) (offsets.getLong((long) (index + 1) * 8) - from);
        if (header.tokenWidth() == 2) {
            tokens.getUnsignedShorts(from * 2, dest, offset, len);
        } else {
            tokens.getInts(from * 4, dest, offset, len);
        }
        return len;
    }

    @Override
    public int maxLength() {
        return header.longestSequence();
    }

    @Override
    public long tokenCount() {
        return header.tokenCount();
    }

    /** Drops the references to the maps; the operating system unmaps them when they are collected. */
    @Override
    public void close() {
        tokens.release();
        offsets.release();
    }

    @Override
    public String toString() {
        return "EncodedCorpus[" + file + ", " + size + " sequences, " + header.tokenCount() + " ids]";
    }

    /**
     * A read-only region of a file mapped as overlapping segments, so that regions beyond 2 GiB can be mapped and any
     * read of at most {@code overlap} bytes lies inside one segment.
     */
    static final class MappedSegments {
        private final long segmentBytes;
        private volatile MappedByteBuffer[] segments;

        MappedSegments(FileChannel ch, long start, long length, long segmentBytes, long overlap) throws IOException {
            if (segmentBytes + overlap > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("segment too large: " + segmentBytes + " + " + overlap);
            }
            this.segmentBytes = segmentBytes;
            List<MappedByteBuffer> list = new ArrayList<>();
            for (long s = 0; s < Math.max(1, length); s += segmentBytes) {
                long len = Math.min(length - s, segmentBytes + overlap);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, start + s, Math.max(0, len));
                m.order(ByteOrder.LITTLE_ENDIAN);
                list.add(m);
            }
            segments = list.toArray(new MappedByteBuffer[0]);
        }

        private MappedByteBuffer segment(long pos) {
            MappedByteBuffer[] segs = segments;
            if (segs == null) {
                throw new IllegalStateException("encoded corpus is closed");
            }
            return segs[(int) (pos / segmentBytes)];
        }

        long getLong(long pos) {
            return segment(pos).getLong((int) (pos % segmentBytes));
        }

        void getUnsignedShorts(long pos, int[] dest, int offset, int count) {
            MappedByteBuffer m = segment(pos);
            int p = (int) (pos % segmentBytes);
            for (int i = 0; i < count; i++) {
                dest[offset + i] = m.getShort(p + 2 * i) & 0xFFFF;
            }
        }

        void getInts(long pos, int[] dest, int offset, int count) {
            MappedByteBuffer m = segment(pos);
            int p = (int) (pos % segmentBytes);
            for (int i = 0; i < count; i++) {
                dest[offset + i] = m.getInt(p + 4 * i);
            }
        }

        void release() {
            segments = null;
        }
    }
}
