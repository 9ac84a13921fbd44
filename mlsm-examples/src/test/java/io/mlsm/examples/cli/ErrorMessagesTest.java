package io.mlsm.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorMessagesTest {

    @Test
    void aFullDiskNamesTheFileAndTheFix() {
        IOException disk = new IOException("No space left on device");
        IOException named = new IOException("cannot write /runs/x/model.safetensors: No space left on device", disk);
        String line = ErrorMessages.oneLine(new UncheckedIOException(named));
        assertEquals("cannot write /runs/x/model.safetensors: No space left on device (the disk is full: free space "
                + "there or choose another output directory with --out)", line);
    }

    @Test
    void fileSystemErrorsNameTheirFileAndMessagesAreSaidOnce() {
        assertEquals("cannot resume: no such file or directory: /a/b",
                ErrorMessages.oneLine(new IllegalStateException("cannot resume", new NoSuchFileException("/a/b"))));
        String denied = ErrorMessages.oneLine(new UncheckedIOException(new AccessDeniedException("/ro/out")));
        assertTrue(denied.startsWith("permission denied: /ro/out (choose a writable"), denied);
        assertEquals(1, denied.split("permission denied").length - 1, denied);
    }

    @Test
    void oneLineEvenForLongMultiLineMessages() {
        String huge = "x\n".repeat(50_000);
        String line = ErrorMessages.oneLine(new IllegalArgumentException(huge));
        assertFalse(line.contains("\n"));
        assertTrue(line.length() < 2_100, "capped: " + line.length());
    }
}
