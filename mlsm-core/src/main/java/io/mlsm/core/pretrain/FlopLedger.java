package io.mlsm.core.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlsm.core.train.FlopCount;
import io.mlsm.runtime.ArtifactFormatException;
import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations each phase of a run spent, in {@code <out>/metrics/flops.json}: per phase its components
 * ({@code step}, {@code teacher_forward}, {@code sparse_coding}; analytic matrix-product counts of
 * {@link io.mlsm.models.Flops}), their total, and for a training phase the steps they cover and the mean per step
 * (a resumed phase counts only the steps run in the process that finished it). A phase produced by a later run
 * replaces its entry; loaded phases keep theirs. The file is rewritten atomically after every phase.
 *
 * <pre>{@code
 * { "phases" : { "student" : { "flops" : { "step" : 4.1E14, "teacher_forward" : 6.9E13, "sparse_coding" : 2.2E13 },
 *                              "total" : 5.0E14, "steps" : 600, "stepsCounted" : 600, "perStep" : 8.4E11 } },
 *   "total" : 5.0E14 }
 * }</pre>
 */
final class FlopLedger {

    static final String FILE = "flops.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    FlopLedger(Path metricsDir) {
        this.file = metricsDir.resolve(FILE);
    }

    /**
     * @param phase        phase name
     * @param flops        operations by component
     * @param steps        optimiser steps of the phase (0 for one that does not train)
     * @param stepsCounted steps the counts cover
     */
    void record(String phase, Map<String, Double> flops, long steps, long stepsCounted) throws IOException {
        ObjectNode root = read();
        // not withObjectProperty: Spark 3.5 puts Jackson 2.15 on the class path, which lacks it
        ObjectNode phases = root.get("phases") instanceof ObjectNode p ? p : root.putObject("phases");
        ObjectNode entry = JSON.createObjectNode();
        ObjectNode parts = entry.putObject("flops");
        flops.forEach(parts::put);
        double total = FlopCount.total(flops);
        entry.put("total", total);
        if (steps > 0) {
            entry.put("steps", steps);
            entry.put("stepsCounted", stepsCounted);
            if (stepsCounted > 0) {
                entry.put("perStep", total / stepsCounted);
            }
        }
        phases.set(phase, entry);
        double all = 0;
        for (Iterator<JsonNode> it = phases.elements(); it.hasNext(); ) {
            all += it.next().path("total").asDouble();
        }
        root.put("total", all);
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, JSON.writeValueAsBytes(root));
    }

    /** @return the counts by phase and component in {@code metricsDir/flops.json} (empty when there is none) */
    static Map<String, Map<String, Double>> read(Path metricsDir) throws IOException {
        ObjectNode root = new FlopLedger(metricsDir).read();
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        root.path("phases").fields().forEachRemaining(phase -> {
            Map<String, Double> parts = new LinkedHashMap<>();
            phase.getValue().path("flops").fields().forEachRemaining(e -> parts.put(e.getKey(),
                    e.getValue().asDouble()));
            out.put(phase.getKey(), Collections.unmodifiableMap(parts));
        });
        return Collections.unmodifiableMap(out);
    }

    private ObjectNode read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (!(n instanceof ObjectNode o) || !(o.path("phases").isObject() || o.path("phases").isMissingNode())) {
                throw new IOException("expected an object with a 'phases' object");
            }
            return o;
        } catch (IOException e) {
            throw new ArtifactFormatException(file + ": unreadable operation counts (" + e.getMessage() + "); delete "
                    + "the file to start its counts over", e);
        }
    }
}
