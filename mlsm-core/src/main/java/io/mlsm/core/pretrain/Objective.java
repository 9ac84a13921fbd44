package io.mlsm.core.pretrain;

import io.mlsm.core.data.Masking;
import io.mlsm.core.train.TargetSource;
import io.mlsm.models.TrainingObjective;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * A pre-training objective as a user names it: the loss terms the student computes, where they are taken (the
 * masking), what the objective needs besides the corpus (a teacher, a dictionary) and how its targets are made.
 * The seven objectives of the papers are constants; {@link #builder(String)} makes others without touching the
 * library (see {@code docs/architecture.md} and {@code CustomObjectiveTest}).
 *
 * <table>
 *   <caption>Objectives</caption>
 *   <tr><th>objective</th><th>input</th><th>loss</th><th>needs</th></tr>
 *   <tr><td>MLM</td><td>15% [MASK]</td><td>cross-entropy at masked tokens</td><td>—</td></tr>
 *   <tr><td>KD</td><td>15% [MASK]</td><td>KL(teacher ‖ student) over the vocabulary</td><td>teacher</td></tr>
 *   <tr><td>KD_PLUS_MLM</td><td>15% [MASK]</td><td>KD + w·MLM</td><td>teacher</td></tr>
 *   <tr><td>MLSM</td><td>15% [MASK]</td><td>KL(concept target ‖ softmax(concept logits))</td><td>teacher,
 *       dictionary</td></tr>
 *   <tr><td>MLSM_PLUS_MLM</td><td>15% [MASK]</td><td>MLSM + w·MLM</td><td>teacher, dictionary</td></tr>
 *   <tr><td>LSM</td><td>unmasked</td><td>MLSM loss at every non-special token</td><td>teacher, dictionary</td></tr>
 *   <tr><td>LSM15</td><td>unmasked</td><td>MLSM loss at a random 15% of tokens</td><td>teacher, dictionary</td></tr>
 * </table>
 *
 * <pre>{@code
 * Objective o = Objective.valueOf("mlsm_plus_mlm");                 // the CLI's --objective
 * Objective mine = Objective.builder("MLSM_T2")
 *         .terms(w -> TrainingObjective.of(new TemperatureMlsm(2.0)))
 *         .needsTeacher().needsDictionary().targets(TargetContext::conceptTargets)
 *         .build();
 * }</pre>
 */
public final class Objective {

    /** Masked language modelling. */
    public static final Objective MLM = builder("MLM").terms(w -> TrainingObjective.mlm()).build();
    /** Knowledge distillation from the teacher's vocabulary distribution. */
    public static final Objective KD = builder("KD").terms(w -> TrainingObjective.kd()).needsTeacher()
            .targets(TargetContext::teacherDistributions).build();
    /** KD plus weighted MLM. */
    public static final Objective KD_PLUS_MLM = builder("KD_PLUS_MLM").terms(TrainingObjective::kdPlusMlm)
            .needsTeacher().targets(TargetContext::teacherDistributions).build();
    /** Masked latent semantic modelling. */
    public static final Objective MLSM = concepts("MLSM", Masking.mlm(), w -> TrainingObjective.mlsm());
    /** MLSM plus weighted MLM (the "better together" objective). */
    public static final Objective MLSM_PLUS_MLM = concepts("MLSM_PLUS_MLM", Masking.mlm(),
            TrainingObjective::mlsmPlusMlm);
    /** Masking-free latent semantic modelling at all tokens. */
    public static final Objective LSM = concepts("LSM", Masking.lsm(), w -> TrainingObjective.mlsm());
    /** Masking-free latent semantic modelling at a random 15% of tokens. */
    public static final Objective LSM15 = concepts("LSM15", Masking.lsm15(), w -> TrainingObjective.mlsm());

    private static final List<Objective> PAPER = List.of(MLM, KD, KD_PLUS_MLM, MLSM, MLSM_PLUS_MLM, LSM, LSM15);

    /** How an objective makes the targets its terms read, from what the run provides. */
    @FunctionalInterface
    public interface TargetFactory {
        /**
         * @param context teacher, dictionary and the built-in sources
         * @return the source of this objective's targets
         * @throws IOException when a cache cannot be read or written
         */
        TargetSource create(TargetContext context) throws IOException;
    }

    private final String name;
    private final Masking masking;
    private final DoubleFunction<TrainingObjective> terms;
    private final boolean needsTeacher;
    private final boolean needsDictionary;
    private final TargetFactory targets;

    private Objective(Builder b) {
        name = b.name;
        masking = b.masking;
        terms = b.terms;
        needsTeacher = b.needsTeacher || b.needsDictionary;
        needsDictionary = b.needsDictionary;
        targets = b.targets;
    }

    private static Objective concepts(String name, Masking masking, DoubleFunction<TrainingObjective> terms) {
        return builder(name).masking(masking).terms(terms).needsTeacher().needsDictionary()
                .targets(TargetContext::conceptTargets).build();
    }

    /** @return the seven objectives of the papers, in the order of the table above */
    public static List<Objective> values() {
        return PAPER;
    }

    /**
     * @param name an objective's name, any case, {@code -} or {@code _} between words ({@code mlsm-plus-mlm})
     * @return the paper objective of that name
     * @throws IllegalArgumentException naming the valid names
     */
    public static Objective valueOf(String name) {
        String wanted = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Objective o : PAPER) {
            if (o.name.equals(wanted)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown objective '" + name + "'; expected one of "
                + PAPER.stream().map(Objective::name).collect(Collectors.joining(", ")));
    }

    /**
     * @param name the objective's name (in logs, provenance and metrics)
     * @return a builder: MLM masking, no teacher, no dictionary, no targets beyond the labels until set
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the objective's name */
    public String name() {
        return name;
    }

    /** @return how the student's inputs are masked and where its loss is taken */
    public Masking masking() {
        return masking;
    }

    /** @return whether the objective needs a teacher model */
    public boolean needsTeacher() {
        return needsTeacher;
    }

    /** @return whether the objective needs a dictionary of latent concepts */
    public boolean needsDictionary() {
        return needsDictionary;
    }

    /**
     * @param mlmWeight weight of the MLM term in joint objectives ({@code > 0}; ignored otherwise)
     * @return the loss terms the model computes
     */
    public TrainingObjective trainingObjective(double mlmWeight) {
        return terms.apply(mlmWeight);
    }

    /**
     * @param context what the run provides
     * @return the source of the targets this objective's terms read
     * @throws IOException when a target cache cannot be read or written
     */
    public TargetSource targetSource(TargetContext context) throws IOException {
        return targets.create(context);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Fluent definition of an objective. */
    public static final class Builder {
        private final String name;
        private Masking masking = Masking.mlm();
        private DoubleFunction<TrainingObjective> terms;
        private boolean needsTeacher;
        private boolean needsDictionary;
        private TargetFactory targets = context -> TargetSource.none();

        private Builder(String name) {
            if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("objective name must be letters, digits and underscores, got '"
                        + name + "'");
            }
            this.name = name;
        }

        /** @param m how inputs are masked and where the loss is taken (default {@link Masking#mlm()}) @return this */
        public Builder masking(Masking m) {
            masking = Objects.requireNonNull(m, "masking");
            return this;
        }

        /**
         * @param t the loss terms, given the run's MLM weight (ignore it when the objective has no MLM term)
         * @return this
         */
        public Builder terms(DoubleFunction<TrainingObjective> t) {
            terms = Objects.requireNonNull(t, "terms");
            return this;
        }

        /** Declares that the objective needs a teacher (loaded or pre-trained in phase 1). @return this */
        public Builder needsTeacher() {
            needsTeacher = true;
            return this;
        }

        /** Declares that the objective needs a dictionary (and so a teacher). @return this */
        public Builder needsDictionary() {
            needsDictionary = true;
            return this;
        }

        /** @param f makes the objective's target source (default: none beyond the labels) @return this */
        public Builder targets(TargetFactory f) {
            targets = Objects.requireNonNull(f, "targets");
            return this;
        }

        /** @return the objective */
        public Objective build() {
            if (terms == null) {
                throw new IllegalArgumentException("objective " + name + " has no loss terms: call terms(...)");
            }
            return new Objective(this);
        }
    }
}
