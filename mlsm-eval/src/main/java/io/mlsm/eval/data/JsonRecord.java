package io.mlsm.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON object of a JSON Lines file with its origin, so that a bad field is reported as
 * {@code file:line: field 'x' ...}.
 *
 * @param source the file (or zip entry) name
 * @param line   1-based line number
 * @param node   the parsed object
 */
public record JsonRecord(String source, int line, ObjectNode node) {

    /** @return {@code source:line} */
    public String where() {
        return source + ":" + line;
    }

    /** @return whether the object has a non-null {@code field} */
    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** @return the string value of {@code field}; rejects a missing or non-string field */
    public String text(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw bad(field, "is missing");
        }
        if (!v.isTextual()) {
            throw bad(field, "must be a string, got " + v.getNodeType().name().toLowerCase() + " " + v);
        }
        return v.textValue();
    }

    /** @return the non-blank string value of {@code field} */
    public String nonBlankText(String field) {
        String s = text(field);
        if (s.isBlank()) {
            throw bad(field, "is blank");
        }
        return s;
    }

    /** @return the integer value of {@code field}; rejects a missing, fractional or non-number field */
    public int integer(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw bad(field, "is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad(field, "must be an integer, got " + v);
        }
        return v.intValue();
    }

    /** @return an exception naming this record, the field and the problem */
    public IllegalArgumentException bad(String field, String problem) {
        return new IllegalArgumentException(where() + ": field '" + field + "' " + problem);
    }
}
