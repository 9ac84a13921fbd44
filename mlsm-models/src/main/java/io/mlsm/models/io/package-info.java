/**
 * Checkpoint input and output: the safetensors format ({@link io.mlsm.models.io.Safetensors},
 * {@link io.mlsm.models.io.SafetensorsReader}), Hugging Face DeBERTa directories and the library's own training
 * checkpoints. Files are written atomically ({@link io.mlsm.runtime.AtomicFiles}) and every artifact carries an
 * {@link io.mlsm.runtime.Provenance} (both in mlsm-runtime). Every reader validates before it returns and names what
 * is wrong in a {@link io.mlsm.models.io.CheckpointFormatException}.
 */
package io.mlsm.models.io;
