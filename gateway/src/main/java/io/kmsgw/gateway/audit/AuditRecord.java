package io.kmsgw.gateway.audit;

/**
 * One audited data-plane request: who, from where, with what, what, outcome, latency. By construction
 * it has no field that could carry plaintext, key material, passwords or signatures.
 */
public record AuditRecord(long timeMillis, String requestId, String clientKeyId, String aapName, String clientIp, String userAgent,
                          String apiName, String resource, String resultCode, long latencyMicros) {
}
