/**
 * Cross-cutting runtime pieces every module shares, with no ND4J dependency: the OpenBLAS kernel choice that must
 * precede ND4J's first native call ({@link io.mlsm.runtime.OpenBlasCoreType}) and atomic file and directory
 * writes ({@link io.mlsm.runtime.AtomicFiles}).
 */
package io.mlsm.runtime;
