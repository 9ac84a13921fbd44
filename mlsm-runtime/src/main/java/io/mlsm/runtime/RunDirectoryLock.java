package io.mlsm.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a run directory, so that one process at a time writes its artifacts, checkpoints and
 * metrics. The lock is an operating-system file lock on {@code <dir>/.mlsm.lock}: it is released when the holder
 * closes it or dies (also on {@code kill -9}), so a stale lock file never blocks a later run. The file holds a line
 * describing the holder (process id, host, start time, what it runs), which a refused run names.
 *
 * <pre>{@code
 * try (RunDirectoryLock lock = RunDirectoryLock.acquire(Path.of("runs/mlsm"), "pretrain")) {
 *     ... write into runs/mlsm ...
 * }   // a second process calling acquire meanwhile gets RunDirectoryInUseException at once
 * }</pre>
 *
 * Within one JVM a directory is likewise held once: a nested {@code acquire} of the same directory fails (it would
 * mean two writers in one process).
 */
public final class RunDirectoryLock implements AutoCloseable {

    /** Name of the lock file inside the run directory. */
    public static final String FILE_NAME = ".mlsm.lock";

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process (or this one) already holds the directory. */
    public static final class RunDirectoryInUseException extends IllegalStateException {
        private final Path directory;
        private final String holder;

        RunDirectoryInUseException(Path directory, String holder) {
            super("run directory " + directory + " is in use by " + holder
                    + "; wait for that run to end, stop it, or choose another output directory");
            this.directory = directory;
            this.holder = holder;
        }

        /** @return the locked directory */
        public Path directory() {
            return directory;
        }

        /** @return the holder's description as it wrote it */
        public String holder() {
            return holder;
        }
    }

    /**
     * Locks {@code dir} (created if absent) or fails at once.
     *
     * @param dir  the run directory
     * @param what what the holder does (shown to a refused run), e.g. {@code "pretrain"}
     * @return the held lock; close it to release
     * @throws RunDirectoryInUseException when the directory is held
     * @throws IOException                when the directory or the lock file cannot be created (e.g. read-only)
     */
    public static RunDirectoryLock acquire(Path dir, String what) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Files.createDirectories(abs);
        Path file = abs.resolve(FILE_NAME);
        if (!HELD.add(abs)) {
            throw new RunDirectoryInUseException(abs, "this process (" + holderOf(file) + ")");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new RunDirectoryInUseException(abs, holderOf(file));
            }
            String holder = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now()
                    + " (" + what + ")\n";
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(false);
            return new RunDirectoryLock(abs, ch, l);
        } catch (IOException | RuntimeException e) {
            HELD.remove(abs);
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
    }

    /** @return the locked directory */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(dir);
        }
    }

    private static String holderOf(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "another process" : s;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }
}
