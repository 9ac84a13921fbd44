package io.mlsm.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses JSON Lines (one JSON object per line, UTF-8) into {@link JsonRecord}s. A trailing empty line is allowed;
 * an empty line in the middle, a line that is not a JSON object, or invalid UTF-8 is rejected with the file and
 * line.
 *
 * <pre>{@code
 * List<JsonRecord> recs = JsonLines.read(Path.of("adjunct_island.jsonl"));
 * String good = recs.get(0).text("sentence_good");
 * }</pre>
 */
public final class JsonLines {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {
    }

    /** @return the records of the file */
    public static List<JsonRecord> read(Path file) throws IOException {
        return read(file, Integer.MAX_VALUE);
    }

    /** @return the first {@code max} records of the file (the rest is not read) */
    public static List<JsonRecord> read(Path file, int max) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("not a readable file: " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), max);
        }
    }

    /** @return the records of the stream (not closed), {@code source} names it in errors */
    public static List<JsonRecord> read(InputStream in, String source) throws IOException {
        return read(in, source, Integer.MAX_VALUE);
    }

    /** @return the first {@code max} records of the stream (not closed; the rest is not read) */
    public static List<JsonRecord> read(InputStream in, String source, int max) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder));
        List<JsonRecord> out = new ArrayList<>();
        int lineNo = 0;
        int blankAt = -1;
        String line;
        try {
            while (out.size() < max && (line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    if (blankAt < 0) {
                        blankAt = lineNo;
                    }
                    continue;
                }
                if (blankAt > 0) {
                    throw new IllegalArgumentException(source + ":" + blankAt + ": empty line inside JSON Lines data");
                }
                out.add(new JsonRecord(source, lineNo, parseObject(line, source, lineNo)));
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + ":" + (lineNo + 1) + ": not valid UTF-8", e);
        }
        return out;
    }

    private static ObjectNode parseObject(String line, String source, int lineNo) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ":" + lineNo + ": not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException(source + ":" + lineNo + ": expected a JSON object, got "
                    + (n == null ? "nothing" : n.getNodeType().name().toLowerCase()));
        }
        return o;
    }
}
