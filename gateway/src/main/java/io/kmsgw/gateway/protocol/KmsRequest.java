package io.kmsgw.gateway.protocol;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One decoded data-plane request as it moves through the pipeline, on one event loop. The decoder fills
 * the wire fields (final); later stages record what they learn through the methods below: the
 * authenticator who asks ({@link #caller}, then {@link #authenticated}), the body decoder the
 * {@link #message}, the authorizer the {@link #resource}.
 */
public final class KmsRequest {
    public final String requestId;
    /** When the request's first byte arrived ({@code System.nanoTime()}): where its latency starts. */
    public final long startNanos;
    /** When it was decoded from HTTP ({@code System.nanoTime()}). */
    public final long decodedNanos;
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
    /** The KMS OpenAPI request this is, or null for the instance protocol ({@code dkms-gcs-0.2}). */
    public final OpenApiCall openApi;

    private Principal caller;
    private boolean authenticated;
    private Object message;
    private String resource;

    public KmsRequest(String requestId, long startNanos, InetAddress clientIp, boolean keepAlive, String apiVersion,
                      String apiNameHeader, String signatureMethod, String accessKeyId, String date, String contentSha256,
                      String contentType, String authorization, String userAgent, String migrationKeyVersionId,
                      List<Map.Entry<String, String>> kmsHeaders, byte[] body) {
        this(requestId, startNanos, clientIp, keepAlive, apiVersion, apiNameHeader, ApiName.of(apiNameHeader), signatureMethod, accessKeyId,
                date, contentSha256, contentType, authorization, userAgent, migrationKeyVersionId, kmsHeaders, body, null);
    }

    /**
     * A KMS OpenAPI request: {@code action} is its action, {@code api} the instance API whose role and meters it shares (null
     * when the instance serves no such action: it is answered as the OpenAPI's error).
     */
    public static KmsRequest openApi(String requestId, long startNanos, InetAddress clientIp, boolean keepAlive, OpenApiCall call,
                                     ApiName api, String accessKeyId, String userAgent) {
        return new KmsRequest(requestId, startNanos, clientIp, keepAlive, call.version, call.action, api, null, accessKeyId, null, null,
                null, null, userAgent, null, List.of(), call.body, call);
    }

    private KmsRequest(String requestId, long startNanos, InetAddress clientIp, boolean keepAlive, String apiVersion, String apiNameHeader,
                       ApiName api, String signatureMethod, String accessKeyId, String date, String contentSha256, String contentType,
                       String authorization, String userAgent, String migrationKeyVersionId, List<Map.Entry<String, String>> kmsHeaders,
                       byte[] body, OpenApiCall openApi) {
        this.openApi = openApi;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.decodedNanos = System.nanoTime();
        this.clientIp = clientIp;
        this.keepAlive = keepAlive;
        this.apiVersion = apiVersion;
        this.apiNameHeader = apiNameHeader;
        this.api = api;
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

    /** The client key the request names, once it is known to exist: from then on the request is audited. */
    public void caller(Principal p) {
        caller = p;
    }

    /** Who the request is audited as, or null when it is not audited (no such client key, or the audit refused it). */
    public Principal caller() {
        return caller;
    }

    /** The audit could not take the request: it is answered without an audit record. */
    public void notAudited() {
        caller = null;
    }

    /** The signature verified: {@link #caller} is who made the request. */
    public void authenticated() {
        authenticated = true;
    }

    /** Who made an authenticated request, or null before authentication. */
    public Principal principal() {
        return authenticated ? caller : null;
    }

    /** The decoded protobuf body. */
    public Object message() {
        return message;
    }

    public void message(Object decoded) {
        message = decoded;
    }

    /** The key (key/…) or secret (secret/…) the request concerns, for the audit; null before authorization. */
    public String resource() {
        return resource;
    }

    public void resource(String r) {
        resource = r;
    }

    /** Who made an authenticated request: the client key (or OpenAPI AccessKey) and its application access point. */
    public record Principal(String clientKeyId, String aapName) {
    }
}
