package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One audited data-plane request: who, from where, with what, what, outcome, latency. By construction
 * it has no field that could carry plaintext, key material, passwords or signatures.
 */
public record AuditRecord(long timeMillis, String requestId, String clientKeyId, String aapName, String clientIp, String userAgent,
                          String apiName, String resource, String resultCode, long latencyMicros) {

    /** The record as the audit file and QueryAuditLog show it (OpenAPI field names, ISO 8601 time). */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("Time", Instant.ofEpochMilli(timeMillis).toString());
        n.put("RequestId", requestId);
        n.put("ClientKeyId", clientKeyId);
        n.put("AapName", aapName);
        n.put("ClientIp", clientIp);
        n.put("UserAgent", userAgent);
        n.put("ApiName", apiName);
        n.put("Resource", resource);
        n.put("ResultCode", resultCode);
        n.put("LatencyMicros", latencyMicros);
        return n;
    }
}
