package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.TrainingBatch;
import io.mlsm.sparse.Dictionary;
import io.mlsm.sparse.NonNegativeFista;
import io.mlsm.sparse.SparseCodes;
import io.mlsm.sparse.SparseTargets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * MLSM / LSM targets computed on the fly: the teacher reads the <em>unmasked</em> input, the hidden states of one
 * layer at the target positions are L2-normalised and coded over the dictionary by non-negative FISTA, and each
 * code is ℓ1-normalised into a distribution over the k latent concepts. A token whose code is all zero gets an
 * all-zero row, which the MLSM loss leaves out of its average (see {@code TrainingObjective}).
 *
 * <pre>{@code
 * TargetSource mlsm = new ConceptTargets(teacher, -1, dictionary,
 *         NonNegativeFista.builder(dictionary).options(NonNegativeFista.Options.reference(0.05)).build());
 * }</pre>
 */
public final class ConceptTargets implements TargetSource {

    private final DebertaModel teacher;
    private final int hiddenIndex;
    private final NonNegativeFista solver;
    private final FlopCount spent = new FlopCount();

    /**
     * @param teacher    the teacher model
     * @param layer      hidden-state index: 0 = embeddings, 1..L = layers, negative counts from the top (−1 = last)
     * @param dictionary the dictionary ({@code dimension} must equal the teacher's hidden size)
     * @param solver     the solver (should L2-normalise its input, as the method does)
     * @throws IllegalArgumentException on a layer out of range or a dimension mismatch
     */
    public ConceptTargets(DebertaModel teacher, int layer, Dictionary dictionary, NonNegativeFista solver) {
        this.hiddenIndex = hiddenStateIndex(layer, teacher.config().numLayers());
        this.teacher = upTo(teacher, hiddenIndex);
        if (dictionary.dimension() != teacher.config().hiddenSize()) {
            throw new IllegalArgumentException("dictionary dimension " + dictionary.dimension()
                    + " does not match the teacher's hidden size " + teacher.config().hiddenSize());
        }
        if (solver.dictionary() != dictionary) {
            throw new IllegalArgumentException("the solver must use the given dictionary");
        }
        this.solver = solver;
    }

    /**
     * The teacher run only as far as the hidden state {@code hiddenIndex} needs ({@link DebertaModel#truncatedTo}): its
     * states up to that index are the full teacher's, bit for bit, at {@code hiddenIndex / numLayers} of the cost.
     *
     * @param teacher     the (frozen) teacher
     * @param hiddenIndex the hidden state used, {@code 0..numLayers}
     * @return the teacher truncated after layer {@code max(1, hiddenIndex)}
     */
    public static DebertaModel upTo(DebertaModel teacher, int hiddenIndex) {
        return teacher.truncatedTo(Math.max(1, hiddenIndex));
    }

    /**
     * @param layer     0 = embeddings, 1..L = layer outputs, negative counts from the top (−1 = last)
     * @param numLayers number of encoder layers L
     * @return the index into the L + 1 hidden states
     * @throws IllegalArgumentException when out of range
     */
    public static int hiddenStateIndex(int layer, int numLayers) {
        int index = layer < 0 ? numLayers + 1 + layer : layer;
        if (index < 0 || index > numLayers) {
            throw new IllegalArgumentException("layer " + layer + " is out of range for a teacher with " + numLayers
                    + " layers (valid: 0.." + numLayers + ", or -1..-" + (numLayers + 1) + ")");
        }
        return index;
    }

    /** @return the normalised, ℓ1-normalised concept distributions {@code [N, k]} of the batch's targets */
    public INDArray distributions(Batch batch) {
        int[] positions = TargetPositions.of(batch);
        INDArray hidden = teacher.hiddenStates(batch.originalIdsArray(DataType.INT32),
                batch.attentionMaskArray(teacher.dataType())).get(hiddenIndex);                 // [B, T, H]
        INDArray flat = hidden.reshape((long) batch.batchSize() * batch.length(), hidden.size(2));  // [B*T, H]
        INDArray rows = Nd4j.pullRows(flat, 1, positions);                                      // [N, H]
        SparseCodes coded = solver.solve(rows);                                                 // [N, k]
        spent.teacherPass(teacher, batch);                                                      // truncated
        spent.sparseCoding(rows, coded);
        return SparseTargets.distributions(coded.codes()).probabilities();                      // [N, k]
    }

    @Override
    public Map<String, Double> flops() {
        return spent.snapshot();
    }

    @Override
    public TrainingBatch attach(Batch batch, TrainingBatch base) {
        if (batch.targetCount() == 0) {
            return base;
        }
        return base.withConceptTargets(distributions(batch));
    }
}
