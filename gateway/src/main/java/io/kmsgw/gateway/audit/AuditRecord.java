package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.kmsgw.crypto.api.IsoTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One audited request: who, from where, with what, what, outcome, latency. By construction it has no field that could carry
 * plaintext, key material, passwords, tokens or signatures.
 *
 * <p>{@code plane} is {@link #DATA} (an application's request: {@code clientKeyId} is its client key) or {@link #ADMIN} (an
 * admin call: {@code clientKeyId} holds the admin credential's id, shown as {@code AdminTokenId}, and {@code aapName} is
 * empty). A data-plane record is written without a Plane field, as before there were two.
 */
public record AuditRecord(long timeMillis, String requestId, String clientKeyId, String aapName, String clientIp, String userAgent,
                          String apiName, String resource, String resultCode, long latencyMicros, String plane) {
    public static final String DATA = "data";
    public static final String ADMIN = "admin";

    /** A data-plane record. */
    public AuditRecord(long timeMillis, String requestId, String clientKeyId, String aapName, String clientIp, String userAgent,
            String apiName, String resource, String resultCode, long latencyMicros) {
        this(timeMillis, requestId, clientKeyId, aapName, clientIp, userAgent, apiName, resource, resultCode, latencyMicros, DATA);
    }

    public boolean admin() {
        return ADMIN.equals(plane);
    }

    /** The record as the audit file and QueryAuditLog show it (OpenAPI field names, ISO 8601 time). */
    public ObjectNode toJson(ObjectMapper json) {
        try (TokenBuffer b = new TokenBuffer(json, false)) {
            writeJson(b);
            return json.readTree(b.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final SerializedString TIME = new SerializedString("Time");
    private static final SerializedString REQUEST_ID = new SerializedString("RequestId");
    private static final SerializedString CLIENT_KEY_ID = new SerializedString("ClientKeyId");
    private static final SerializedString AAP_NAME = new SerializedString("AapName");
    private static final SerializedString CLIENT_IP = new SerializedString("ClientIp");
    private static final SerializedString USER_AGENT = new SerializedString("UserAgent");
    private static final SerializedString API_NAME = new SerializedString("ApiName");
    private static final SerializedString RESOURCE = new SerializedString("Resource");
    private static final SerializedString RESULT_CODE = new SerializedString("ResultCode");
    private static final SerializedString LATENCY_MICROS = new SerializedString("LatencyMicros");
    private static final SerializedString PLANE = new SerializedString("Plane");
    private static final SerializedString ADMIN_TOKEN_ID = new SerializedString("AdminTokenId");

    /** Streams the record as one JSON object, with no tree or string in between. */
    public void writeJson(JsonGenerator g) throws IOException {
        writeJson(g, null);
    }

    /**
     * Streams the record as one JSON object: the audit writer's path. Field names are quoted once for all
     * records; with {@code repeated} (may be null), so are values equal to the previous record's.
     */
    void writeJson(JsonGenerator g, QuotedValues repeated) throws IOException {
        g.writeStartObject();
        g.writeFieldName(TIME);
        g.writeString(IsoTime.millis(timeMillis));
        g.writeFieldName(REQUEST_ID);
        g.writeString(requestId);
        if (admin()) {
            g.writeFieldName(PLANE);
            g.writeString(ADMIN);
            g.writeFieldName(ADMIN_TOKEN_ID);
            g.writeString(clientKeyId);
        } else {
            g.writeFieldName(CLIENT_KEY_ID);
            writeValue(g, repeated, QuotedValues.CLIENT_KEY_ID, clientKeyId);
            g.writeFieldName(AAP_NAME);
            writeValue(g, repeated, QuotedValues.AAP_NAME, aapName);
        }
        g.writeFieldName(CLIENT_IP);
        writeValue(g, repeated, QuotedValues.CLIENT_IP, clientIp);
        g.writeFieldName(USER_AGENT);
        writeValue(g, repeated, QuotedValues.USER_AGENT, userAgent);
        g.writeFieldName(API_NAME);
        writeValue(g, repeated, QuotedValues.API_NAME, apiName);
        g.writeFieldName(RESOURCE);
        writeValue(g, repeated, QuotedValues.RESOURCE, resource);
        g.writeFieldName(RESULT_CODE);
        writeValue(g, repeated, QuotedValues.RESULT_CODE, resultCode);
        g.writeFieldName(LATENCY_MICROS);
        g.writeNumber(latencyMicros);
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, QuotedValues repeated, int field, String value) throws IOException {
        if (repeated == null) {
            g.writeString(value);
        } else {
            repeated.write(g, field, value);
        }
    }

    /**
     * Reads the next record {@link #writeJson} wrote, or returns null at the end of the input. Fields
     * it does not know are skipped; a missing one reads as empty (or 0).
     */
    public static AuditRecord readJson(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "an audit record must be a JSON object");
        }
        long time = 0;
        long latency = 0;
        String requestId = "";
        String clientKeyId = "";
        String aapName = "";
        String clientIp = "";
        String userAgent = "";
        String apiName = "";
        String resource = "";
        String resultCode = "";
        String plane = DATA;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "Time" -> time = parseTime(p);
                case "RequestId" -> requestId = p.getValueAsString("");
                case "ClientKeyId", "AdminTokenId" -> clientKeyId = p.getValueAsString("");
                case "Plane" -> plane = ADMIN.equals(p.getValueAsString("")) ? ADMIN : DATA;
                case "AapName" -> aapName = p.getValueAsString("");
                case "ClientIp" -> clientIp = p.getValueAsString("");
                case "UserAgent" -> userAgent = p.getValueAsString("");
                case "ApiName" -> apiName = p.getValueAsString("");
                case "Resource" -> resource = p.getValueAsString("");
                case "ResultCode" -> resultCode = p.getValueAsString("");
                case "LatencyMicros" -> latency = p.getValueAsLong(0);
                default -> p.skipChildren();
            }
        }
        return new AuditRecord(time, requestId, clientKeyId, aapName, clientIp, userAgent, apiName, resource, resultCode, latency, plane);
    }

    private static long parseTime(JsonParser p) throws IOException {
        try {
            return Instant.parse(p.getText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new JsonParseException(p, "an audit record's Time is not an ISO 8601 instant");
        }
    }
}
