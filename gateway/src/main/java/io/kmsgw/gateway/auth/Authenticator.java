package io.kmsgw.gateway.auth;

import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.kmsgw.gateway.protocol.StringToSign;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Authenticates a request in the protocol's order: API version, API name, signature method, client
 * key id, Date, skew, body SHA-256, Authorization form, client key, RSA signature, key validity,
 * content type. Verification is one RSA-2048 public-key operation; nothing is cached between requests.
 */
@ChannelHandler.Sharable
public final class Authenticator extends KmsRequestHandler {
    public static final String API_VERSION = "dkms-gcs-0.2";
    public static final String SIGNATURE_METHOD = "RSA_PKCS1_SHA_256";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });
    /** The string to sign's bytes, rewritten by each request on this thread. */
    private static final ThreadLocal<StringToSign.Utf8> TO_SIGN = ThreadLocal.withInitial(StringToSign.Utf8::new);
    /** One-entry cache per thread: the Date header changes once a second. */
    private static final ThreadLocal<LastDate> LAST_DATE = ThreadLocal.withInitial(LastDate::new);

    /** The last Date header an event loop parsed: clients send the same one for a second's worth of requests. */
    private static final class LastDate {
        String text;
        long millis;
    }

    private final ClientKeyRegistry keys;
    private final SignatureVerifier verifier;
    private final Clock clock;
    private final long maxSkewMillis;

    private final AccessKeyAuthenticator accessKeys;

    public Authenticator(ClientKeyRegistry keys, SignatureVerifier verifier, Clock clock, Duration maxSkew) {
        this(keys, verifier, clock, maxSkew, null);
    }

    /** @param accessKeys the KMS OpenAPI's authentication; null: the OpenAPI is not served (its requests are refused) */
    public Authenticator(ClientKeyRegistry keys, SignatureVerifier verifier, Clock clock, Duration maxSkew, AccessKeyAuthenticator accessKeys) {
        this.accessKeys = accessKeys;
        this.keys = keys;
        this.verifier = verifier;
        this.clock = clock;
        this.maxSkewMillis = maxSkew.toMillis();
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        if (r.openApi != null) {
            if (accessKeys == null) {
                throw new ProtocolException(ProtocolError.INVALID_ACTION, "This endpoint does not serve the KMS OpenAPI.");
            }
            accessKeys.authenticate(r, () -> ctx.fireChannelRead(r), e -> Responses.error(ctx.channel(), r, e.error(), e.getMessage()),
                    ctx.executor());
            return;
        }
        if (!API_VERSION.equals(r.apiVersion)) {
            throw new ProtocolException(ProtocolError.INVALID_API_VERSION, "The ApiVersion \"" + Responses.echo(r.apiVersion) + "\" is invalid.");
        }
        if (r.api == null) {
            throw new ProtocolException(ProtocolError.INVALID_API_NAME, "The ApiName \"" + Responses.echo(r.apiNameHeader) + "\" is invalid.");
        }
        if (!SIGNATURE_METHOD.equals(r.signatureMethod)) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param x-kms-signaturemethod is invalid.");
        }
        if (r.accessKeyId == null || r.accessKeyId.isEmpty()) {
            throw new ProtocolException(ProtocolError.MISSING_PARAMETER,
                    "Parameter x-kms-acccesskeyid does not exist in http header or body.");
        }
        long requestMillis = parseDate(r.date);
        long now = clock.millis();
        if (Math.abs(now - requestMillis) > maxSkewMillis) {
            throw new ProtocolException(ProtocolError.REQUEST_TIME_TOO_SKEWED, "Request time exceeds server time more than 15 minutes.");
        }
        String bodyHash = HEX.formatHex(SHA256.get().digest(r.body));
        if (r.contentSha256 == null || !bodyHash.equalsIgnoreCase(r.contentSha256)) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param Content-SHA256 is invalid.");
        }
        byte[] signature = parseAuthorization(r.authorization);
        ClientKeyRegistry.Entry key = keys.get(r.accessKeyId);
        if (key == null) {
            throw new ProtocolException(ProtocolError.UNAUTHORIZED,
                    "The AccessKey ID \"" + Responses.echo(r.accessKeyId) + "\" does not exist in our records.");
        }
        r.caller(new KmsRequest.Principal(key.clientKeyId(), key.aapName()));
        StringToSign.Utf8 toSign = TO_SIGN.get();
        StringToSign.writeUtf8(toSign, r.contentSha256, r.contentType, r.date, r.kmsHeaders);
        PublicKey publicKey = key.publicKey();
        if (publicKey == null) {
            throw new ProtocolException(ProtocolError.CLIENT_KEY_UNAVAILABLE, "The client key " + key.clientKeyId()
                    + " cannot be used: its stored certificate cannot be read. Restore the store from a backup or rotate to a new client key.");
        }
        if (!verifier.verify(publicKey, toSign.bytes(), toSign.length(), signature)) {
            throw new ProtocolException(ProtocolError.SIGNATURE_NOT_MATCH, "Signature is not matched.");
        }
        Instant at = Instant.ofEpochMilli(now);
        if (key.deleted()) {
            throw new ProtocolException(ProtocolError.CLIENT_KEY_INACTIVE, "The client key " + key.clientKeyId() + " was deleted.");
        }
        if (at.isBefore(key.notBefore())) {
            throw new ProtocolException(ProtocolError.CLIENT_KEY_INACTIVE, "The client key " + key.clientKeyId()
                    + " is not valid until " + key.notBefore() + ".");
        }
        if (at.isAfter(key.notAfter())) {
            throw new ProtocolException(ProtocolError.CLIENT_KEY_INACTIVE, "The client key " + key.clientKeyId()
                    + " expired at " + key.notAfter() + ".");
        }
        if (r.contentType == null || !isProtobuf(r.contentType)) {
            throw new ProtocolException(ProtocolError.INVALID_CONTENT_TYPE,
                    "Content-Type \"" + Responses.echo(r.contentType) + "\" is unsupported.");
        }
        r.authenticated();
        ctx.fireChannelRead(r);
    }

    private static boolean isProtobuf(String contentType) {
        int semi = contentType.indexOf(';');
        String base = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return base.equalsIgnoreCase("application/x-protobuf");
    }

    static long parseDate(String date) {
        if (date == null || date.isEmpty() || date.length() > 64) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param Date is invalid.");
        }
        LastDate last = LAST_DATE.get();
        if (date.equals(last.text)) {
            return last.millis;
        }
        try {
            long millis = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            last.millis = millis;
            last.text = date;
            return millis;
        } catch (DateTimeParseException e) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param Date is invalid.");
        }
    }

    static byte[] parseAuthorization(String authorization) {
        String b64 = null;
        if (authorization != null) {
            if (authorization.startsWith("Bearer ")) {
                b64 = authorization.substring(7).trim();
            } else if (authorization.startsWith("TOKEN ")) {
                b64 = authorization.substring(6).trim();
            }
        }
        if (b64 == null || b64.isEmpty() || b64.length() > 2048) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param Authorization is invalid.");
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolError.INVALID_PARAM, "The Param Authorization is invalid.");
        }
    }
}
