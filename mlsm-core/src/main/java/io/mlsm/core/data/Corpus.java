package io.mlsm.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * A pre-training corpus: UTF-8 text files of lines, as in the BabyLM layout (one sentence or paragraph per line).
 * Files are validated when the corpus is created (they must exist, be regular files and contain at least one
 * non-blank line) and read by streaming, so a corpus need not fit in memory.
 *
 * <pre>{@code
 * Corpus a = Corpus.lines(Path.of("aochildes.train"), Path.of("simple_wiki.train"));
 * Corpus b = Corpus.directory(Path.of("train_10M"));             // every *.train and *.txt file, sorted by name
 * b.forEachLine((file, lineNo, line) -> ...);
 * String digest = b.identity().sha256();                        // provenance
 * UnigramTokenizer tok = UnigramTokenizer.train(b, options);   // a corpus is an Iterable<String> of its lines
 * }</pre>
 */
public final class Corpus implements Iterable<String> {

    /** File name pattern used by {@link #directory(Path)}. */
    public static final String DEFAULT_GLOB = "*.{train,txt}";

    private final List<Path> files;
    private volatile CorpusIdentity identity;

    private Corpus(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs at least one file, got none");
        }
        for (Path f : files) {
            validate(f);
        }
        this.files = List.copyOf(files);
    }

    /**
     * @param files text files of lines, read in the given order
     * @return the corpus
     * @throws IllegalArgumentException naming the file when one is missing, not a regular file, empty or blank
     */
    public static Corpus lines(Path... files) {
        return new Corpus(Arrays.asList(files.clone()));
    }

    /** @see #lines(Path...) */
    public static Corpus lines(List<Path> files) {
        return new Corpus(new ArrayList<>(files));
    }

    /** @return the corpus of every {@code *.train} and {@code *.txt} file directly in {@code dir}, sorted by name */
    public static Corpus directory(Path dir) {
        return directory(dir, DEFAULT_GLOB);
    }

    /**
     * @param dir  a directory
     * @param glob file name pattern, e.g. {@code "*.train"} or {@code "*.{dev,valid}"}
     * @return the corpus of the matching regular files directly in {@code dir}, sorted by name
     */
    public static Corpus directory(Path dir, String glob) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("corpus directory does not exist or is not a directory: "
                    + dir.toAbsolutePath());
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list corpus directory " + dir.toAbsolutePath(), e);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no corpus files matching " + glob + " in directory "
                    + dir.toAbsolutePath());
        }
        found.sort((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()));
        return new Corpus(found);
    }

    /** Name of the index file listing the files of a corpus bundled as class-path resources. */
    public static final String RESOURCE_INDEX = "files.txt";

    /**
     * Copies a corpus bundled as class-path resources (e.g. inside a jar) to {@code targetDir} and opens it. The
     * resource directory lists its files, one name a line, in {@value #RESOURCE_INDEX}; the listed files whose
     * names end with {@code suffix} are copied (each written atomically) in the listed order.
     *
     * <pre>{@code
     * Corpus quick = Corpus.fromResources(MyMain.class.getClassLoader(), "corpus", ".train", workDir.resolve("corpus"));
     * }</pre>
     *
     * @throws IllegalArgumentException naming the resource when the index or a listed file is missing, or when no
     *                                  listed file ends with {@code suffix}
     */
    public static Corpus fromResources(ClassLoader loader, String resourceDir, String suffix, Path targetDir) {
        String base = resourceDir.endsWith("/") ? resourceDir : resourceDir + "/";
        List<String> names = new ArrayList<>();
        try (InputStream index = loader.getResourceAsStream(base + RESOURCE_INDEX)) {
            if (index == null) {
                throw new IllegalArgumentException("class-path resource not found: " + base + RESOURCE_INDEX);
            }
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String name = line.strip();
                if (!name.isEmpty() && name.endsWith(suffix)) {
                    if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                        throw new IllegalArgumentException("bad file name '" + name + "' in " + base + RESOURCE_INDEX);
                    }
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class-path resource " + base + RESOURCE_INDEX, e);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no file ending with '" + suffix + "' listed in " + base + RESOURCE_INDEX);
        }
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(targetDir);
            for (String name : names) {
                Path target = targetDir.resolve(name);
                try (InputStream in = loader.getResourceAsStream(base + name)) {
                    if (in == null) {
                        throw new IllegalArgumentException("class-path resource not found: " + base + name
                                + " (listed in " + base + RESOURCE_INDEX + ")");
                    }
                    Path tmp = Files.createTempFile(targetDir, name, ".tmp");
                    try {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        EncodedCorpus.moveAtomically(tmp, target);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
                files.add(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy corpus resources " + base + " to " + targetDir, e);
        }
        return new Corpus(files);
    }

    private static void validate(Path f) {
        if (f == null) {
            throw new IllegalArgumentException("corpus file path is null");
        }
        if (!Files.exists(f)) {
            throw new IllegalArgumentException("corpus file does not exist: " + f.toAbsolutePath());
        }
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("corpus file is not a regular file: " + f.toAbsolutePath());
        }
        if (!Files.isReadable(f)) {
            throw new IllegalArgumentException("corpus file is not readable: " + f.toAbsolutePath());
        }
        try {
            if (Files.size(f) == 0) {
                throw new IllegalArgumentException("corpus file is empty (0 bytes): " + f.toAbsolutePath());
            }
            if (!hasNonBlankByte(f)) {
                throw new IllegalArgumentException("corpus file has only blank lines: " + f.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus file " + f.toAbsolutePath(), e);
        }
    }

    /** Reads until the first byte that is not ASCII white space (or a UTF-8 byte-order mark). */
    private static boolean hasNonBlankByte(Path f) throws IOException {
        byte[] buf = new byte[8192];
        try (InputStream in = Files.newInputStream(f)) {
            int n;
            boolean first = true;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                if (first && n >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
                    start = 3;
                }
                first = false;
                for (int i = start; i < n; i++) {
                    byte c = buf[i];
                    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x0B) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** @return the files, in reading order */
    public List<Path> files() {
        return files;
    }

    /** Receives the lines of a corpus. */
    @FunctionalInterface
    public interface LineVisitor {
        /**
         * @param fileIndex  index of the file in {@link #files()}
         * @param lineNumber 1-based line number in that file
         * @param line       the line without its terminator (may be blank)
         */
        void visit(int fileIndex, long lineNumber, String line);
    }

    /**
     * Streams every line of every file, in order. Lines are decoded as strict UTF-8 (a leading byte-order mark is
     * dropped); a malformed file raises an {@link UncheckedIOException} naming the file and line.
     */
    public void forEachLine(LineVisitor visitor) {
        for (int fi = 0; fi < files.size(); fi++) {
            Path f = files.get(fi);
            long lineNo = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(f),
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
                String line;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                        line = line.substring(1);
                    }
                    visitor.visit(fi, lineNo, line);
                }
            } catch (CharacterCodingException e) {
                throw new UncheckedIOException("corpus file is not valid UTF-8 (" + firstMalformed(f) + "): "
                        + f.toAbsolutePath(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + f.toAbsolutePath(), e);
            }
        }
    }

    /**
     * @return the lines of every file, in order, read lazily as UTF-8 (a malformed file raises an
     * {@link UncheckedIOException} while streaming); close the stream when done
     * <pre>{@code
     * try (Stream<String> lines = corpus.streamLines()) { lines.filter(l -> !l.isBlank()).forEach(trainer::add); }
     * }</pre>
     */
    public Stream<String> streamLines() {
        return files.stream().flatMap(f -> {
            try {
                return Files.lines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + f.toAbsolutePath(), e);
            }
        }).map(l -> !l.isEmpty() && l.charAt(0) == '\uFEFF' ? l.substring(1) : l);
    }

    /**
     * @return an iterator over the lines of every file, in order, reading lazily (strict UTF-8; a malformed file
     * raises an {@link UncheckedIOException} naming it). Each file is closed when its last line is read; an iterator
     * abandoned earlier leaves one file open until collected, so prefer {@link #streamLines()} in a
     * try-with-resources block when stopping early.
     */
    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int fileIndex = -1;
            private BufferedReader reader;
            private String next;
            private long lineNo;

            {
                advance();
            }

            private void advance() {
                try {
                    while (true) {
                        if (reader == null) {
                            if (++fileIndex >= files.size()) {
                                next = null;
                                return;
                            }
                            reader = new BufferedReader(new InputStreamReader(Files.newInputStream(files.get(fileIndex)),
                                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
                            lineNo = 0;
                        }
                        String line = reader.readLine();
                        if (line != null) {
                            lineNo++;
                            next = lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
                            return;
                        }
                        reader.close();
                        reader = null;
                    }
                } catch (CharacterCodingException e) {
                    Path f = files.get(fileIndex);
                    throw new UncheckedIOException("corpus file is not valid UTF-8 (" + firstMalformed(f) + "): "
                            + f.toAbsolutePath(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read corpus file " + files.get(fileIndex).toAbsolutePath(), e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public String next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                String s = next;
                advance();
                return s;
            }
        };
    }

    /** @return {@code "line L, byte B"} of the first malformed UTF-8 sequence of {@code f} (for error messages) */
    static String firstMalformed(Path f) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        CharBuffer out = CharBuffer.allocate(1 << 16);
        long consumed = 0;
        long line = 1;
        try (InputStream is = Files.newInputStream(f)) {
            boolean eof = false;
            while (true) {
                int n = eof ? -1 : is.read(in.array(), in.position(), in.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    in.position(in.position() + n);
                }
                in.flip();
                int before = in.position();
                CoderResult r = dec.decode(in, out, eof);
                consumed += in.position() - before;
                out.flip();
                while (out.hasRemaining()) {
                    if (out.get() == '\n') {
                        line++;
                    }
                }
                out.clear();
                if (r.isError()) {
                    return "line " + line + ", byte " + consumed;
                }
                in.compact();
                if (eof && in.position() == 0) {
                    return "position unknown";
                }
            }
        } catch (IOException e) {
            return "position unknown: " + e.getMessage();
        }
    }

    /** @return the total size of the files in bytes */
    public long totalBytes() {
        long sum = 0;
        for (Path f : files) {
            try {
                sum += Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stat corpus file " + f.toAbsolutePath(), e);
            }
        }
        return sum;
    }

    /**
     * @return the provenance of the corpus (file names, sizes, SHA-256 digests); computed once by reading every
     * byte, then cached
     */
    public CorpusIdentity identity() {
        CorpusIdentity id = identity;
        if (id == null) {
            id = computeIdentity();
            identity = id;
        }
        return id;
    }

    private CorpusIdentity computeIdentity() {
        List<CorpusIdentity.FileIdentity> entries = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            MessageDigest md = sha256();
            long size = 0;
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    size += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + f.toAbsolutePath(), e);
            }
            String hex = HexFormat.of().formatHex(md.digest());
            String name = f.getFileName().toString();
            entries.add(new CorpusIdentity.FileIdentity(name, size, hex));
        }
        return CorpusIdentity.of(entries);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "Corpus" + files;
    }
}
