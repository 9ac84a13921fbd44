package io.mlsm.core.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import java.util.List;
import java.util.Objects;

/**
 * Provenance of a corpus: each file's name, size and SHA-256 of its bytes, and one digest over all of them.
 *
 * <pre>{@code
 * CorpusIdentity id = Corpus.directory(dir).identity();
 * log.info("corpus {} ({} files, {} bytes)", id.sha256(), id.files().size(), id.totalBytes());
 * }</pre>
 *
 * @param files  one entry per file, in corpus order
 * @param sha256 hex SHA-256 over the files' names, sizes and digests, in order
 */
public record CorpusIdentity(List<FileIdentity> files, String sha256) {

    /**
     * @param name   file name (no directory)
     * @param bytes  size in bytes
     * @param sha256 hex SHA-256 of the file's bytes
     */
    public record FileIdentity(String name, long bytes, String sha256) {
        public FileIdentity {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
            if (bytes < 0) {
                throw new IllegalArgumentException("file size must be >= 0, got " + bytes + " for " + name);
            }
        }
    }

    public CorpusIdentity {
        files = List.copyOf(files);
        Objects.requireNonNull(sha256, "sha256");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a corpus identity needs at least one file");
        }
    }

    /**
     * The identity of a corpus of these files, in order: the digest over each file's name, size and digest (what
     * {@link Corpus#identity()} computes after reading the files).
     *
     * @param files one entry per file, at least one
     * @return the identity
     */
    public static CorpusIdentity of(List<FileIdentity> files) {
        MessageDigest all = Corpus.sha256();
        for (FileIdentity f : files) {
            all.update((f.name() + "\n" + f.bytes() + "\n" + f.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new CorpusIdentity(files, HexFormat.of().formatHex(all.digest()));
    }

    /** @return the total size of the files in bytes */
    public long totalBytes() {
        return files.stream().mapToLong(FileIdentity::bytes).sum();
    }
}
