package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reading admin parameters OpenAPI-style, with 400 InvalidParameter messages that name the parameter. */
final class Params {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Params() {
    }

    /** A string parameter; absent → "" (or 400 when required). */
    static String text(JsonNode params, String name, boolean required) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            if (required) {
                throw AdminException.invalid(name, "it is required");
            }
            return "";
        }
        if (n.isObject() || n.isArray()) {
            // AccessControlRules and the like may arrive as an object: keep its JSON text
            return n.toString();
        }
        return n.asText();
    }

    /** A string parameter, or null when absent (for updates that keep the old value). */
    static String optional(JsonNode params, String name) {
        JsonNode n = params.get(name);
        return n == null || n.isNull() ? null : text(params, name, false);
    }

    /** A list: a JSON array, or a JSON-encoded string of one (OpenAPI style); null when absent. */
    static List<String> list(JsonNode params, String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        JsonNode arr = n;
        if (n.isTextual()) {
            String s = n.asText().trim();
            if (!s.startsWith("[")) {
                return List.of(s);
            }
            try {
                arr = JSON.readTree(s);
            } catch (Exception e) {
                throw AdminException.invalid(name, "it must be a JSON array of strings");
            }
        }
        if (!arr.isArray()) {
            throw AdminException.invalid(name, "it must be a JSON array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : arr) {
            if (!e.isTextual()) {
                throw AdminException.invalid(name, "it must be a JSON array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** An ISO 8601 time (2026-11-23T08:22:03Z or with an offset); null when absent. */
    static Instant time(JsonNode params, String name) {
        String s = optional(params, name);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e2) {
                throw AdminException.invalid(name, "use ISO 8601, e.g. 2026-11-23T08:22:03Z");
            }
        }
    }

    static int integer(JsonNode params, String name, int dflt, int min, int max) {
        String s = optional(params, name);
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw AdminException.invalid(name, "it must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw AdminException.invalid(name, "it must be a whole number");
        }
    }
}
