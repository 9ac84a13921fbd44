/**
 * The hook that applies {@link io.mlsm.runtime.OpenBlasCoreType} when ND4J starts, registered as an ND4J backend
 * service so that no class of the library needs a static initialiser for it.
 */
package io.mlsm.sparse.runtime;
