/**
 * Fixes for ND4J / SameDiff 1.0.0-M2.1 behaviour, behind one public class,
 * {@link io.mlsm.models.samediff.SameDiffWorkarounds}: graphs that share the model's arrays instead of copying them,
 * sessions whose arrays are closed rather than cached by shape, eager release of intermediates during the backward
 * pass, and a garbage collection when resident memory grows (ND4J frees native buffers only on finalisation).
 * Everything else here is package-private; {@code docs/samediff-notes.md} describes what each works around.
 */
package io.mlsm.models.samediff;
