package io.mlsm.examples.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * One line for a failure: the messages of the exception and its causes (each said once), with the file for
 * file-system errors and a hint for the common ones (full disk, missing file, permissions, memory).
 *
 * <pre>{@code
 * err.println("mlsm pretrain: " + ErrorMessages.oneLine(e));
 * }</pre>
 */
public final class ErrorMessages {

    private static final int MAX_CHARS = 2_000;

    private ErrorMessages() {
    }

    /** @return the failure in one line (at most 2,000 characters), causes and hint included */
    public static String oneLine(Throwable t) {
        List<String> parts = new ArrayList<>();
        String hint = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = describe(c);
            if (m != null && parts.stream().noneMatch(p -> p.contains(m))) {
                parts.removeIf(m::contains);   // a cause that repeats an outer message with more detail
                parts.add(m);
            }
            if (hint == null) {
                hint = hint(c);
            }
        }
        String line = parts.isEmpty() ? t.getClass().getSimpleName() : String.join(": ", parts);
        if (hint != null && !line.contains(hint)) {
            line = line + " (" + hint + ")";
        }
        line = line.replace('\n', ' ').replace('\r', ' ');
        return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) + " ... [" + (line.length() - MAX_CHARS)
                + " more characters]" : line;
    }

    private static String describe(Throwable c) {
        if (c instanceof UncheckedIOException && c.getCause() != null && c.getMessage() != null
                && c.getMessage().equals(c.getCause().toString())) {
            return null;     // the wrapper only repeats its cause
        }
        if (c instanceof NoSuchFileException e) {
            return "no such file or directory: " + e.getFile();
        }
        if (c instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (c instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        if (c instanceof FileSystemException e && e.getMessage() != null) {
            return e.getMessage();
        }
        if (c instanceof OutOfMemoryError) {
            return "out of memory" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")");
        }
        String m = c.getMessage();
        if (m == null || m.isBlank()) {
            return c.getClass().getSimpleName();
        }
        return m;
    }

    private static String hint(Throwable c) {
        String m = String.valueOf(c.getMessage());
        if (m.contains("No space left on device")) {
            return "the disk is full: free space there or choose another output directory with --out";
        }
        if (c instanceof AccessDeniedException || m.contains("Read-only file system")) {
            return "choose a writable output directory with --out";
        }
        if (c instanceof OutOfMemoryError) {
            return "give the JVM more memory with JAVA_OPTS=-Xmx..., or lower --batch";
        }
        return null;
    }
}
