package io.kmsgw.gateway.protocol;

import io.kmsgw.crypto.api.KmsError;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The one table from failures to the protocol's HTTP status and ErrorCode. Every rejection path
 * (codec, authentication, authorization, domain) answers through an entry here.
 */
public enum ProtocolError {
    INVALID_API_VERSION(400, "InvalidApiVersion"),
    INVALID_API_NAME(400, "InvalidApiName"),
    INVALID_PARAM(400, "InvalidParam"),
    MISSING_PARAMETER(400, "MissingParameter"),
    REQUEST_TIME_TOO_SKEWED(400, "RequestTimeTooSkewed"),
    UNAUTHORIZED(404, "Unauthorized"),
    SIGNATURE_NOT_MATCH(401, "SignatureNotMatch"),
    /** The client key is outside NotBefore..NotAfter or was deleted (the message says which). */
    CLIENT_KEY_INACTIVE(401, "ClientKeyInactive"),
    /**
     * The client key's stored certificate cannot be read (a damaged row): nothing can verify under it until it is
     * restored or the application moves to a new client key. Its id already tells 401 from 404 (Unauthorized), so
     * naming the damage tells an unauthenticated caller nothing about which ids exist.
     */
    CLIENT_KEY_UNAVAILABLE(401, "ClientKeyUnavailable"),
    INVALID_CONTENT_TYPE(415, "InvalidContentType"),
    FORBIDDEN(403, "Forbidden.NoPermission"),
    KEY_NOT_FOUND(404, "Forbidden.KeyNotFound"),
    RESOURCE_NOT_FOUND(404, "Forbidden.ResourceNotFound"),
    KEY_DISABLED(409, "Rejected.Disabled"),
    KEY_PENDING_DELETION(409, "Rejected.PendingDeletion"),
    /** A key of Origin EXTERNAL without key material. */
    KEY_PENDING_IMPORT(409, "Rejected.PendingImport"),
    CONFLICT(409, "Rejected.Conflict"),
    /** The key version's stored material does not unwrap in the HSM: restore it; other keys keep working. */
    KEY_MATERIAL_UNAVAILABLE(409, "Rejected.KeyMaterialUnavailable"),
    INVALID_PARAMETER(400, "InvalidParameter"),
    UNSUPPORTED_OPERATION(400, "UnsupportedOperation"),
    THROTTLING(429, "Rejected.Throttling"),
    PAYLOAD_TOO_LARGE(413, "InvalidParam"),
    /** The request line is over the codec's cap. */
    URI_TOO_LONG(414, "InvalidParam"),
    /** The header block is over the codec's cap. */
    HEADERS_TOO_LARGE(431, "InvalidParam"),
    /** An Expect header other than 100-continue. */
    EXPECTATION_FAILED(417, "InvalidParam"),
    NOT_FOUND(404, "InvalidUrl"),
    METHOD_NOT_ALLOWED(405, "InvalidMethod"),
    /** KMS OpenAPI: no live AccessKey has this id. */
    ACCESS_KEY_NOT_FOUND(404, "InvalidAccessKeyId.NotFound"),
    /** KMS OpenAPI: the HMAC does not verify under the AccessKey's secret. */
    SIGNATURE_DOES_NOT_MATCH(400, "SignatureDoesNotMatch"),
    /** KMS OpenAPI: a part of the signature (a parameter, a header, a signed header's value) is missing or malformed. */
    INCOMPLETE_SIGNATURE(400, "IncompleteSignature"),
    /** KMS OpenAPI: the request's time is missing, unreadable or more than 15 minutes from the gateway's. */
    ILLEGAL_TIMESTAMP(400, "IllegalTimestamp"),
    /** KMS OpenAPI: the signature nonce was seen within the replay window. */
    SIGNATURE_NONCE_USED(400, "SignatureNonceUsed"),
    /** KMS OpenAPI: a version other than 2016-01-20. */
    INVALID_VERSION(400, "InvalidVersion"),
    /** KMS OpenAPI: {@code DryRun=true} on a request that would have succeeded; nothing was done. */
    DRY_RUN(400, "DryRunOperation"),
    /** KMS OpenAPI: an action this endpoint does not know. */
    INVALID_ACTION(404, "InvalidAction.NotFound"),
    INTERNAL(500, "InternalFailure"),
    UNAVAILABLE(503, "ServiceUnavailableTemporary");

    private final HttpResponseStatus status;
    private final String code;

    ProtocolError(int status, String code) {
        this.status = HttpResponseStatus.valueOf(status);
        this.code = code;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    /**
     * The code the KMS OpenAPI answers for this error: the same as the instance protocol's, except where the instance protocol
     * has a code of its own for a bad parameter ({@code InvalidParam}), which the OpenAPI calls {@code InvalidParameter}.
     */
    public String openApiCode() {
        return code.equals("InvalidParam") ? "InvalidParameter" : code;
    }

    /** The protocol error for an engine failure. */
    public static ProtocolError of(KmsError e) {
        return switch (e) {
            case INVALID_PARAMETER, DECRYPTION_FAILED -> INVALID_PARAMETER;
            case UNSUPPORTED_OPERATION -> UNSUPPORTED_OPERATION;
            case KEY_NOT_FOUND -> KEY_NOT_FOUND;
            case RESOURCE_NOT_FOUND -> RESOURCE_NOT_FOUND;
            case KEY_DISABLED -> KEY_DISABLED;
            case KEY_PENDING_DELETION -> KEY_PENDING_DELETION;
            case KEY_PENDING_IMPORT -> KEY_PENDING_IMPORT;
            case THROTTLED -> THROTTLING;
            case CONFLICT -> CONFLICT;
            case KEY_MATERIAL_DAMAGED -> KEY_MATERIAL_UNAVAILABLE;
            case UNAVAILABLE, COMMIT_OUTCOME_UNKNOWN -> UNAVAILABLE;
            case ALREADY_EXISTS, INTERNAL -> INTERNAL;
        };
    }
}
