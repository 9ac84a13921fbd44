package io.mlsm.models;

import io.mlsm.models.graph.VariableNames;
import io.mlsm.models.loss.ClassificationLoss;
import io.mlsm.models.loss.KdLoss;
import io.mlsm.models.loss.LatentToVocabLoss;
import io.mlsm.models.loss.LossTerm;
import io.mlsm.models.loss.MlmLoss;
import io.mlsm.models.loss.MlsmLoss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which loss terms a training step computes, with their weights, and which parameters it trains.
 *
 * <p>The total loss is {@code Σ weight(term) · term} over {@link LossTerm}s. The built-in terms are
 * {@link MlmLoss} ({@code mlm}), {@link KdLoss} ({@code kd}), {@link MlsmLoss} ({@code mlsm}),
 * {@link LatentToVocabLoss} ({@code latent_to_vocab}) and {@link ClassificationLoss} ({@code classification});
 * LSM / LSM15 are MLSM at other target positions, so they need no term of their own. Any other implementation of
 * {@link LossTerm} can be combined with them.
 *
 * <pre>{@code
 * TrainingObjective o = TrainingObjective.mlsmPlusMlm(1.0);               // MLSM + 1.0 * MLM, all trainable
 * TrainingObjective p3 = TrainingObjective.latentToVocab();               // only cls.latent_to_vocab.* trained
 * TrainingObjective mine = TrainingObjective.of(new MyTerm(2.0)).plus(new MlmLoss(), 0.5);
 * }</pre>
 *
 * @param weights weight per term, in the order the terms were given (the order of the loss map and metrics columns);
 *                keys unique, weights positive and finite
 * @param scope   which parameters receive gradients
 */
public record TrainingObjective(Map<LossTerm, Double> weights, Scope scope) {

    /** Which parameters are trained. */
    public enum Scope {
        /** Every parameter the objective uses. */
        ALL,
        /** Only parameters outside the backbone (names not starting with {@code deberta.}). */
        HEADS_ONLY,
        /** Only {@code cls.latent_to_vocab.*} (phase 3: frozen backbone and concept head). */
        LATENT_TO_VOCAB_ONLY;

        /**
         * @param parameterName Hugging Face parameter name
         * @return whether it is trained under this scope
         */
        public boolean trains(String parameterName) {
            return switch (this) {
                case ALL -> true;
                case HEADS_ONLY -> !parameterName.startsWith(VariableNames.BACKBONE_PREFIX);
                case LATENT_TO_VOCAB_ONLY -> parameterName.startsWith("cls.latent_to_vocab.");
            };
        }
    }

    public TrainingObjective {
        if (weights == null || weights.isEmpty()) {
            throw new IllegalArgumentException("a training objective needs at least one loss term");
        }
        if (scope == null) {
            throw new IllegalArgumentException("scope must not be null");
        }
        Map<LossTerm, Double> copy = new LinkedHashMap<>();
        Map<String, LossTerm> keys = new LinkedHashMap<>();
        for (Map.Entry<LossTerm, Double> e : weights.entrySet()) {
            LossTerm term = e.getKey();
            double w = e.getValue();
            if (term == null) {
                throw new IllegalArgumentException("loss term must not be null");
            }
            String key = term.key();
            if (key == null || !key.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("loss term " + term + " has key '" + key
                        + "'; expected lower-case letters, digits and underscores");
            }
            if (key.equals(StepResult.TOTAL) || keys.putIfAbsent(key, term) != null) {
                throw new IllegalArgumentException("loss term key '" + key + "' of " + term + " is used twice (or is "
                        + "the reserved '" + StepResult.TOTAL + "')");
            }
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("weight of term " + key + " must be finite and > 0, got " + w);
            }
            copy.put(term, w);
        }
        weights = Collections.unmodifiableMap(copy);
    }

    /**
     * @param term a loss term, weight 1
     * @return an objective of that term alone, every parameter trained
     */
    public static TrainingObjective of(LossTerm term) {
        return of(term, 1.0);
    }

    /**
     * @param term   a loss term
     * @param weight its weight, {@code > 0}
     * @return an objective of that term alone, every parameter trained
     */
    public static TrainingObjective of(LossTerm term, double weight) {
        Map<LossTerm, Double> m = new LinkedHashMap<>();
        m.put(term, weight);
        return new TrainingObjective(m, Scope.ALL);
    }

    /**
     * @param term   another loss term
     * @param weight its weight, {@code > 0}
     * @return this objective plus {@code weight · term}
     */
    public TrainingObjective plus(LossTerm term, double weight) {
        Map<LossTerm, Double> m = new LinkedHashMap<>(weights);
        if (m.containsKey(term)) {
            throw new IllegalArgumentException("loss term " + term.key() + " is already part of " + this);
        }
        m.put(term, weight);
        return new TrainingObjective(m, scope);
    }

    /** @return plain MLM */
    public static TrainingObjective mlm() {
        return of(new MlmLoss());
    }

    /** @return KD only */
    public static TrainingObjective kd() {
        return of(new KdLoss());
    }

    /** @return MLSM only (also LSM / LSM15 with other target positions) */
    public static TrainingObjective mlsm() {
        return of(new MlsmLoss());
    }

    /**
     * @param mlmWeight weight of the MLM term
     * @return KD + mlmWeight · MLM
     */
    public static TrainingObjective kdPlusMlm(double mlmWeight) {
        return of(new MlmLoss(), mlmWeight).plus(new KdLoss(), 1.0);
    }

    /**
     * @param mlmWeight weight of the MLM term
     * @return MLSM + mlmWeight · MLM
     */
    public static TrainingObjective mlsmPlusMlm(double mlmWeight) {
        return of(new MlmLoss(), mlmWeight).plus(new MlsmLoss(), 1.0);
    }

    /**
     * @param reduction how every MLSM term of this objective divides its summed row losses
     * @return this objective with each {@link MlsmLoss} term replaced by one with that reduction (same weight);
     *         an objective without MLSM term is returned unchanged
     */
    public TrainingObjective withMlsmReduction(MlsmLoss.Reduction reduction) {
        Map<LossTerm, Double> m = new LinkedHashMap<>();
        weights.forEach((t, w) -> m.put(t instanceof MlsmLoss ? new MlsmLoss(reduction) : t, w));
        return new TrainingObjective(m, scope);
    }

    /** @return phase 3: MLM through the latent-to-vocabulary head, only that head trained */
    public static TrainingObjective latentToVocab() {
        return of(new LatentToVocabLoss()).withScope(Scope.LATENT_TO_VOCAB_ONLY);
    }

    /** @return sequence classification fine-tuning, everything trained */
    public static TrainingObjective classification() {
        return of(new ClassificationLoss());
    }

    /**
     * @param newScope which parameters to train
     * @return this objective with another scope
     */
    public TrainingObjective withScope(Scope newScope) {
        return new TrainingObjective(weights, newScope);
    }

    /** @return whether a term with this key is part of this objective */
    public boolean has(String key) {
        return weights.keySet().stream().anyMatch(t -> t.key().equals(key));
    }

    /** @return true if any term takes its loss at target positions */
    public boolean usesTargetPositions() {
        return weights.keySet().stream().anyMatch(LossTerm::usesTargetPositions);
    }

    /** @return whether every term reduces over target rows with their weights, so the step may pad the rows */
    public boolean acceptsPaddedRows() {
        return weights.keySet().stream().allMatch(LossTerm::acceptsPaddedRows);
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" + ", "", " [" + scope + "]");
        weights.forEach((t, w) -> j.add(w == 1.0 ? t.key() : w + "*" + t.key()));
        return j.toString();
    }
}
