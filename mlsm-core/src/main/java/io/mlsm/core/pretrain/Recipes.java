package io.mlsm.core.pretrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mlsm.runtime.ArtifactFormatException;
import io.mlsm.runtime.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The settings each phase of a run was started with, one JSON file per phase in {@code <out>/recipes/}. A phase
 * records its recipe when it starts producing; a later run on the same directory reuses a finished phase (or resumes
 * its checkpoints) only when the requested recipe equals the recorded one, and otherwise fails naming the fields
 * that differ. Run directories written before recipes existed have none: their finished phases are reused, with a
 * warning.
 */
final class Recipes {

    static final String DIRECTORY = "recipes";

    private static final Logger LOG = LoggerFactory.getLogger(Recipes.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final int MAX_LISTED = 10;

    private final Path dir;

    Recipes(Path out) {
        this.dir = out.resolve(DIRECTORY);
    }

    Path file(String phase) {
        return dir.resolve(phase + ".json");
    }

    void record(String phase, Map<String, String> recipe) throws IOException {
        AtomicFiles.write(file(phase), JSON.writeValueAsBytes(recipe));
    }

    /**
     * @param phase    the phase
     * @param want     the settings requested now
     * @param artifact the finished artifact about to be reused, or {@code null} when the phase is about to (re)start
     * @throws IllegalStateException naming the differing fields when the recorded recipe differs
     */
    void check(String phase, Map<String, String> want, Path artifact) throws IOException {
        Path f = file(phase);
        if (!Files.isRegularFile(f)) {
            if (artifact != null) {
                LOG.warn("{}: {} has no recorded settings (written before they were recorded); reusing it as it is",
                        phase, artifact);
            }
            return;
        }
        Map<String, String> had;
        try {
            had = JSON.readValue(f.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new ArtifactFormatException(f + ": unreadable recipe (" + e.getMessage() + "); delete it to reuse "
                    + "the phase as it is, or start over with --overwrite", e);
        }
        List<String> differ = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(want.keySet());
        keys.addAll(had.keySet());
        for (String k : keys) {
            String a = had.get(k);
            String b = want.get(k);
            if (a == null || !a.equals(b)) {
                differ.add(k + ": " + (a == null ? "(not recorded)" : a) + " recorded, " + (b == null ? "(none)" : b)
                        + " requested");
            }
        }
        if (differ.isEmpty()) {
            return;
        }
        String listed = String.join("; ", differ.subList(0, Math.min(MAX_LISTED, differ.size())))
                + (differ.size() > MAX_LISTED ? "; and " + (differ.size() - MAX_LISTED) + " more" : "");
        throw new IllegalStateException("phase '" + phase + "' in " + dir.getParent() + " was "
                + (artifact != null ? "finished" : "started") + " with other settings (" + listed + "). Run with the "
                + "recorded settings to " + (artifact != null ? "reuse it" : "resume it") + ", choose another output "
                + "directory, or start over with --overwrite (Pretraining: overwrite(true))");
    }
}
