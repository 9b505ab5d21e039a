package io.kmsgw.gateway.protocol;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One decoded data-plane request as it moves through the pipeline. The decoder fills the wire
 * fields; the authenticator sets {@link #principal}; the body decoder sets {@link #message}.
 */
public final class KmsRequest {
    public final String requestId;
    public final long startNanos;
    public final InetAddress clientIp;
    public final boolean keepAlive;
    public final String apiVersion;
    public final String apiNameHeader;
    public final ApiName api;
    public final String signatureMethod;
    public final String accessKeyId;
    public final String date;
    public final String contentSha256;
    public final String contentType;
    public final String authorization;
    public final String userAgent;
    public final String migrationKeyVersionId;
    /** Every x-kms-* header, lower-cased names, trimmed values, sorted by name (for the string to sign). */
    public final List<Map.Entry<String, String>> kmsHeaders;
    public final byte[] body;

    public Principal principal;
    public Object message;
    /** Set by the authenticator once the client key id is known: from then on the request is audited. */
    public io.kmsgw.gateway.auth.ClientKeyRegistry.Entry auditKey;
    /** Set by the authorizer: the key id or secret name the request concerns, for the audit. */
    public String resource;

    public KmsRequest(String requestId, long startNanos, InetAddress clientIp, boolean keepAlive, String apiVersion,
                      String apiNameHeader, String signatureMethod, String accessKeyId, String date, String contentSha256,
                      String contentType, String authorization, String userAgent, String migrationKeyVersionId,
                      List<Map.Entry<String, String>> kmsHeaders, byte[] body) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.clientIp = clientIp;
        this.keepAlive = keepAlive;
        this.apiVersion = apiVersion;
        this.apiNameHeader = apiNameHeader;
        this.api = ApiName.of(apiNameHeader);
        this.signatureMethod = signatureMethod;
        this.accessKeyId = accessKeyId;
        this.date = date;
        this.contentSha256 = contentSha256;
        this.contentType = contentType;
        this.authorization = authorization;
        this.userAgent = userAgent;
        this.migrationKeyVersionId = migrationKeyVersionId;
        this.kmsHeaders = kmsHeaders;
        this.body = body;
    }

    /** Who made an authenticated request: the client key and its application access point. */
    public record Principal(String clientKeyId, String aapName) {
    }
}
