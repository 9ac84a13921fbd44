package io.mlsm.runtime;

import java.io.IOException;

/**
 * A saved artifact's file exists but its content is wrong (malformed JSON, a missing or invalid field). The message
 * names the file and the problem. Format-specific readers narrow it (mlsm-models' {@code CheckpointFormatException}).
 */
public class ArtifactFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message names the file and what is wrong */
    public ArtifactFormatException(String message) {
        super(message);
    }

    /** @param message names the file and what is wrong @param cause underlying failure */
    public ArtifactFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
