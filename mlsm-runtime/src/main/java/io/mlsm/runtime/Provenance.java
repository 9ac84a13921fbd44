package io.mlsm.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a saved artifact came from: what it is, the library version that made it, when, from which seed, with which
 * configuration, from which data (path, size, SHA-256), on which runtime. Every artifact this library writes (model,
 * checkpoint, dictionary, tokenizer, head) carries one as {@code provenance.json}; the idea follows Tribuo's model
 * provenance. It is the library's one general provenance type: a dictionary's and a tokenizer's provenance keep their
 * own on-disk form and typed fields, and convert to and from this type ({@code DictionaryProvenance.toProvenance()} /
 * {@code from(Provenance)} in mlsm-sparse, {@code TokenizerProvenance.toProvenance()} / {@code from(Provenance)} in
 * mlsm-core), carrying their specific settings as {@link #extra()} entries and their options as {@link #config()}.
 *
 * <pre>{@code
 * Provenance p = Provenance.builder("teacher-model")
 *         .seed(42)
 *         .config(debertaConfig)                               // any Jackson-serialisable value
 *         .data("corpus", Provenance.DataIdentity.ofFile(corpusPath))
 *         .extra("steps", "20000")
 *         .build();
 * p.write(dir.resolve(Provenance.FILE_NAME));
 * Provenance back = Provenance.read(dir.resolve(Provenance.FILE_NAME));
 * }</pre>
 *
 * @param artifact       what the artifact is (e.g. {@code teacher-model}, {@code training-checkpoint})
 * @param library        library name ({@value #LIBRARY})
 * @param libraryVersion version of the library that wrote it
 * @param created        creation time, ISO-8601 instant
 * @param seed           the seed that drove every random choice, or {@code null} if none
 * @param config         configuration as JSON, or {@code null}
 * @param data           named data identities (may be empty)
 * @param environment    runtime facts (Java version, OS, architecture)
 * @param extra          free-form string facts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(
        String artifact,
        String library,
        String libraryVersion,
        String created,
        Long seed,
        JsonNode config,
        Map<String, DataIdentity> data,
        Map<String, String> environment,
        Map<String, String> extra) {

    /** Conventional file name. */
    public static final String FILE_NAME = "provenance.json";
    /** Library name recorded in every provenance. */
    public static final String LIBRARY = "mlsm-java";
    /** Version of this library (from the build), or {@code "unknown"}. */
    public static final String LIBRARY_VERSION = loadVersion();

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Identity of a data source.
     *
     * @param path   where it was read from (as given)
     * @param bytes  size in bytes, or -1 if not a single file
     * @param sha256 hex SHA-256 of the content, or {@code null}
     * @param description free text (e.g. "first 1M sub-tokens"), or {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DataIdentity(String path, long bytes, String sha256, String description) {
        public DataIdentity {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("data identity needs a path or name");
            }
        }

        /**
         * @param file a file
         * @return its path, size and SHA-256
         * @throws IOException if unreadable
         */
        public static DataIdentity ofFile(Path file) throws IOException {
            return new DataIdentity(file.toString(), Files.size(file), Provenance.sha256(file), null);
        }
    }

    public Provenance {
        requireText("artifact", artifact);
        requireText("library", library);
        requireText("libraryVersion", libraryVersion);
        requireText("created", created);
        try {
            Instant.parse(created);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("created must be an ISO-8601 instant, got '" + created + "'", e);
        }
        data = data == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(data));
        environment = environment == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(environment));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(extra));
        config = config == null ? null : config.deepCopy();
    }

    private static void requireText(String field, String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("provenance field '" + field + "' is missing or blank");
        }
    }

    /** @return {@link #created()} parsed */
    public Instant createdInstant() {
        return Instant.parse(created);
    }

    /**
     * @param artifact what is being saved
     * @return a builder stamped with this library, its version, the current time and the runtime
     */
    public static Builder builder(String artifact) {
        return new Builder(artifact);
    }

    /** @return this provenance as indented JSON */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise provenance", e);
        }
    }

    /**
     * @param json text written by {@link #toJson()}
     * @return the provenance
     * @throws IllegalArgumentException if malformed or a required field is missing
     */
    public static Provenance fromJson(String json) {
        try {
            Provenance p = JSON.readValue(json, Provenance.class);
            if (p == null) {
                throw new IllegalArgumentException("provenance JSON is empty");
            }
            return p;
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("malformed provenance JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * @param file target, written atomically
     * @throws IOException on failure (no partial file)
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param file a {@code provenance.json}
     * @return the provenance
     * @throws IOException                if unreadable or absent
     * @throws ArtifactFormatException   if malformed (message names the file)
     */
    public static Provenance read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "provenance file not found");
        }
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ArtifactFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file a file
     * @return hex SHA-256 of its content
     * @throws IOException if unreadable
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String loadVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/io/mlsm/runtime/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.trim();
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final String artifact;
        private Long seed;
        private JsonNode config;
        private final Map<String, DataIdentity> data = new LinkedHashMap<>();
        private final Map<String, String> extra = new LinkedHashMap<>();
        private Instant created = Instant.now();

        private Builder(String artifact) {
            this.artifact = artifact;
        }

        /** @param s the seed @return this */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** @param c any Jackson-serialisable value (records included) @return this */
        public Builder config(Object c) {
            config = c == null ? null : c instanceof JsonNode n ? n.deepCopy() : JSON.valueToTree(c);
            return this;
        }

        /** @param name role of the data (e.g. "corpus") @param id its identity @return this */
        public Builder data(String name, DataIdentity id) {
            data.put(name, id);
            return this;
        }

        /** @param key fact name @param value fact @return this */
        public Builder extra(String key, String value) {
            extra.put(key, value);
            return this;
        }

        /** @param t creation time (default: now) @return this */
        public Builder created(Instant t) {
            created = t;
            return this;
        }

        /** @return the validated provenance */
        public Provenance build() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("java.version", System.getProperty("java.version", "?"));
            env.put("java.vendor", System.getProperty("java.vendor", "?"));
            env.put("os.name", System.getProperty("os.name", "?"));
            env.put("os.arch", System.getProperty("os.arch", "?"));
            return new Provenance(artifact, LIBRARY, LIBRARY_VERSION, created.toString(), seed, config, data, env,
                    extra);
        }
    }
}
