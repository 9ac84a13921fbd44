package io.mlsm.core.pretrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the dictionary of latent concepts comes from: learned here from the teacher's hidden states (online
 * dictionary learning, Mairal et al. 2009), or loaded from a file written by {@code Dictionary.save}.
 *
 * <pre>{@code
 * DictionarySpec d = DictionarySpec.learn().atoms(2500).lambda(0.05).layer(-1).sampleTokens(1_000_000);
 * }</pre>
 *
 * Defaults follow the papers and the reference (SPAMS {@code trainDL}): 3000 atoms, λ 0.05, last layer, 1M sampled
 * tokens, mini-batches of 400, at most 1000 iterations, one pass, no forgetting (ρ = 0); targets are solved with 100
 * FISTA iterations.
 *
 * <p>Sampling, as the reference does it: the teacher's hidden states of all {@code sampleTokens} tokens are collected
 * into one array, the rows are permuted with a seeded permutation (the run's seed) before every pass and cut into
 * mini-batches, and the atoms start from random rows of the whole sample. The sample is stored as float32 when
 * {@code sampleTokens × hidden × 4} bytes fit within {@link #sampleMemory(long)} (default 4 GiB: 1M tokens × 768 =
 * 2.9 GiB), else as float16 (half the memory; hidden states are L2-normalised before learning, for which float16's
 * relative rounding of 4.9e-4 is harmless), else the dictionary phase fails before it computes any hidden state, naming
 * the size and this option. The array lives off the Java heap: ND4J's limit ({@code -Dorg.bytedeco.javacpp.maxbytes}, by default the
 * heap size {@code -Xmx}) must leave room for it.
 */
public final class DictionarySpec {

    private final Path file;
    private int atoms = 3000;
    private double lambda = 0.05;
    private int layer = -1;
    private long sampleTokens = 1_000_000;
    private int batchSize = 400;
    private long iterations = 1000;
    private int fistaIterations = 100;
    private double forgetting = 0;
    private int passes = 1;
    private long sampleMemory = 4L << 30;

    private DictionarySpec(Path file) {
        this.file = file;
    }

    /** @return a spec that learns a dictionary from the teacher */
    public static DictionarySpec learn() {
        return new DictionarySpec(null);
    }

    /**
     * @param file a dictionary file
     * @return a spec that loads it
     * @throws IllegalArgumentException when the file is missing
     */
    public static DictionarySpec load(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("dictionary file " + file + " does not exist");
        }
        return new DictionarySpec(file);
    }

    /** @param k number of atoms (latent concepts), {@code >= 1} @return this */
    public DictionarySpec atoms(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("atoms must be >= 1, got " + k);
        }
        atoms = k;
        return this;
    }

    /** @param l ℓ1 weight λ, {@code >= 0} @return this */
    public DictionarySpec lambda(double l) {
        if (!(l >= 0) || !Double.isFinite(l)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + l);
        }
        lambda = l;
        return this;
    }

    /** @param l teacher hidden-state index (0 = embeddings, −1 = last layer) @return this */
    public DictionarySpec layer(int l) {
        layer = l;
        return this;
    }

    /** @param n tokens sampled from the corpus for learning, {@code >= 1} @return this */
    public DictionarySpec sampleTokens(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("sampleTokens must be >= 1, got " + n);
        }
        sampleTokens = n;
        return this;
    }

    /** @param rows mini-batch rows, {@code >= 1} @return this */
    public DictionarySpec batchSize(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + rows);
        }
        batchSize = rows;
        return this;
    }

    /** @param n maximum learner iterations, {@code >= 1} @return this */
    public DictionarySpec iterations(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + n);
        }
        iterations = n;
        return this;
    }

    /** @param n FISTA iterations when computing targets, {@code >= 1} @return this */
    public DictionarySpec fistaIterations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("fistaIterations must be >= 1, got " + n);
        }
        fistaIterations = n;
        return this;
    }

    /**
     * @param rho forgetting exponent ρ ≥ 0 of the learner's statistics (default 0, the reference; ρ = 4 lowered the
     *            objective of one pass on planted data, see {@code OnlineDictionaryLearner.Options#forgetting})
     * @return this
     */
    public DictionarySpec forgetting(double rho) {
        if (!(rho >= 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("forgetting (rho) must be finite and >= 0, got " + rho);
        }
        forgetting = rho;
        return this;
    }

    /**
     * @param n passes over the permuted sample, {@code >= 1} (default 1); learning stops at {@link #iterations}
     *          or after n passes, whichever comes first
     * @return this
     */
    public DictionarySpec passes(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("passes must be >= 1, got " + n);
        }
        passes = n;
        return this;
    }

    /**
     * @param bytes memory bound of the in-memory sample, {@code >= 1} (default 4 GiB): float32 within it, else
     *              float16, else the run fails
     * @return this
     */
    public DictionarySpec sampleMemory(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("sampleMemory must be >= 1 byte, got " + bytes);
        }
        sampleMemory = bytes;
        return this;
    }

    /** @return whether the dictionary is loaded rather than learned */
    public boolean isLoaded() {
        return file != null;
    }

    public Path file() {
        return file;
    }

    public int atoms() {
        return atoms;
    }

    public double lambda() {
        return lambda;
    }

    public int layer() {
        return layer;
    }

    public long sampleTokens() {
        return sampleTokens;
    }

    public int batchSize() {
        return batchSize;
    }

    public long iterations() {
        return iterations;
    }

    public int fistaIterations() {
        return fistaIterations;
    }

    public double forgetting() {
        return forgetting;
    }

    public int passes() {
        return passes;
    }

    public long sampleMemory() {
        return sampleMemory;
    }
}
