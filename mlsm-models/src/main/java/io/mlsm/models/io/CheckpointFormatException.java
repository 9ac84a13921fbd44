package io.mlsm.models.io;

import io.mlsm.runtime.ArtifactFormatException;

/**
 * A model or checkpoint file exists but its content is wrong: a malformed safetensors header, offsets out of range,
 * a truncated file, a dtype or shape that disagrees with the header or the configuration, missing or unexpected
 * parameters, an inconsistent checkpoint directory. The message names the file and the problem (expected vs got).
 */
public class CheckpointFormatException extends ArtifactFormatException {

    private static final long serialVersionUID = 1L;

    /** @param message names the file and what is wrong */
    public CheckpointFormatException(String message) {
        super(message);
    }

    /** @param message names the file and what is wrong @param cause underlying failure */
    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
