package io.mlsm.core.data;

import io.mlsm.core.tokenizer.SpecialTokens;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Dynamic masking: which tokens are loss targets and what the model sees there. Masks are drawn per batch from a
 * random generator seeded by (seed, batch index), so they are new every epoch and identical after a resume.
 * Special tokens ({@link SpecialTokens#isSpecial}: {@code [CLS] [SEP] <unk> <pad> [MASK]}) are never targets, except
 * {@code <unk>} with {@code unkTargets} ({@link #withUnkTargets}), which treats it as an ordinary token (selected,
 * masked and predicted like any other; it is still never drawn as a random replacement).
 *
 * <pre>{@code
 * Masking.mlm();          // 15% of non-special tokens, all replaced by [MASK] (the papers' reference code)
 * Masking.bert();         // 15%, replaced 80% [MASK] / 10% random id / 10% unchanged (Devlin et al. 2019)
 * Masking.lsm();          // no [MASK]; loss at every non-special token
 * Masking.lsm15();        // no [MASK]; loss at a random 15% of non-special tokens
 * }</pre>
 *
 * <p>Selection is an independent Bernoulli draw per non-special token. With {@code atLeastOneTarget} (the default)
 * a sequence with at least one non-special token but no selected one gets one target chosen uniformly, so every
 * sequence contributes to the loss; this raises the effective rate above {@code rate} for very short sequences
 * (by {@code (1 - rate)^n / n} for {@code n} non-special tokens: under 0.1% from {@code n = 32} at 15%).
 *
 * @param strategy         which tokens are targets and whether inputs are replaced
 * @param rate             selection probability per non-special token for {@link MaskingStrategy#MLM} and
 *                         {@link MaskingStrategy#LSM15}, in (0, 1]; 1 for LSM, 0 for NONE
 * @param maskFraction     MLM: fraction of selected inputs replaced by {@code [MASK]}; 0 otherwise
 * @param randomFraction   MLM: fraction of selected inputs replaced by a uniformly random non-special id; 0 otherwise.
 *                         The remaining {@code 1 - maskFraction - randomFraction} stay unchanged
 * @param atLeastOneTarget whether every sequence with a non-special token gets at least one target
 * @param unkTargets       whether {@code <unk>} can be a target like an ordinary token (default {@code false})
 */
public record Masking(MaskingStrategy strategy, double rate, double maskFraction, double randomFraction,
                      boolean atLeastOneTarget, boolean unkTargets) {

    /** Label of positions without a target (PyTorch's {@code ignore_index}). */
    public static final int IGNORE = -100;
    /** The papers' masking rate. */
    public static final double DEFAULT_RATE = 0.15;

    /** Without {@code <unk>} targets (the default). */
    public Masking(MaskingStrategy strategy, double rate, double maskFraction, double randomFraction,
                   boolean atLeastOneTarget) {
        this(strategy, rate, maskFraction, randomFraction, atLeastOneTarget, false);
    }

    public Masking {
        Objects.requireNonNull(strategy, "strategy");
        if (!(maskFraction >= 0 && randomFraction >= 0 && maskFraction + randomFraction <= 1 + 1e-12)) {
            throw new IllegalArgumentException("maskFraction and randomFraction must be >= 0 with sum <= 1, got "
                    + maskFraction + " and " + randomFraction);
        }
        switch (strategy) {
            case MLM, LSM15 -> {
                if (!(rate > 0 && rate <= 1)) {
                    throw new IllegalArgumentException(strategy + " masking rate must be in (0, 1], got " + rate);
                }
            }
            case LSM -> {
                if (rate != 1) {
                    throw new IllegalArgumentException("LSM takes every non-special token: rate must be 1, got " + rate);
                }
            }
            case NONE -> {
                if (rate != 0) {
                    throw new IllegalArgumentException("NONE selects no token: rate must be 0, got " + rate);
                }
            }
        }
        if (strategy != MaskingStrategy.MLM && (maskFraction != 0 || randomFraction != 0)) {
            throw new IllegalArgumentException(strategy + " does not replace inputs: maskFraction and randomFraction "
                    + "must be 0, got " + maskFraction + " and " + randomFraction);
        }
    }

    /** @return MLM at 15%, every selected token replaced by {@code [MASK]} */
    public static Masking mlm() {
        return mlm(DEFAULT_RATE);
    }

    /** @return MLM at {@code rate}, every selected token replaced by {@code [MASK]} */
    public static Masking mlm(double rate) {
        return new Masking(MaskingStrategy.MLM, rate, 1.0, 0.0, true);
    }

    /** @return MLM at 15% with BERT's 80% {@code [MASK]} / 10% random / 10% unchanged */
    public static Masking bert() {
        return new Masking(MaskingStrategy.MLM, DEFAULT_RATE, 0.8, 0.1, true);
    }

    /** @return LSM: no replacement, every non-special token a target */
    public static Masking lsm() {
        return new Masking(MaskingStrategy.LSM, 1.0, 0.0, 0.0, true);
    }

    /** @return LSM15: no replacement, 15% of non-special tokens targets */
    public static Masking lsm15() {
        return new Masking(MaskingStrategy.LSM15, DEFAULT_RATE, 0.0, 0.0, true);
    }

    /** @return no replacement and no target */
    public static Masking none() {
        return new Masking(MaskingStrategy.NONE, 0.0, 0.0, 0.0, false);
    }

    /** @return a copy with {@code atLeastOneTarget} set as given */
    public Masking withAtLeastOneTarget(boolean value) {
        return new Masking(strategy, rate, maskFraction, randomFraction, value, unkTargets);
    }

    /** @return a copy in which {@code <unk>} can ({@code true}) or cannot be a target */
    public Masking withUnkTargets(boolean value) {
        return new Masking(strategy, rate, maskFraction, randomFraction, atLeastOneTarget, value);
    }

    /** @return whether this id is never a target: a special token, unless it is {@code <unk>} and unkTargets */
    private boolean excluded(int id, SpecialTokens specials) {
        return specials.isSpecial(id) && !(unkTargets && id == specials.unk());
    }

    /** @return whether inputs at targets may differ from the original ids */
    public boolean replacesInputs() {
        return strategy == MaskingStrategy.MLM && maskFraction + randomFraction > 0;
    }

    /**
     * One masked sequence.
     *
     * @param inputIds    what the model sees
     * @param labels      the original id at targets, {@link #IGNORE} elsewhere
     * @param targetCount the number of targets
     */
    public record MaskedSequence(int[] inputIds, int[] labels, int targetCount) {
    }

    /**
     * Masks one sequence (convenience for tests and tools; batches use the same code).
     *
     * @param ids       the original ids
     * @param rng       the random source
     * @param specials  special-token ids
     * @param vocabSize vocabulary size (random replacements are drawn among its non-special ids)
     * @return the masked sequence
     */
    public MaskedSequence apply(int[] ids, SplittableRandom rng, SpecialTokens specials, int vocabSize) {
        int[] input = new int[ids.length];
        int[] labels = new int[ids.length];
        int targets = apply(ids, 0, input, labels, 0, ids.length, rng, specials, vocabSize);
        return new MaskedSequence(input, labels, targets);
    }

    /**
     * Masks {@code length} ids of {@code original} from {@code from} into {@code input} and {@code labels} at
     * {@code to}. Draws, in order, for each non-special token: selection, then (MLM only, when selected) the
     * replacement kind and, for a random replacement, the id; then, when nothing was selected, the forced target.
     *
     * @return the number of targets
     */
    int apply(int[] original, int from, int[] input, int[] labels, int to, int length, SplittableRandom rng,
              SpecialTokens specials, int vocabSize) {
        int targets = 0;
        int nonSpecial = 0;
        for (int i = 0; i < length; i++) {
            int id = original[from + i];
            input[to + i] = id;
            labels[to + i] = IGNORE;
            if (excluded(id, specials)) {
                continue;
            }
            nonSpecial++;
            boolean selected = switch (strategy) {
                case LSM -> true;
                case NONE -> false;
                case MLM, LSM15 -> rng.nextDouble() < rate;
            };
            if (selected) {
                target(original, from + i, input, labels, to + i, rng, specials, vocabSize);
                targets++;
            }
        }
        if (targets == 0 && nonSpecial > 0 && atLeastOneTarget && strategy != MaskingStrategy.NONE) {
            int k = rng.nextInt(nonSpecial);
            for (int i = 0; i < length; i++) {
                if (!excluded(original[from + i], specials) && k-- == 0) {
                    target(original, from + i, input, labels, to + i, rng, specials, vocabSize);
                    targets = 1;
                    break;
                }
            }
        }
        return targets;
    }

    private void target(int[] original, int src, int[] input, int[] labels, int dst, SplittableRandom rng,
                        SpecialTokens specials, int vocabSize) {
        int id = original[src];
        labels[dst] = id;
        if (strategy != MaskingStrategy.MLM) {
            return;
        }
        double u = rng.nextDouble();
        if (u < maskFraction) {
            input[dst] = specials.mask();
        } else if (u < maskFraction + randomFraction) {
            int r;
            do {
                r = rng.nextInt(vocabSize);
            } while (specials.isSpecial(r));
            input[dst] = r;
        }
    }
}
