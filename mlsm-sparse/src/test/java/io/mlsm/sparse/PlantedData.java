package io.mlsm.sparse;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/** Planted sparse-coding data: h = D0·α0 + noise with non-negative sparse α0 over unit-norm atoms D0. */
record PlantedData(INDArray atoms, INDArray codes, INDArray data) {

    /**
     * @param n     rows
     * @param d     dimension
     * @param k     atoms
     * @param nnz   non-zeros per code (coefficients U(0.1, 1))
     * @param noise Gaussian noise standard deviation
     * @param seed  seed
     * @param type  data type
     */
    static PlantedData make(int n, int d, int k, int nnz, double noise, long seed, DataType type) {
        INDArray atoms = Dictionary.randomUnitAtoms(d, k, seed, DataType.DOUBLE);          // [d, k]
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        double[] codes = new double[n * k];
        for (int r = 0; r < n; r++) {
            int[] perm = OnlineDictionaryLearner.permutation(k, rnd);
            for (int s = 0; s < nnz; s++) {
                codes[r * k + perm[s]] = 0.1 + 0.9 * rnd.nextDouble();
            }
        }
        INDArray a = Nd4j.createFromArray(codes).reshape(n, k);
        INDArray h = a.mmul(atoms.transpose());                                            // [n, d]
        double[] e = new double[n * d];
        for (int i = 0; i < e.length; i++) {
            e[i] = noise * Dictionary.gaussian(rnd);
        }
        h.addi(Nd4j.createFromArray(e).reshape(n, d));
        return new PlantedData(atoms.castTo(type), a.castTo(type), h.castTo(type));
    }

    /**
     * Planted data whose rows are ordered by topic: the k atoms fall into {@code groups} groups of k/groups
     * consecutive atoms, and the rows come group after group (n/groups rows each), every row coded by {@code nnz}
     * atoms of its own group. Consecutive rows therefore share a few atoms, as the tokens of one document do: the case
     * where learning from consecutive rows, with atoms taken from the first rows, goes wrong.
     *
     * @param n      rows (a multiple of groups)
     * @param d      dimension
     * @param k      atoms (a multiple of groups)
     * @param groups groups of atoms (and of rows)
     * @param nnz    non-zeros per code, at most k/groups (coefficients U(0.1, 1))
     * @param noise  Gaussian noise standard deviation
     * @param seed   seed
     */
    static PlantedData grouped(int n, int d, int k, int groups, int nnz, double noise, long seed) {
        if (n % groups != 0 || k % groups != 0 || nnz > k / groups) {
            throw new IllegalArgumentException("n and k must be multiples of groups and nnz <= k/groups");
        }
        INDArray atoms = Dictionary.randomUnitAtoms(d, k, seed, DataType.DOUBLE);          // [d, k]
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        int perGroup = k / groups;
        int rowsPerGroup = n / groups;
        double[] codes = new double[n * k];
        for (int r = 0; r < n; r++) {
            int g = r / rowsPerGroup;
            int[] perm = OnlineDictionaryLearner.permutation(perGroup, rnd);
            for (int s = 0; s < nnz; s++) {
                codes[r * k + g * perGroup + perm[s]] = 0.1 + 0.9 * rnd.nextDouble();
            }
        }
        INDArray a = Nd4j.createFromArray(codes).reshape(n, k);
        INDArray h = a.mmul(atoms.transpose());                                            // [n, d]
        double[] e = new double[n * d];
        for (int i = 0; i < e.length; i++) {
            e[i] = noise * Dictionary.gaussian(rnd);
        }
        h.addi(Nd4j.createFromArray(e).reshape(n, d));
        return new PlantedData(atoms.castTo(DataType.FLOAT), a.castTo(DataType.FLOAT), h.castTo(DataType.FLOAT));
    }

    /** Per-row objective ½‖h − Dα‖² + λ‖α‖₁ in float64. */
    static double[] objective(INDArray h, INDArray codes, INDArray atoms, double lambda) {
        INDArray hd = h.castTo(DataType.DOUBLE);
        INDArray ad = codes.castTo(DataType.DOUBLE);
        INDArray r = hd.sub(ad.mmul(atoms.castTo(DataType.DOUBLE).transpose()));
        INDArray f = r.mul(r).sum(1).muli(0.5).addi(ad.sum(1).muli(lambda));
        return f.toDoubleVector();
    }

    static Dictionary dictionary(INDArray atoms, double lambda) {
        return Dictionary.of(atoms, DictionaryProvenance.of(lambda, (int) atoms.columns(), (int) atoms.rows(),
                "planted"));
    }
}
