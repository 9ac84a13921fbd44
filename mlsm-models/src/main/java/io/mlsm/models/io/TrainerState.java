package io.mlsm.models.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loop state a training run needs to resume exactly ({@code trainer-state.json} of a checkpoint): updates made,
 * the seed and any named random-stream positions, where the data reader stands, and the loss history.
 *
 * <pre>{@code
 * TrainerState s = new TrainerState(1000, 42, 1, 65_536, Map.of("masking", 1000L), List.of(7.1, 6.4), "student",
 *         "mlsm + mlm [ALL]", Map.of());
 * }</pre>
 *
 * @param step         optimizer updates made so far
 * @param seed         the run's seed
 * @param epoch        passes over the data completed
 * @param dataPosition position of the data reader within the current epoch (examples or batches, as the trainer
 *                     defines)
 * @param rng          named random-stream states (e.g. draws made, derived seeds)
 * @param lossHistory  losses logged so far (may be empty)
 * @param phase        the training phase the checkpoint belongs to ({@code teacher}, {@code student}, {@code head},
 *                     ...); null when unknown. Checkpoints written before this field existed carry it in
 *                     {@code extra.phase}, from where {@link #fromJson(String)} moves it.
 * @param objective    the training objective as {@link io.mlsm.models.TrainingObjective#toString()} writes it; null
 *                     when unknown (read from {@code extra.objective} in older checkpoints)
 * @param extra        further trainer-specific facts
 */
public record TrainerState(
        @JsonProperty("step") long step,
        @JsonProperty("seed") long seed,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("data_position") long dataPosition,
        @JsonProperty("rng") Map<String, Long> rng,
        @JsonProperty("loss_history") List<Double> lossHistory,
        @JsonProperty("phase") String phase,
        @JsonProperty("objective") String objective,
        @JsonProperty("extra") Map<String, String> extra) {

    /** Conventional file name. */
    public static final String FILE_NAME = "trainer-state.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    public TrainerState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (dataPosition < 0) {
            throw new IllegalArgumentException("data_position must be >= 0, got " + dataPosition);
        }
        rng = rng == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(rng));
        lossHistory = lossHistory == null ? List.of() : List.copyOf(lossHistory);
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(extra));
    }

    /**
     * @param step updates made
     * @param seed the run's seed
     * @return a state with no data position, RNG streams, history or extras
     */
    public static TrainerState of(long step, long seed) {
        return new TrainerState(step, seed, 0, 0, Map.of(), List.of(), null, null, Map.of());
    }

    /** @return indented JSON (non-finite losses are written as strings "NaN"/"Infinity" by Jackson) */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise trainer state", e);
        }
    }

    /**
     * @param json text written by {@link #toJson()}
     * @return the state
     * @throws IllegalArgumentException if malformed or a field is missing or invalid
     */
    public static TrainerState fromJson(String json) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(json);
            if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                upgrade(o, "phase");
                upgrade(o, "objective");
            }
            TrainerState s = tree == null || tree.isMissingNode() ? null : JSON.treeToValue(tree, TrainerState.class);
            if (s == null) {
                throw new IllegalArgumentException("trainer state JSON is empty");
            }
            return s;
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("malformed trainer state: " + e.getOriginalMessage(), e);
        }
    }

    /** Moves a field that older checkpoints kept in {@code extra} to the top level (null when neither has it). */
    private static void upgrade(com.fasterxml.jackson.databind.node.ObjectNode o, String field) {
        if (o.has(field)) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode extra = o.get("extra");
        if (extra instanceof com.fasterxml.jackson.databind.node.ObjectNode e && e.has(field)) {
            o.set(field, e.get(field));
            e.remove(field);
        } else {
            o.putNull(field);
        }
    }
}
