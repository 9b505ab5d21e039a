package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.kmsgw.crypto.api.IsoTime;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One audited data-plane request: who, from where, with what, what, outcome, latency. By construction
 * it has no field that could carry plaintext, key material, passwords or signatures.
 */
public record AuditRecord(long timeMillis, String requestId, String clientKeyId, String aapName, String clientIp, String userAgent,
                          String apiName, String resource, String resultCode, long latencyMicros) {

    /** The record as the audit file and QueryAuditLog show it (OpenAPI field names, ISO 8601 time). */
    public ObjectNode toJson(ObjectMapper json) {
        try (TokenBuffer b = new TokenBuffer(json, false)) {
            writeJson(b);
            return json.readTree(b.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the record as one JSON object: the audit writer's path, with no tree or string in between. */
    public void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("Time", IsoTime.millis(timeMillis));
        g.writeStringField("RequestId", requestId);
        g.writeStringField("ClientKeyId", clientKeyId);
        g.writeStringField("AapName", aapName);
        g.writeStringField("ClientIp", clientIp);
        g.writeStringField("UserAgent", userAgent);
        g.writeStringField("ApiName", apiName);
        g.writeStringField("Resource", resource);
        g.writeStringField("ResultCode", resultCode);
        g.writeNumberField("LatencyMicros", latencyMicros);
        g.writeEndObject();
    }
}
