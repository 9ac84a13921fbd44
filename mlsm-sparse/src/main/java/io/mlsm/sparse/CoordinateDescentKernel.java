package io.mlsm.sparse;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Working-set coordinate descent for min_{α ≥ 0} ½‖h − Dα‖² + λ‖α‖₁, one row at a time, from the correlations
 * c = Dᵀh and the Gram matrix G = DᵀD (both float32, row-major; accumulation in double).
 *
 * <p>Per row: start from α = 0 (or a warm start) and an empty working set W. Repeat: compute the residual
 * correlations r = c − Gα over all k atoms (|W| AXPYs of length k); the atoms outside W with r_j &gt; λ + ε violate the
 * optimality (KKT) conditions of a zero coefficient — if there are none, α is optimal and the row is done; otherwise
 * the largest violators (at most {@code max(16, |W|)}) join W, and cyclic coordinate descent on W alone (the |W|×|W|
 * sub-Gram, exact minimisation per coordinate: α_i ← max(0, α_i + (r_i − λ)/G_ii)) runs until no coefficient moves
 * the reconstruction by more than ε; atoms that end at zero leave W. The tolerance ε is {@code tolerance·‖h‖}.
 *
 * <p>Rows are independent: a chunk is split into blocks solved in parallel on a private fork-join pool, and each
 * row's result does not depend on the number of threads.
 */
final class CoordinateDescentKernel {

    /** Fewest atoms added to the working set per round. */
    static final int MIN_ADD = 16;
    /** Rows per parallel task. */
    private static final int BLOCK_ROWS = 32;

    private final float[] gram;     // k·k, row-major (symmetric)
    private final double[] diag;    // G_jj
    private final int k;
    private final double lambda;
    private final double tolerance;
    private final int maxRounds;
    private final int maxSweeps;

    /**
     * @param gram      G = DᵀD, k·k row-major
     * @param k         atoms
     * @param lambda    λ ≥ 0
     * @param tolerance relative tolerance ε/‖h‖ of the KKT check and of the inner sweeps
     * @param maxRounds cap on working-set rounds per row
     * @param maxSweeps cap on coordinate sweeps per round
     */
    CoordinateDescentKernel(float[] gram, int k, double lambda, double tolerance, int maxRounds, int maxSweeps) {
        if (gram.length != (long) k * k) {
            throw new IllegalArgumentException("Gram matrix has " + gram.length + " values, expected k·k = "
                    + (long) k * k);
        }
        this.gram = gram;
        this.k = k;
        this.lambda = lambda;
        this.tolerance = tolerance;
        this.maxRounds = maxRounds;
        this.maxSweeps = maxSweeps;
        this.diag = new double[k];
        for (int j = 0; j < k; j++) {
            diag[j] = gram[j * k + j];
        }
    }

    /** Receives the non-zeros of each solved row (called from the solving threads, once per row). */
    interface RowSink {
        /**
         * @param row    row index (0-based within the call)
         * @param atoms  atom ids of the non-zeros, entries {@code [0, count)}
         * @param values their coefficients (&gt; 0)
         * @param count  number of non-zeros
         */
        void row(int row, int[] atoms, double[] values, int count);
    }

    /**
     * Solves rows {@code [0, n)}.
     *
     * @param corr       n·k correlations c = Dᵀh per row (read with absolute gets only)
     * @param x          the input rows, row r at {@code [xOffset + r·d, xOffset + (r+1)·d)} (for ‖h‖²)
     * @param xOffset    offset of row 0 in {@code x}
     * @param d          input dimension
     * @param warm       n·k warm start (negative entries ignored) or null
     * @param sink       receives the non-zeros of every row
     * @param objective  n output objectives
     * @param iterations n output sweep counts
     * @param pool       pool for the row blocks, or null to run on the calling thread
     * @return rows that hit the round cap before the KKT check passed
     */
    int solve(FloatBuffer corr, FloatBuffer x, int xOffset, int d, float[] warm, RowSink sink, double[] objective,
              int[] iterations, int n, ForkJoinPool pool) {
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        int[] unfinished = new int[blocks];
        java.util.function.IntConsumer block = b -> {
            Workspace ws = new Workspace(k);
            FloatBuffer c = corr.duplicate();                       // private views per task
            FloatBuffer xs = x.duplicate();
            float[] row = new float[d];
            int from = b * BLOCK_ROWS;
            int to = Math.min(n, from + BLOCK_ROWS);
            for (int r = from; r < to; r++) {
                xs.get(xOffset + r * d, row, 0, d);
                double normSq = 0;
                for (int i = 0; i < d; i++) {
                    normSq += (double) row[i] * row[i];
                }
                if (!solveRow(c, r, normSq, warm, sink, objective, iterations, ws)) {
                    unfinished[b]++;
                }
            }
        };
        Runnable all = () -> IntStream.range(0, blocks).parallel().forEach(block);
        if (pool == null || blocks == 1) {
            for (int b = 0; b < blocks; b++) {
                block.accept(b);
            }
        } else {
            try {
                pool.submit(all).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while solving", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(cause);
            }
        }
        return Arrays.stream(unfinished).sum();
    }

    /** Per-thread scratch space. */
    private static final class Workspace {
        final float[] r;          // residual correlations over all atoms
        final int[] slot;         // slot of atom j in W, or -1
        int cap;
        int[] atom;               // W
        double[] a;               // α on W
        double[] rw;              // residual correlations on W (double)
        double[] g;               // sub-Gram, stride cap
        int[] candAtom = new int[MIN_ADD];
        float[] candValue = new float[MIN_ADD];

        Workspace(int k) {
            r = new float[k];
            slot = new int[k];
            Arrays.fill(slot, -1);
            grow(32);
        }

        void grow(int newCap) {
            int old = cap;
            int[] na = new int[newCap];
            double[] nv = new double[newCap];
            double[] nr = new double[newCap];
            double[] ng = new double[newCap * newCap];
            if (old > 0) {
                System.arraycopy(atom, 0, na, 0, old);
                System.arraycopy(a, 0, nv, 0, old);
                System.arraycopy(rw, 0, nr, 0, old);
                for (int i = 0; i < old; i++) {
                    System.arraycopy(g, i * old, ng, i * newCap, old);
                }
            }
            atom = na;
            a = nv;
            rw = nr;
            g = ng;
            cap = newCap;
        }
    }

    /** @return whether the row passed the KKT check within the round cap */
    private boolean solveRow(FloatBuffer corr, int row, double normSq, float[] warm, RowSink sink, double[] objective,
                             int[] iterations, Workspace ws) {
        int off = row * k;
        double eps = tolerance * Math.sqrt(normSq);
        double threshold = lambda + eps;
        int m = 0;
        if (warm != null) {
            for (int j = 0; j < k; j++) {
                float w = warm[off + j];
                if (w > 0 && diag[j] > 0) {
                    m = add(ws, m, j);
                    ws.a[m - 1] = w;
                }
            }
        }
        int sweeps = 0;
        boolean converged = false;
        for (int round = 0; round < maxRounds; round++) {
            // r = c − Gα over every atom
            float[] r = ws.r;
            corr.get(off, r, 0, k);
            for (int i = 0; i < m; i++) {
                float ai = (float) ws.a[i];
                if (ai != 0f) {
                    int go = ws.atom[i] * k;
                    for (int j = 0; j < k; j++) {
                        r[j] -= ai * gram[go + j];
                    }
                }
            }
            // largest violators outside W
            int want = Math.max(MIN_ADD, m);
            if (ws.candAtom.length < want) {
                ws.candAtom = new int[want];
                ws.candValue = new float[want];
            }
            int found = 0;
            float floor = (float) threshold;
            for (int j = 0; j < k; j++) {
                float v = r[j];
                if (v > floor && ws.slot[j] < 0 && diag[j] > 0) {
                    // insertion into the descending candidate list, keeping the best `want`
                    int p = found < want ? found++ : want - 1;
                    while (p > 0 && ws.candValue[p - 1] < v) {
                        ws.candValue[p] = ws.candValue[p - 1];
                        ws.candAtom[p] = ws.candAtom[p - 1];
                        p--;
                    }
                    ws.candValue[p] = v;
                    ws.candAtom[p] = j;
                    if (found == want) {
                        floor = Math.max(floor, ws.candValue[want - 1]);
                    }
                }
            }
            for (int c = 0; c < found; c++) {
                m = add(ws, m, ws.candAtom[c]);
            }
            // exact residual correlations on W, in double
            for (int i = 0; i < m; i++) {
                double s = corr.get(off + ws.atom[i]);
                int gi = i * ws.cap;
                for (int l = 0; l < m; l++) {
                    s -= ws.g[gi + l] * ws.a[l];
                }
                ws.rw[i] = s;
            }
            // cyclic coordinate descent on W
            double firstMove = -1;
            for (int sweep = 0; sweep < maxSweeps; sweep++) {
                double maxMove = 0;
                for (int i = 0; i < m; i++) {
                    int gi = i * ws.cap;
                    double gii = ws.g[gi + i];
                    double ai = ws.a[i];
                    double ni = ai + (ws.rw[i] - lambda) / gii;
                    if (ni < 0) {
                        ni = 0;
                    }
                    double delta = ni - ai;
                    if (delta != 0) {
                        ws.a[i] = ni;
                        for (int l = 0; l < m; l++) {
                            ws.rw[l] -= delta * ws.g[gi + l];
                        }
                        maxMove = Math.max(maxMove, Math.abs(delta) * Math.sqrt(gii));
                    }
                }
                sweeps++;
                if (firstMove < 0) {
                    firstMove = maxMove;
                }
                if (maxMove <= eps) {
                    break;
                }
            }
            m = pruneZeros(ws, m);
            if (found == 0 && firstMove <= eps) {  // no violator outside W and W already optimal
                converged = true;
                break;
            }
        }
        // write the row, objective = ½‖h‖² − Σ α_i c_i + ½ αᵀGα + λΣα with Gα = c − r on W
        double fit = 0;
        double l1 = 0;
        for (int i = 0; i < m; i++) {
            double ai = ws.a[i];
            double ci = corr.get(off + ws.atom[i]);
            fit += ai * (ci + ws.rw[i]);
            l1 += ai;
        }
        sink.row(row, ws.atom, ws.a, m);
        objective[row] = Math.max(0, 0.5 * normSq - 0.5 * fit) + lambda * l1;
        iterations[row] = sweeps;
        for (int i = 0; i < m; i++) {
            ws.slot[ws.atom[i]] = -1;
        }
        return converged;
    }

    /** Appends atom j to W (α_j = 0) with its sub-Gram row and column; returns the new size. */
    private int add(Workspace ws, int m, int j) {
        if (m == ws.cap) {
            ws.grow(ws.cap * 2);
        }
        ws.atom[m] = j;
        ws.a[m] = 0;
        ws.slot[j] = m;
        int gj = j * k;
        for (int l = 0; l <= m; l++) {
            double v = gram[gj + ws.atom[l]];
            ws.g[m * ws.cap + l] = v;
            ws.g[l * ws.cap + m] = v;
        }
        return m + 1;
    }

    /** Removes the atoms of W whose coefficient is zero, keeping order; returns the new size. */
    private static int pruneZeros(Workspace ws, int m) {
        int[] keep = new int[m];
        int q = 0;
        for (int i = 0; i < m; i++) {
            if (ws.a[i] > 0) {
                keep[q++] = i;
            } else {
                ws.slot[ws.atom[i]] = -1;
            }
        }
        if (q == m) {
            return m;
        }
        for (int p = 0; p < q; p++) {
            int i = keep[p];
            ws.atom[p] = ws.atom[i];
            ws.a[p] = ws.a[i];
            ws.rw[p] = ws.rw[i];
            ws.slot[ws.atom[p]] = p;
            for (int s = 0; s < q; s++) {
                ws.g[p * ws.cap + s] = ws.g[i * ws.cap + keep[s]];
            }
        }
        return q;
    }
}
