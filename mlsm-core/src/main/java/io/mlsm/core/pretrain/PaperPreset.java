package io.mlsm.core.pretrain;

import io.mlsm.core.data.SequenceOptions;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.loss.MlsmLoss;

import java.util.Locale;

/**
 * The settings of one paper and BabyLM track, applied to a {@link Pretraining.Builder} in one call. The values and
 * their sources (paper section, {@code SPEC.md} or the reference code where a paper does not say) are listed in
 * {@code docs/presets.md}.
 *
 * <pre>{@code
 * Pretraining.threePhase().preset(PaperPreset.BABYLM_2024_STRICT_SMALL)   // first: later setters win
 *         .corpus(Corpus.directory(Path.of("data/babylm_10M")))
 *         .outputDir(Path.of("runs/babylm-2024"))
 *         .fit();
 * }</pre>
 *
 * What a preset sets: tokenizer size, sequences (128 ids, line pairs), effective batch 1024 as micro-batch ×
 * accumulation (the micro-batch stays the builder's, default 32, so accumulation 32), lr 1e-4, linear schedule with
 * 1% warm-up, clipping 1.0, AdamW as {@code torch.optim.AdamW} (ε 1e-8, weight decay 0.01 on every parameter) in
 * every phase, the teacher (DeBERTa base, its steps), the dictionary (k, λ, layer, 1M tokens), the objective
 * (15% all-[MASK] masking), the student (DeBERTa base, warm start, its steps), MLSM reduced as torch
 * {@code batchmean} over all target rows, {@code <unk>} allowed as a target, and the phase-3 head (10k updates at
 * lr 1e-4). {@code <unk>} targets do not combine with {@code cacheTargets}.
 */
public enum PaperPreset {

    /** Better Together (BabyLM 2023), strict-small track (10M words): MLSM+MLM, k 2500, 20k + 80k steps. */
    BABYLM_2023_STRICT_SMALL(2023, 10_000_000L, Objective.MLSM_PLUS_MLM, 2500, 20_000, 80_000),
    /** Better Together (BabyLM 2023), strict track (100M words): MLSM+MLM, k 2500, 20k + 80k steps. */
    BABYLM_2023_STRICT(2023, 100_000_000L, Objective.MLSM_PLUS_MLM, 2500, 20_000, 80_000),
    /** Quasi-symbolic concepts (BabyLM 2024), 10M-word corpus: MLSM, k 1500, 100k + ≈10k steps, 10k head updates. */
    BABYLM_2024_STRICT_SMALL(2024, 10_000_000L, Objective.MLSM, 1500, 100_000, 10_000),
    /** Quasi-symbolic concepts (BabyLM 2024), 100M-word corpus: MLSM, k 1500, 100k + ≈100k steps, 10k head updates. */
    BABYLM_2024_STRICT(2024, 100_000_000L, Objective.MLSM, 1500, 100_000, 100_000);

    /** Effective batch (sequences per update) of both papers. */
    public static final int EFFECTIVE_BATCH = 1024;
    /** Peak learning rate of every phase. */
    public static final double LEARNING_RATE = 1e-4;
    /** Linear warm-up fraction. */
    public static final double WARMUP_FRACTION = 0.01;
    /** Gradient-norm clip. */
    public static final double CLIP_NORM = 1.0;
    /** Decoupled weight decay. */
    public static final double WEIGHT_DECAY = 0.01;
    /** AdamW ε ({@code torch.optim.AdamW}'s default). */
    public static final double ADAM_EPSILON = 1e-8;
    /** Unigram tokenizer vocabulary. */
    public static final int TOKENIZER_VOCAB = 25_000;
    /** Sequence length in ids, special tokens included. */
    public static final int SEQUENCE_LENGTH = 128;
    /** Masking rate. */
    public static final double MASK_RATE = 0.15;
    /** Dictionary ℓ1 weight λ. */
    public static final double LAMBDA = 0.05;
    /** Teacher hidden state the dictionary is learned from (−1 = last layer). */
    public static final int LAYER = -1;
    /** Teacher tokens sampled for dictionary learning. */
    public static final long DICTIONARY_TOKENS = 1_000_000L;
    /** Phase-3 head updates. */
    public static final long HEAD_STEPS = 10_000;
    /** Weight of the MLM term in joint objectives. */
    public static final double MLM_WEIGHT = 1.0;

    private final int year;
    private final long corpusWords;
    private final Objective objective;
    private final int atoms;
    private final long teacherSteps;
    private final long studentSteps;

    PaperPreset(int year, long corpusWords, Objective objective, int atoms, long teacherSteps, long studentSteps) {
        this.year = year;
        this.corpusWords = corpusWords;
        this.objective = objective;
        this.atoms = atoms;
        this.teacherSteps = teacherSteps;
        this.studentSteps = studentSteps;
    }

    /**
     * @param name a constant's name, case-insensitive, {@code -} allowed for {@code _} (e.g. {@code babylm-2024-strict})
     * @return the preset
     * @throws IllegalArgumentException naming the presets when there is no such one
     */
    public static PaperPreset parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (PaperPreset p : values()) {
            if (p.name().equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()));
    }

    /** @return the BabyLM year (2023 or 2024) */
    public int year() {
        return year;
    }

    /** @return the size of the track's corpus in words (10M strict-small, 100M strict) */
    public long corpusWords() {
        return corpusWords;
    }

    /** @return the student's objective */
    public Objective objective() {
        return objective;
    }

    /** @return dictionary atoms k */
    public int atoms() {
        return atoms;
    }

    /** @return teacher (phase-1) updates */
    public long teacherSteps() {
        return teacherSteps;
    }

    /** @return student (phase-2) updates */
    public long studentSteps() {
        return studentSteps;
    }

    /** @return whether the paper trains a phase-3 latent-to-vocabulary head */
    public boolean hasHead() {
        return year == 2024;
    }

    /**
     * @param microBatch sequences per micro-batch, a divisor of {@value #EFFECTIVE_BATCH}
     * @return micro-batches per update for an effective batch of {@value #EFFECTIVE_BATCH}
     * @throws IllegalArgumentException when it does not divide 1024
     */
    public static int accumulationFor(int microBatch) {
        if (microBatch < 1 || EFFECTIVE_BATCH % microBatch != 0) {
            throw new IllegalArgumentException("the papers' effective batch is " + EFFECTIVE_BATCH + " = micro-batch "
                    + "× accumulation: the micro-batch must divide " + EFFECTIVE_BATCH + ", got " + microBatch);
        }
        return EFFECTIVE_BATCH / microBatch;
    }

    /** @return the dictionary spec: k, λ, layer, tokens of this paper */
    public DictionarySpec dictionary() {
        return DictionarySpec.learn().atoms(atoms).lambda(LAMBDA).layer(LAYER).sampleTokens(DICTIONARY_TOKENS);
    }

    /**
     * @param architecture the teacher's architecture (the papers: {@link DebertaConfig#base()})
     * @param microBatch   sequences per micro-batch (sets the accumulation)
     * @return an MLM teacher trained with this paper's settings
     */
    public TeacherSpec teacher(DebertaConfig architecture, int microBatch) {
        return TeacherSpec.pretrainMlm(architecture).steps(teacherSteps).learningRate(LEARNING_RATE)
                .accumulation(accumulationFor(microBatch)).warmupFraction(WARMUP_FRACTION).weightDecay(WEIGHT_DECAY)
                .clipNorm(CLIP_NORM).adamEpsilon(ADAM_EPSILON).decayAllParameters(true);
    }

    /**
     * Sets every setting of this paper on the builder, with its current micro-batch size (default 32 → accumulation
     * 32). Call it before your own setters: those called later win.
     *
     * @param b a builder
     * @return the builder
     */
    public Pretraining.Builder apply(Pretraining.Builder b) {
        int accumulation = accumulationFor(b.batchSize());
        b.trainTokenizer(TOKENIZER_VOCAB)
                .sequences(new SequenceOptions(SEQUENCE_LENGTH, SequenceOptions.DEFAULT_MIN_CONTENT_TOKENS, true))
                .teacher(teacher(DebertaConfig.base(), b.batchSize()))
                .dictionary(dictionary())
                .objective(objective)
                .mlmWeight(MLM_WEIGHT)
                .student(DebertaConfig.base()).warmStart(true)
                .steps(studentSteps).accumulation(accumulation).learningRate(LEARNING_RATE)
                .warmupFraction(WARMUP_FRACTION).weightDecay(WEIGHT_DECAY).clipNorm(CLIP_NORM)
                .adamEpsilon(ADAM_EPSILON).decayAllParameters(true)
                .mlsmReduction(MlsmLoss.Reduction.ALL_ROWS).unkTargets(true)
                .headSteps(HEAD_STEPS).headLearningRate(LEARNING_RATE);
        b.headTraining.accumulation(accumulation).warmupFraction(WARMUP_FRACTION).weightDecay(WEIGHT_DECAY)
                .clipNorm(CLIP_NORM);
        return b;
    }

    /**
     * @param b          a builder
     * @param microBatch sequences per micro-batch (all phases), a divisor of 1024
     * @return the builder with its batch size set and this preset applied
     */
    public Pretraining.Builder apply(Pretraining.Builder b, int microBatch) {
        accumulationFor(microBatch);
        return apply(b.batchSize(microBatch));
    }
}
