package io.mlsm.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Writes files and directories so that readers see either the old content or the complete new content, never a
 * half-written file: content goes to a temporary sibling (same directory, so the same file system), is forced to
 * disk, and is then renamed onto the target with {@link StandardCopyOption#ATOMIC_MOVE}. On any failure the
 * temporary is deleted and the target is left as it was.
 *
 * <pre>{@code
 * AtomicFiles.write(dir.resolve("config.json"), bytes);
 * AtomicFiles.write(dir.resolve("model.safetensors"), ch -> ch.write(buffer));
 * AtomicFiles.writeDirectory(dir.resolve("step-1000"), tmp -> { ... write files into tmp ... });
 * }</pre>
 */
public final class AtomicFiles {

    /** Prefix of temporary siblings; such names are never valid outputs and may be deleted by cleanup tools. */
    public static final String TEMP_PREFIX = ".tmp-";

    private AtomicFiles() {
    }

    /** Writes the content of a file into an open channel. */
    @FunctionalInterface
    public interface ChannelBody {
        /**
         * @param channel the temporary file, opened for writing at position 0
         * @throws IOException to abort (the temporary is deleted)
         */
        void write(FileChannel channel) throws IOException;
    }

    /** Fills a temporary directory. */
    @FunctionalInterface
    public interface DirectoryBody {
        /**
         * @param directory the empty temporary directory
         * @throws IOException to abort (the temporary directory is deleted)
         */
        void write(Path directory) throws IOException;
    }

    /**
     * @param target file to create or replace
     * @param bytes  its complete content
     * @throws IOException on failure (target unchanged)
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    /**
     * @param target file to create or replace
     * @param body   writes the content
     * @throws IOException on failure (target unchanged)
     */
    public static void write(Path target, ChannelBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(TEMP_PREFIX + abs.getFileName() + "-" + UUID.randomUUID());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            } catch (FileSystemException e) {
                throw e;             // names its file already
            } catch (IOException e) {
                // a full disk says only "No space left on device": name the file it happened to
                throw new IOException("cannot write " + abs + ": " + e.getMessage(), e);
            }
            moveAtomically(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Builds a directory under a temporary sibling name and renames it onto {@code target}. An existing
     * {@code target} is replaced: it is first renamed aside, then deleted once the new directory is in place, so
     * {@code target} never shows a partial content (it is briefly absent).
     *
     * @param target directory to create or replace
     * @param body   fills the temporary directory
     * @throws IOException on failure (target unchanged, temporary removed)
     */
    public static void writeDirectory(Path target, DirectoryBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        String id = UUID.randomUUID().toString();
        Path tmp = parent.resolve(TEMP_PREFIX + abs.getFileName() + "-" + id);
        Path old = parent.resolve(TEMP_PREFIX + abs.getFileName() + "-old-" + id);
        boolean done = false;
        try {
            Files.createDirectory(tmp);
            try {
                body.write(tmp);
                forceDirectoryTree(tmp);
            } catch (FileSystemException e) {
                throw e;             // names its file already
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains(abs.getFileName().toString())) {
                    throw e;
                }
                throw new IOException("cannot write " + abs + ": " + e.getMessage(), e);
            }
            if (Files.exists(abs)) {
                moveAtomically(abs, old);
                try {
                    moveAtomically(tmp, abs);
                } catch (IOException e) {
                    moveAtomically(old, abs); // put the previous content back
                    throw e;
                }
                done = true;
                deleteRecursively(old);
            } else {
                moveAtomically(tmp, abs);
                done = true;
            }
            forceDirectory(parent);
        } finally {
            if (!done) {
                deleteRecursively(tmp);
            }
        }
    }

    /**
     * Deletes the temporaries that {@link #write} and {@link #writeDirectory} leave behind when a process is killed
     * mid-write: entries of {@code dir} (not below it) whose name starts with {@link #TEMP_PREFIX}. Call it only while
     * no other writer uses {@code dir} (e.g. under a {@link RunDirectoryLock}).
     *
     * @param dir a directory (absent: nothing to do)
     * @return the paths removed
     * @throws IOException when one cannot be deleted
     */
    public static List<Path> removeStaleTemporaries(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    deleteRecursively(p);
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    /**
     * Checks, before long work starts, that {@code dir} can take a file of {@code bytesNeeded} bytes: the directory
     * is created, a probe file is written and deleted, and the file store's usable space is compared with the need.
     *
     * @param dir         where the output will go
     * @param bytesNeeded size of the largest single output (e.g. one checkpoint); 0 = only check writability
     * @param what        what will be written there (for the message), e.g. {@code "a checkpoint of the student"}
     * @throws IOException naming the directory and, for lack of room, the bytes needed and available
     */
    public static void requireWritable(Path dir, long bytesNeeded, String what) throws IOException {
        Path abs = dir.toAbsolutePath();
        try {
            Files.createDirectories(abs);
            Path probe = abs.resolve(TEMP_PREFIX + "probe-" + UUID.randomUUID());
            Files.write(probe, new byte[]{1}, StandardOpenOption.CREATE_NEW);
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("output directory " + abs + " is not writable (" + e.getMessage()
                    + "); choose another output directory or fix its permissions", e);
        }
        long usable = Files.getFileStore(abs).getUsableSpace();
        if (bytesNeeded > 0 && usable < bytesNeeded) {
            throw new IOException(String.format(java.util.Locale.ROOT,
                    "output directory %s has %.1f MB free but %s needs %.1f MB; free some space or choose another "
                            + "output directory", abs, usable / 1e6, what, bytesNeeded / 1e6));
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("file system of " + to + " cannot rename atomically; refusing a non-atomic write",
                    e);
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            throw new IOException("cannot replace " + to + " atomically: " + e, e);
        }
    }

    private static void forceDirectoryTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void forceDirectory(Path dir) {
        // Syncing a directory needs opening it for reading; not every platform allows that. Best effort.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort only
        }
    }

    /**
     * Deletes a file or a directory tree; absent paths are ignored.
     *
     * @param path what to delete
     * @throws IOException on failure
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
