/**
 * Cross-cutting runtime pieces every module shares, with no ND4J dependency: the OpenBLAS kernel choice that must
 * precede ND4J's first native call ({@link io.mlsm.runtime.OpenBlasCoreType}), atomic file and directory writes
 * ({@link io.mlsm.runtime.AtomicFiles}) and the one general provenance type every saved artifact carries
 * ({@link io.mlsm.runtime.Provenance}; the dictionary's and the tokenizer's provenance are typed views of it).
 */
package io.mlsm.runtime;
