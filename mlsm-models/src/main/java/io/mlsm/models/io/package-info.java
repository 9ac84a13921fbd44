/**
 * Checkpoint input and output: the safetensors format ({@link io.mlsm.models.io.Safetensors},
 * {@link io.mlsm.models.io.SafetensorsReader}), atomic file and directory writes
 * ({@link io.mlsm.runtime.AtomicFiles}), Hugging Face DeBERTa directories and the library's own training
 * checkpoints, and the provenance record saved with every artifact. Every reader validates before it returns and
 * names what is wrong in a {@link io.mlsm.models.io.CheckpointFormatException}.
 */
package io.mlsm.models.io;
