package io.mlsm.models;

/**
 * Analytic floating-point operations of the DeBERTa computation, counting the matrix products (2 per multiply-add)
 * of the reference algorithm (Hugging Face {@code DebertaForMaskedLM}): element-wise work, softmax, LayerNorm and
 * the embedding lookup are left out (a few percent), and so are implementation choices of ours such as selection
 * products. A backward pass costs twice its forward pass (gradients of both operands of every product).
 *
 * <p>Per layer and sequence of {@code T} tokens, hidden size {@code h}, feed-forward width {@code I} and relative
 * span {@code s = min(T, R)}: {@code 8Th²} (query, key, value, output projections) + {@code 4ThI} (feed-forward) +
 * {@code 4T²h} (scores and weighted values) + {@code 2T·2s·h} per disentangled term (c2p, p2c). Per layer and pass
 * (shared by the batch): {@code 2·2s·h²} per disentangled term (projections of the relative embeddings). MLM head per
 * scored row: {@code 2h²} (transform) + {@code 2h(V + k)} (decoder over every output row).
 *
 * <pre>{@code
 * double step = Flops.trainingStep(cfg, TrainingObjective.Scope.ALL, 32, 128, 614);   // forward + backward
 * double targets = Flops.encoder(teacher, 6, 32, 128);                                 // teacher up to layer 6
 * }</pre>
 */
public final class Flops {

    private Flops() {
    }

    /**
     * @param c         architecture
     * @param layers    layers run ({@code 0..numLayers}; a truncated teacher runs fewer)
     * @param sequences sequences in the pass
     * @param length    padded sequence length {@code T}
     * @return forward FLOPs of the first {@code layers} layers over one pass
     */
    public static double encoder(DebertaConfig c, int layers, long sequences, int length) {
        if (layers < 0 || layers > c.numLayers()) {
            throw new IllegalArgumentException("layers must be in 0.." + c.numLayers() + ", got " + layers);
        }
        if (sequences < 0 || length < 0) {
            throw new IllegalArgumentException("sequences and length must be >= 0, got " + sequences + ", " + length);
        }
        double h = c.hiddenSize();
        double t = length;
        double span = Math.min(length, c.effectiveMaxRelativePositions());
        int terms = (c.c2p() ? 1 : 0) + (c.p2c() ? 1 : 0);
        double perSequence = 8 * t * h * h + 4 * t * h * c.intermediateSize() + 4 * t * t * h
                + terms * 2 * t * (2 * span) * h;
        double perPass = terms * 2 * (2 * span) * h * h;
        return layers * (sequences * perSequence + (sequences > 0 ? perPass : 0));
    }

    /**
     * @param c    architecture
     * @param rows scored rows
     * @return forward FLOPs of the MLM head (transform and decoder over all {@code V + k} output rows)
     */
    public static double mlmHead(DebertaConfig c, long rows) {
        double h = c.hiddenSize();
        return rows * (2 * h * h + 2 * h * c.outputVocabSize());
    }

    /**
     * @param c    architecture with {@code k} latent concepts
     * @param rows scored rows
     * @return forward FLOPs of the phase-3 latent-to-vocabulary head ({@code k → V})
     */
    public static double latentToVocabHead(DebertaConfig c, long rows) {
        return rows * 2.0 * c.latentConcepts() * c.vocabSize();
    }

    /**
     * One micro-batch of training: forward through the encoder and the MLM head at the target rows, backward through
     * what the scope trains (the frozen part runs forward only).
     *
     * @param c          architecture
     * @param scope      which parameters are trained
     * @param sequences  sequences in the micro-batch
     * @param length     padded length
     * @param targetRows loss targets
     * @return forward + backward FLOPs
     */
    public static double trainingStep(DebertaConfig c, TrainingObjective.Scope scope, long sequences, int length,
                                      long targetRows) {
        double body = encoder(c, c.numLayers(), sequences, length);
        double head = mlmHead(c, targetRows);
        return switch (scope) {
            case ALL -> 3 * (body + head);
            case HEADS_ONLY -> body + 3 * head;
            case LATENT_TO_VOCAB_ONLY -> body + head + 3 * latentToVocabHead(c, targetRows);
        };
    }

    /**
     * Batched FISTA over a dictionary of {@code k} atoms in {@code d} dimensions: {@code Dᵀx} once per row, one
     * product with the {@code k × k} iteration matrix {@code I − DᵀD/L} per iteration ({@code 2k²} per row), and the
     * residual {@code x − Dα} of the objective at the end.
     *
     * @param dimension  d
     * @param atoms      k
     * @param rows       coded rows
     * @param iterations iterations the batch ran (the slowest row's count: the products run on the whole batch)
     * @return FLOPs of coding the rows
     */
    public static double sparseCoding(int dimension, int atoms, long rows, int iterations) {
        return rows * (4.0 * dimension * atoms + iterations * 2.0 * atoms * atoms);
    }

    /**
     * Online dictionary learning (Mairal et al. 2010) in its dense-equivalent products: per row {@code Dᵀx}
     * ({@code 2dk}) and the statistics {@code A += ααᵀ}, {@code B += xαᵀ} ({@code 2k² + 2dk}); per mini-batch one
     * block-coordinate sweep over the atoms ({@code 2dk²}). The code solver's own work beyond {@code Dᵀx} depends on
     * the data (coordinate descent touches only the active atoms) and is not counted, so this is a lower bound.
     *
     * @param dimension d
     * @param atoms     k
     * @param rows      rows seen (over all passes)
     * @param batches   mini-batch updates
     * @return FLOPs
     */
    public static double dictionaryLearning(int dimension, int atoms, long rows, long batches) {
        double d = dimension;
        double k = atoms;
        return rows * (4 * d * k + 2 * k * k) + batches * 2 * d * k * k;
    }
}
