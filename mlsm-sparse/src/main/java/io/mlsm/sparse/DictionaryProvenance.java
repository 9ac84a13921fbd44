package io.mlsm.sparse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.runtime.Provenance;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a {@link Dictionary} came from: the learning settings, the data it saw and the library that made it.
 *
 * <p>This is the dictionary's typed view of the library's general {@link Provenance} (mlsm-runtime):
 * {@link #toProvenance()} and {@link #from(Provenance)} convert losslessly. The {@code .mlsmdict} file keeps its own
 * provenance layout, so dictionaries written before and after the unification read alike. In the general form the
 * learning settings ({@code lambda}, {@code atoms}, {@code dimension}, {@code iterations}, {@code rowsSeen}) are the
 * {@link Provenance#config() config}, the data description is the {@value #DATA_KEY} data entry's path and the
 * attributes are the {@link Provenance#extra() extras}.
 *
 * <pre>{@code
 * DictionaryProvenance p = DictionaryProvenance.of(0.05, 1024, 768, "teacher layer 12, 1M tokens");
 * Dictionary dict = Dictionary.of(atoms, p);
 * }</pre>
 *
 * @param lambda         the ℓ1 weight λ the dictionary was learned with (≥ 0)
 * @param atoms          number of atoms k (≥ 1)
 * @param dimension      vector dimension d (≥ 1)
 * @param iterations     mini-batch updates performed (0 for a dictionary that was not learned)
 * @param rowsSeen       data vectors seen during learning
 * @param seed           the seed that drove every random choice
 * @param data           free-text description of the training data (never null; may be empty)
 * @param libraryVersion the mlsm-sparse version that produced the dictionary
 * @param created        ISO-8601 creation time
 * @param attributes     further key/value facts (teacher layer, options, ...); copied, sorted, unmodifiable
 */
public record DictionaryProvenance(double lambda, int atoms, int dimension, long iterations, long rowsSeen,
                                   long seed, String data, String libraryVersion, String created,
                                   Map<String, String> attributes) {

    /** The artifact kind in the general provenance. */
    public static final String ARTIFACT = "dictionary";
    /** The data entry that carries the training-data description in the general provenance. */
    public static final String DATA_KEY = "training-data";

    /** Validates every field and freezes the attribute map. */
    public DictionaryProvenance {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("provenance lambda must be finite and >= 0, got " + lambda);
        }
        if (atoms < 1) {
            throw new IllegalArgumentException("provenance atoms (k) must be >= 1, got " + atoms);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("provenance dimension (d) must be >= 1, got " + dimension);
        }
        if (iterations < 0 || rowsSeen < 0) {
            throw new IllegalArgumentException("provenance iterations/rowsSeen must be >= 0, got "
                    + iterations + "/" + rowsSeen);
        }
        data = Objects.requireNonNullElse(data, "");
        libraryVersion = Objects.requireNonNullElse(libraryVersion, SparseLibrary.VERSION);
        created = Objects.requireNonNullElse(created, Instant.now().toString());
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /**
     * Provenance for a dictionary that was not learned by this library (given atoms, a planted test dictionary).
     *
     * @param lambda    the λ it is meant for
     * @param atoms     k
     * @param dimension d
     * @param data      description
     * @return provenance with zero iterations, seed 0, the current library version and time
     */
    public static DictionaryProvenance of(double lambda, int atoms, int dimension, String data) {
        return new DictionaryProvenance(lambda, atoms, dimension, 0, 0, 0, data, SparseLibrary.VERSION,
                Instant.now().toString(), Map.of());
    }

    /**
     * The general form of this provenance.
     *
     * @return a {@link Provenance} with artifact {@value #ARTIFACT}, this seed, time and library version, the
     *         learning settings as config, the data description as the {@value #DATA_KEY} entry and the attributes
     *         as extras
     */
    public Provenance toProvenance() {
        ObjectNode settings = JsonNodeFactory.instance.objectNode();
        settings.put("lambda", lambda);
        settings.put("atoms", atoms);
        settings.put("dimension", dimension);
        settings.put("iterations", iterations);
        settings.put("rowsSeen", rowsSeen);
        Map<String, Provenance.DataIdentity> d = data.isEmpty() ? Map.of()
                : Map.of(DATA_KEY, new Provenance.DataIdentity(data, -1, null, null));
        return new Provenance(ARTIFACT, Provenance.LIBRARY, libraryVersion, created, seed, settings, d, Map.of(),
                attributes);
    }

    /**
     * The dictionary view of a general provenance written by {@link #toProvenance()}.
     *
     * @param p a provenance with artifact {@value #ARTIFACT}
     * @return the typed view
     * @throws IllegalArgumentException if {@code p} is not a dictionary's provenance or lacks a setting
     */
    public static DictionaryProvenance from(Provenance p) {
        if (!ARTIFACT.equals(p.artifact()) || p.config() == null) {
            throw new IllegalArgumentException("not a dictionary provenance: artifact '" + p.artifact() + "'"
                    + (p.config() == null ? ", no settings" : ""));
        }
        JsonNode c = p.config();
        Provenance.DataIdentity d = p.data().get(DATA_KEY);
        return new DictionaryProvenance(setting(c, "lambda").asDouble(), setting(c, "atoms").asInt(),
                setting(c, "dimension").asInt(), setting(c, "iterations").asLong(), setting(c, "rowsSeen").asLong(),
                p.seed() == null ? 0 : p.seed(), d == null ? "" : d.path(), p.libraryVersion(), p.created(),
                p.extra());
    }

    private static JsonNode setting(JsonNode config, String name) {
        JsonNode v = config.get(name);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("dictionary provenance setting '" + name + "' is missing");
        }
        return v;
    }
}
