package io.mlsm.eval.model;

import io.mlsm.eval.pll.MaskedLmScorer;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.direct.RowLogSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MaskedLmScorer} over a {@link DebertaModel}: one {@link DebertaModel#vocabLogitsAt} call per batch gives the
 * vocabulary logits of the scored position of each row only ({@code [B, V]}, never the {@code [B, T, V]} logits of
 * every position), through the MLM head or the phase-3 latent-to-vocabulary head. The log-softmax is taken on those
 * rows: {@code l_target − max − log Σ exp(l − max)} with the exponentials in float32 and their sum in double.
 *
 * <p>Normaliser ({@link Normaliser}): through the MLM head of a model with {@code k > 0} latent concepts,
 * {@link Normaliser#ALL_OUTPUTS} (the default, the BabyLM pipeline's) reads all {@code V + k} output logits of the
 * scored positions ({@link DebertaModel#outputLogitsAt}), so the {@code k} concept logits enter the log-sum-exp;
 * {@link Normaliser#VOCABULARY} reads the first {@code V}. The latent-to-vocabulary head outputs {@code V} rows, so it
 * normalises over those whichever is asked ({@link #normaliserApplied} says so).
 *
 * <pre>{@code
 * DebertaModel model = DebertaModel.load(Path.of("runs/mlsm/checkpoint-000080000"));
 * MaskedLmScorer scorer = DebertaMaskedLmScorer.of(model, ScoringHead.AUTO);
 * BlimpResult r = new BlimpEvaluator(tokenizer, scorer, PllOptions.defaults()).evaluate(pairs, listener);
 * }</pre>
 *
 * Not thread-safe (the model is not).
 */
public final class DebertaMaskedLmScorer implements MaskedLmScorer {

    private static final Logger LOG = LoggerFactory.getLogger(DebertaMaskedLmScorer.class);

    private final DebertaModel model;
    private final ScoringHead head;
    private boolean toldNormaliser;

    private DebertaMaskedLmScorer(DebertaModel model, ScoringHead head) {
        if (model == null || head == null) {
            throw new IllegalArgumentException("model and head are required");
        }
        this.model = model;
        this.head = head.resolve(model);
    }

    /**
     * @return a scorer reading the MLM head (the first {@code V} rows of a {@code V + k} output layer are the
     *         vocabulary; the normaliser decides whether the last {@code k} enter the log-sum-exp)
     */
    public static DebertaMaskedLmScorer mlmHead(DebertaModel model) {
        return new DebertaMaskedLmScorer(model, ScoringHead.MLM);
    }

    /**
     * @return a scorer reading the phase-3 latent-to-vocabulary head on the concept logits
     * @throws IllegalArgumentException if the model has no such head
     */
    public static DebertaMaskedLmScorer latentToVocabHead(DebertaModel model) {
        return new DebertaMaskedLmScorer(model, ScoringHead.LATENT_TO_VOCAB);
    }

    /** @return a scorer reading {@code head} ({@link ScoringHead#AUTO} resolved against the model) */
    public static DebertaMaskedLmScorer of(DebertaModel model, ScoringHead head) {
        return new DebertaMaskedLmScorer(model, head);
    }

    /** @return the head read ({@link ScoringHead#MLM} or {@link ScoringHead#LATENT_TO_VOCAB}) */
    public ScoringHead head() {
        return head;
    }

    /** @return the model */
    public DebertaModel model() {
        return model;
    }

    /**
     * @param requested the normaliser asked for
     * @return the one applied: {@code requested} through the MLM head, {@link Normaliser#VOCABULARY} through the
     *         latent-to-vocabulary head (its output is the {@code V} vocabulary rows, the two coincide)
     */
    public Normaliser normaliserFor(Normaliser requested) {
        if (requested == null) {
            throw new IllegalArgumentException("normaliser is required");
        }
        return head == ScoringHead.LATENT_TO_VOCAB ? Normaliser.VOCABULARY : requested;
    }

    @Override
    public String normaliserApplied(Normaliser requested) {
        int v = model.config().vocabSize();
        int k = model.config().latentConcepts();
        if (head == ScoringHead.LATENT_TO_VOCAB) {
            return "VOCABULARY (latent-to-vocabulary head: its V = " + v + " output rows; "
                    + (requested == Normaliser.ALL_OUTPUTS ? "ALL_OUTPUTS asked, the same rows)" : "as asked)");
        }
        if (k == 0) {
            return requested.name() + " (MLM head: V = " + v + " output rows, no latent concepts; "
                    + "ALL_OUTPUTS = VOCABULARY)";
        }
        return requested == Normaliser.ALL_OUTPUTS
                ? "ALL_OUTPUTS (MLM head: V+k = " + v + "+" + k + " output rows)"
                : "VOCABULARY (MLM head: first V = " + v + " of " + (v + k) + " output rows)";
    }

    /** Scores with {@link Normaliser#ALL_OUTPUTS}, the BabyLM pipeline's normaliser. */
    @Override
    public float[] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets) {
        return logProbs(ids, attentionMask, positions, targets, Normaliser.ALL_OUTPUTS);
    }

    @Override
    public float[] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets,
                            Normaliser normaliser) {
        return logProbs(ids, attentionMask, positions, targets, java.util.List.of(normaliser))[0];
    }

    /**
     * Every normaliser from one forward pass: the logits of the scored rows are computed once (all {@code V + k}
     * output rows when a normaliser needs them) and each log-softmax is taken over its rows; row {@code i} equals
     * {@link #logProbs(int[][], int[][], int[], int[], Normaliser)} for {@code normalisers.get(i)}.
     */
    @Override
    public float[][] logProbs(int[][] ids, int[][] attentionMask, int[] positions, int[] targets,
                              java.util.List<Normaliser> normalisers) {
        if (normalisers == null || normalisers.isEmpty()) {
            throw new IllegalArgumentException("at least one normaliser is required");
        }
        boolean allRows = false;
        for (Normaliser normaliser : normalisers) {
            Normaliser applied = normaliserFor(normaliser);
            if (applied != normaliser && !toldNormaliser) {
                LOG.info("normaliser {} asked; the latent-to-vocabulary head outputs the V = {} vocabulary rows only, "
                        + "so the log-softmax is over those (ALL_OUTPUTS and VOCABULARY coincide for this head)",
                        normaliser, model.config().vocabSize());
                toldNormaliser = true;
            }
            allRows |= overAllRows(normaliser);
        }
        int b = ids.length;
        if (b == 0 || attentionMask.length != b || positions.length != b || targets.length != b) {
            throw new IllegalArgumentException("ids, attentionMask, positions and targets must have one entry per "
                    + "row (B >= 1), got " + b + ", " + attentionMask.length + ", " + positions.length + ", "
                    + targets.length);
        }
        int t = ids[0].length;
        int v = model.config().vocabSize();
        int[] flat = new int[b];
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t || attentionMask[r].length != t) {
                throw new IllegalArgumentException("row " + r + " has " + ids[r].length + " ids and "
                        + attentionMask[r].length + " mask entries, expected T = " + t);
            }
            if (positions[r] < 0 || positions[r] >= t || attentionMask[r][positions[r]] != 1) {
                throw new IllegalArgumentException("position " + positions[r] + " of row " + r
                        + " is not a real (mask 1) position of a row of length " + t);
            }
            if (targets[r] < 0 || targets[r] >= v) {
                throw new IllegalArgumentException("target " + targets[r] + " of row " + r
                        + " is outside the model vocabulary [0, " + v + ")");
            }
            flat[r] = r * t + positions[r];
        }
        // pad to a length bucket: a handful of graph shapes instead of one per sentence length (each shape is a
        // graph to build and cache); padded keys get -1e9 before the softmax, so real positions see the same scores
        int bucket = bucketLength(t, model.config().maxPositions());
        int[][] paddedIds = ids;
        int[][] paddedMask = attentionMask;
        if (bucket != t) {
            int pad = model.config().padTokenId();
            paddedIds = new int[b][bucket];
            paddedMask = new int[b][bucket];
            for (int r = 0; r < b; r++) {
                java.util.Arrays.fill(paddedIds[r], pad);
                System.arraycopy(ids[r], 0, paddedIds[r], 0, t);
                System.arraycopy(attentionMask[r], 0, paddedMask[r], 0, t);
                flat[r] = r * bucket + positions[r];
            }
        }
        INDArray inIds = Nd4j.createFromArray(paddedIds);
        INDArray inMask = Nd4j.createFromArray(paddedMask);
        // ALL_OUTPUTS through the MLM head: the k concept logits of the scored rows join the normaliser
        INDArray logits = allRows
                ? model.outputLogitsAt(inIds, inMask, flat)                                  // [B, V+k]
                : model.vocabLogitsAt(inIds, inMask, flat, head.term());                     // [B, V]
        float[][] out = new float[normalisers.size()][];
        boolean dense = logits.dataType() == DataType.FLOAT && !logits.isView() && logits.ordering() == 'c';
        for (int i = 0; i < out.length; i++) {
            int columns = overAllRows(normalisers.get(i)) ? (int) logits.columns() : v;
            if (dense) {
                out[i] = RowLogSoftmax.at(logits, columns, targets);                         // no temporaries
            } else {
                INDArray rows = columns == logits.columns() ? logits
                        : logits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, v));       // [B, V]
                out[i] = logSoftmaxAt(rows, targets);
            }
        }
        return out;
    }

    /** Whether {@code normaliser} sums over the {@code V + k} output rows here (MLM head of a model with concepts). */
    private boolean overAllRows(Normaliser normaliser) {
        return normaliserFor(normaliser) == Normaliser.ALL_OUTPUTS && head == ScoringHead.MLM
                && model.config().latentConcepts() > 0;
    }

    /** {@code log softmax(logits[r])[targets[r]]} per row, stable, the sum of exponentials in double. */
    private static float[] logSoftmaxAt(INDArray logits, int[] targets) {
        int b = targets.length;
        INDArray max = logits.max(1);                                                        // [B]
        INDArray shifted = logits.subColumnVector(max.reshape(b, 1));                       // [B, C]
        INDArray sumExp = Transforms.exp(shifted, false).castTo(DataType.DOUBLE).sum(1);      // [B]
        float[] out = new float[b];
        for (int r = 0; r < b; r++) {
            double lt = logits.getDouble(r, targets[r]) - max.getDouble(r);
            double lp = lt - Math.log(sumExp.getDouble(r));
            if (Double.isNaN(lp)) {
                throw new IllegalStateException("NaN log-probability in row " + r + " (NaN logits from the model)");
            }
            out[r] = (float) lp;
        }
        return out;
    }

    /**
     * Length buckets: multiples of 4 up to 64, of 16 up to 128, of 32 above, never beyond the model's positions. BLiMP
     * sentences (8–40 ids) then use at most 16 lengths, within {@code DebertaModel}'s cache of built graphs, and pad
     * by 1.5 ids on average (3.6 with multiples of 8: the padded rows cost their full share of the products).
     */
    static int bucketLength(int t, int maxPositions) {
        int step = t > 128 ? 32 : t > 64 ? 16 : 4;
        int b = (t + step - 1) / step * step;
        return Math.max(t, Math.min(b, maxPositions));
    }

    @Override
    public String toString() {
        return "DebertaMaskedLmScorer[" + head + ", V=" + model.config().vocabSize() + ", k="
                + model.config().latentConcepts() + "]";
    }
}
