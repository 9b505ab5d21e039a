package io.kmsgw.gateway.auth;

import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.OpenApiCall;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Authenticates a KMS OpenAPI request, in this order: the signature's parts are all there (else {@code IncompleteSignature}),
 * its time is within the skew ({@code IllegalTimestamp}), the AccessKey exists ({@code InvalidAccessKeyId.NotFound}), the
 * HMAC verifies ({@code SignatureDoesNotMatch}), the version ({@code InvalidVersion}), then the nonce is new ({@code
 * SignatureNonceUsed}: checked only once the signature verified, so nobody else can spend a client's nonces; with a shared
 * store, new to every gateway of the instance). From the AccessKey's lookup on, the request is audited under the
 * AccessKey's id and its AAP.
 */
public final class AccessKeyAuthenticator {
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The replay window the gateways of a shared store keep together (a nonce is served once by the whole instance). */
    public interface NonceClaims {
        /** The answer to a claim: true when the nonce was new, false when another request had it, null when it could not be claimed. */
        interface Callback {
            void claimed(Boolean isNew);
        }

        /** Claims {@code hash} until {@code expiresMillis}; {@code done} is called once, on some other thread. */
        void claim(long hash, long expiresMillis, Callback done);
    }

    /** The headers a V3 signature must cover (the SDKs may sign more). */
    private static final java.util.List<String> MUST_SIGN = java.util.List.of("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256",
            "x-acs-action", "x-acs-version", "host");

    private final AccessKeyRegistry keys;
    private final NonceWindow nonces;
    private final NonceClaims shared;
    private final Clock clock;
    private final long maxSkewMillis;

    public AccessKeyAuthenticator(AccessKeyRegistry keys, NonceWindow nonces, Clock clock, long maxSkewMillis) {
        this(keys, nonces, null, clock, maxSkewMillis);
    }

    /** @param shared the instance-wide replay window (gateways sharing PostgreSQL), or null for this gateway's alone */
    public AccessKeyAuthenticator(AccessKeyRegistry keys, NonceWindow nonces, NonceClaims shared, Clock clock, long maxSkewMillis) {
        this.keys = keys;
        this.nonces = nonces;
        this.shared = shared;
        this.clock = clock;
        this.maxSkewMillis = maxSkewMillis;
    }

    /**
     * Authenticates {@code r} (an OpenAPI request), then runs {@code next}: at once, or, with a shared replay window, on
     * {@code eventLoop} once the store has claimed the nonce ({@code refuse} gets the error otherwise). What can be decided
     * here is thrown.
     */
    public void authenticate(KmsRequest r, Runnable next, java.util.function.Consumer<ProtocolException> refuse,
                             java.util.concurrent.Executor eventLoop) {
        OpenApiCall c = r.openApi;
        String accessKeyId;
        String nonce;
        long requestMillis;
        String stringToSign;
        String signature;
        if (c.signature == OpenApiCall.Signature.V3) {
            AcsSignatures.V3Authorization auth;
            try {
                auth = AcsSignatures.parseV3(c.headers.get("authorization"));
            } catch (IllegalArgumentException e) {
                throw incomplete(e.getMessage());
            }
            String date = required(c.headers, "x-acs-date", "header");
            nonce = required(c.headers, "x-acs-signature-nonce", "header");
            String contentSha256 = required(c.headers, "x-acs-content-sha256", "header");
            requestMillis = parseTime(date);
            checkSkew(requestMillis);
            if (!HEX.formatHex(SHA256.get().digest(c.body)).equalsIgnoreCase(contentSha256)) {
                throw new ProtocolException(ProtocolError.SIGNATURE_DOES_NOT_MATCH,
                        "The x-acs-content-sha256 header is not the SHA-256 of the request body.");
            }
            for (String mustSign : MUST_SIGN) {
                if (!auth.signedHeaders().contains(mustSign)) {
                    throw incomplete("SignedHeaders must include " + mustSign + ".");
                }
            }
            try {
                stringToSign = AcsSignatures.v3StringToSign(c.method, c.path, c.query, auth.signedHeaders(), c.headers, contentSha256);
            } catch (IllegalArgumentException e) {
                throw incomplete(e.getMessage());
            }
            accessKeyId = auth.accessKeyId();
            signature = auth.signatureHex();
        } else {
            accessKeyId = required(c.params, "AccessKeyId", "parameter");
            signature = required(c.params, "Signature", "parameter");
            nonce = required(c.params, "SignatureNonce", "parameter");
            String method = required(c.params, "SignatureMethod", "parameter");
            String version = required(c.params, "SignatureVersion", "parameter");
            String timestamp = required(c.params, "Timestamp", "parameter");
            if (!method.equals("HMAC-SHA1")) {
                throw incomplete("SignatureMethod must be HMAC-SHA1 (or sign with ACS3-HMAC-SHA256).");
            }
            if (!version.equals("1.0")) {
                throw incomplete("SignatureVersion must be 1.0.");
            }
            requestMillis = parseTime(timestamp);
            checkSkew(requestMillis);
            stringToSign = AcsSignatures.v1StringToSign(c.method, c.params);
        }
        AccessKeyRegistry.Entry key = keys.get(accessKeyId);
        if (key == null) {
            throw new ProtocolException(ProtocolError.ACCESS_KEY_NOT_FOUND, "Specified access key is not found.");
        }
        r.caller(new KmsRequest.Principal(key.accessKeyId(), key.aapName()));
        if (key.secret() == null) {
            throw new ProtocolException(ProtocolError.ACCESS_KEY_NOT_FOUND, "The AccessKey " + key.accessKeyId()
                    + " cannot be used: its stored secret does not open. Restore the store from a backup or create a new AccessKey.");
        }
        boolean ok = c.signature == OpenApiCall.Signature.V3 ? AcsSignatures.verifyV3(key.secret(), stringToSign, signature)
                : AcsSignatures.verifyV1(key.secret(), stringToSign, signature);
        if (!ok) {
            throw new ProtocolException(ProtocolError.SIGNATURE_DOES_NOT_MATCH,
                    "Specified signature is not matched with our calculation.");
        }
        if (!OpenApiCall.VERSION.equals(c.version)) {
            throw new ProtocolException(ProtocolError.INVALID_VERSION, "Specified parameter Version is not valid; this endpoint serves "
                    + OpenApiCall.VERSION + ".");
        }
        long hash = nonceHash(accessKeyId, nonce);
        switch (nonces.record(requestMillis, clock.millis(), hash)) {
            case SEEN -> throw nonceUsed();
            case FULL -> throw new ProtocolException(ProtocolError.UNAVAILABLE, "The gateway holds as many signature nonces as it may "
                    + "within the replay window; nothing was done. Retry shortly.");
            case NEW -> {
            }
        }
        if (shared == null) {
            r.authenticated();
            next.run();
            return;
        }
        // the whole instance's window: another gateway may have served this nonce
        shared.claim(hash, requestMillis + maxSkewMillis + 60_000, isNew -> eventLoop.execute(() -> {
            if (Boolean.TRUE.equals(isNew)) {
                r.authenticated();
                next.run();
            } else if (isNew == null) {
                refuse.accept(new ProtocolException(ProtocolError.UNAVAILABLE, "The signature nonce could not be recorded in the shared "
                        + "store; nothing was done. Retry shortly."));
            } else {
                refuse.accept(nonceUsed());
            }
        }));
    }

    private static ProtocolException nonceUsed() {
        return new ProtocolException(ProtocolError.SIGNATURE_NONCE_USED, "Specified signature nonce was used already.");
    }

    private void checkSkew(long requestMillis) {
        if (Math.abs(clock.millis() - requestMillis) > maxSkewMillis) {
            throw new ProtocolException(ProtocolError.ILLEGAL_TIMESTAMP,
                    "Specified time stamp or date value is expired: it is more than " + maxSkewMillis / 60_000
                            + " minutes from the server's time.");
        }
    }

    private static long parseTime(String iso) {
        if (iso.length() > 40) {
            throw new ProtocolException(ProtocolError.ILLEGAL_TIMESTAMP, "Specified time stamp or date value is not well formatted.");
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ProtocolException(ProtocolError.ILLEGAL_TIMESTAMP, "Specified time stamp or date value is not well formatted.");
        }
    }

    private static String required(Map<String, String> from, String name, String what) {
        String v = from.get(name);
        if (v == null || v.isEmpty()) {
            throw incomplete("The " + what + " " + name + " is missing.");
        }
        if (v.length() > 1024) {
            throw incomplete("The " + what + " " + name + " is too long.");
        }
        return v;
    }

    private static ProtocolException incomplete(String why) {
        return new ProtocolException(ProtocolError.INCOMPLETE_SIGNATURE, "The request signature does not conform to Aliyun standards. " + why);
    }

    /** 64 bits of SHA-256 over the AccessKey and the nonce: nonces are per AccessKey, and a client cannot aim at another's. */
    static long nonceHash(String accessKeyId, String nonce) {
        MessageDigest d = SHA256.get();
        d.update(accessKeyId.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        byte[] h = d.digest(nonce.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (h[i] & 0xff);
        }
        return v;
    }
}
