package io.kmsgw.gateway.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * KMS OpenAPI answer bodies: a flat object of strings, numbers, booleans and nested objects or lists, as JSON (the
 * default) or XML ({@code Format=XML}), written straight into the response buffer.
 */
final class OpenApiBodies {
    private static final JsonFactory JSON = new JsonFactory();

    private OpenApiBodies() {
    }

    static void json(ByteBuf out, Map<String, ?> body) {
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(out))) {
            writeJson(g, body);
        } catch (IOException e) {
            throw new IllegalStateException("JSON encoding into the response buffer failed", e);
        }
    }

    private static void writeJson(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(e.getKey().toString());
                writeJson(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                writeJson(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else {
            g.writeString(v == null ? "" : v.toString());
        }
    }

    static void xml(ByteBuf out, String root, Map<String, ?> body) {
        StringBuilder b = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        element(b, root, body);
        out.writeCharSequence(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A list is its name's element repeated per item, as the OpenAPI's XML answers have it (VersionStages/VersionStage). */
    private static void element(StringBuilder b, String name, Object v) {
        if (v instanceof List<?> l) {
            for (Object o : l) {
                element(b, name, o);
            }
            return;
        }
        b.append('<').append(name).append('>');
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                element(b, e.getKey().toString(), e.getValue());
            }
        } else {
            escape(b, v == null ? "" : v.toString());
        }
        b.append("</").append(name).append('>');
    }

    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c);
            }
        }
    }
}
