package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The audit writer's memory of the last value of each field that usually repeats from one record to the
 * next (client key id, AAP name, client address, user agent, API, resource, result code). A value equal
 * to its field's last one is written as the JSON string quoted and escaped once, byte for byte what
 * {@link JsonGenerator#writeString(String)} writes; any other value is written the plain way and
 * remembered. An equality check costs a fraction of escaping, and unlike a map needs no hash of the fresh
 * strings each request brings. One thread only.
 */
final class QuotedValues {
    static final int CLIENT_KEY_ID = 0;
    static final int AAP_NAME = 1;
    static final int CLIENT_IP = 2;
    static final int USER_AGENT = 3;
    static final int API_NAME = 4;
    static final int RESOURCE = 5;
    static final int RESULT_CODE = 6;
    private static final int FIELDS = 7;
    private static final JsonFactory JSON = new JsonFactory();

    private final String[] last = new String[FIELDS];
    private final SerializedString[] quoted = new SerializedString[FIELDS];
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(128);

    void write(JsonGenerator g, int field, String value) throws IOException {
        if (value != null && value.equals(last[field])) {
            SerializedString q = quoted[field];
            if (q == null) {
                q = new SerializedString(encode(value));
                quoted[field] = q;
            }
            g.writeRawValue(q);
        } else {
            last[field] = value;
            quoted[field] = null;
            g.writeString(value);
        }
    }

    private String encode(String value) throws IOException {
        scratch.reset();
        try (JsonGenerator g = JSON.createGenerator(scratch)) {
            g.writeString(value);
        }
        return scratch.toString(StandardCharsets.UTF_8);
    }
}
