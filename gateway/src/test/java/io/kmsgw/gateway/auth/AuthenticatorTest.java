package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.StringToSign;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The authenticator on an EmbeddedChannel: each check in the protocol's order, with the exact answer. */
class AuthenticatorTest {
    static KeyPair clientKey;
    static final String KEY_ID = "KAAP.11111111-2222-4333-8444-555555555555";
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        clientKey = g.generateKeyPair();
    }

    /** A mutable request description, signed on build. */
    static final class Req {
        Map<String, String> kms = new TreeMap<>(Map.of("x-kms-apiversion", "dkms-gcs-0.2", "x-kms-apiname", "Encrypt",
                "x-kms-signaturemethod", "RSA_PKCS1_SHA_256", "x-kms-acccesskeyid", KEY_ID));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW, ZoneOffset.UTC));
        String contentType = "application/x-protobuf";
        byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/x").build().toByteArray();
        String sha;
        String authorization;
        boolean sign = true;

        KmsRequest build() throws Exception {
            if (sha == null) {
                sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            }
            List<Map.Entry<String, String>> h = new ArrayList<>();
            kms.forEach((k, v) -> h.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
            if (sign && authorization == null) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(clientKey.getPrivate());
                s.update(StringToSign.of(sha, contentType, date, h).getBytes(StandardCharsets.UTF_8));
                authorization = "Bearer " + Base64.getEncoder().encodeToString(s.sign());
            }
            return new KmsRequest("req-1", 0, null, true, kms.get("x-kms-apiversion"), kms.get("x-kms-apiname"),
                    kms.get("x-kms-signaturemethod"), kms.get("x-kms-acccesskeyid"), date, sha, contentType, authorization, "test",
                    null, h, body);
        }
    }

    private static EmbeddedChannel channel(Instant notBefore, Instant notAfter) {
        return channel(new ClientKeyRegistry.Entry(KEY_ID, "app", clientKey.getPublic(), notBefore, notAfter, false));
    }

    private static EmbeddedChannel channel(ClientKeyRegistry.Entry entry) {
        ClientKeyRegistry reg = new ClientKeyRegistry();
        reg.put(entry);
        return new EmbeddedChannel(new Authenticator(reg, new SignatureVerifier(true), Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMinutes(15)));
    }

    /** Runs a request and returns the Error (or null when it passed, asserting the principal was set). */
    private static KmsApi.Error run(Consumer<Req> change) throws Exception {
        return run(change, NOW.minusSeconds(86400), NOW.plusSeconds(86400));
    }

    private static KmsApi.Error run(Consumer<Req> change, Instant nb, Instant na) throws Exception {
        return run(change, channel(nb, na));
    }

    private static KmsApi.Error run(Consumer<Req> change, EmbeddedChannel ch) throws Exception {
        Req r = new Req();
        change.accept(r);
        ch.writeInbound(r.build());
        Object out = ch.readOutbound();
        if (out == null) {
            KmsRequest passed = ch.readInbound();
            assertNotNull(passed.principal());
            assertEquals("app", passed.principal().aapName());
            return null;
        }
        FullHttpResponse resp = (FullHttpResponse) out;
        try {
            ByteBuf c = resp.content();
            KmsApi.Error e = KmsApi.Error.parseFrom(ByteBufUtil.getBytes(c));
            assertEquals(resp.status().code(), e.getStatusCode());
            assertEquals("req-1", e.getRequestId());
            return e;
        } finally {
            resp.release();
        }
    }

    private static void expect(KmsApi.Error e, int status, String code, String message) {
        assertNotNull(e, "expected " + code);
        assertEquals(status, e.getStatusCode());
        assertEquals(code, e.getErrorCode());
        assertEquals(message, e.getErrorMessage());
    }

    @Test
    void aCorrectRequestPasses() throws Exception {
        assertNull(run(r -> { }));
        assertNull(run(r -> r.authorization = null), "Bearer form");
        assertNull(run(r -> r.contentType = "application/x-protobuf; charset=utf-8"), "parameters on the content type");
        assertNull(run(r -> r.date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(899),
                ZoneOffset.UTC))), "skew just inside 15 minutes");
    }

    @Test
    void checksRunInTheProtocolOrder() throws Exception {
        expect(run(r -> {
            r.kms.put("x-kms-apiversion", "dkms-gcs-0.1");
            r.kms.put("x-kms-apiname", "Nope");
        }), 400, "InvalidApiVersion", "The ApiVersion \"dkms-gcs-0.1\" is invalid.");
        expect(run(r -> r.kms.put("x-kms-apiname", "Nope")), 400, "InvalidApiName", "The ApiName \"Nope\" is invalid.");
        expect(run(r -> r.kms.put("x-kms-signaturemethod", "HMAC")), 400, "InvalidParam", "The Param x-kms-signaturemethod is invalid.");
        expect(run(r -> r.kms.remove("x-kms-acccesskeyid")), 400, "MissingParameter",
                "Parameter x-kms-acccesskeyid does not exist in http header or body.");
        expect(run(r -> r.date = "yesterday"), 400, "InvalidParam", "The Param Date is invalid.");
        expect(run(r -> r.date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.minusSeconds(901),
                ZoneOffset.UTC))), 400, "RequestTimeTooSkewed", "Request time exceeds server time more than 15 minutes.");
        expect(run(r -> r.sha = "00"), 400, "InvalidParam", "The Param Content-SHA256 is invalid.");
        expect(run(r -> {
            r.sign = false;
            r.authorization = "Basic abc";
        }), 400, "InvalidParam", "The Param Authorization is invalid.");
        expect(run(r -> {
            r.sign = false;
            r.authorization = "Bearer !!!";
        }), 400, "InvalidParam", "The Param Authorization is invalid.");
        expect(run(r -> r.kms.put("x-kms-acccesskeyid", "KAAP.nobody")), 404, "Unauthorized",
                "The AccessKey ID \"KAAP.nobody\" does not exist in our records.");
        expect(run(r -> {
            r.sign = false;
            r.authorization = "Bearer " + Base64.getEncoder().encodeToString(new byte[256]);
        }), 401, "SignatureNotMatch", "Signature is not matched.");
        expect(run(r -> r.contentType = "application/json"), 415, "InvalidContentType", "Content-Type \"application/json\" is unsupported.");
    }

    @Test
    void signatureCoversEveryKmsHeader() throws Exception {
        Req r = new Req();
        KmsRequest signed = r.build();
        List<Map.Entry<String, String>> more = new ArrayList<>(signed.kmsHeaders);
        more.add(new AbstractMap.SimpleImmutableEntry<>("x-kms-extra", "added after signing"));
        more.sort(Map.Entry.comparingByKey());
        KmsRequest tampered = new KmsRequest("req-1", 0, null, true, signed.apiVersion, signed.apiNameHeader, signed.signatureMethod,
                signed.accessKeyId, signed.date, signed.contentSha256, signed.contentType, signed.authorization, null, null, more,
                signed.body);
        EmbeddedChannel ch = channel(NOW.minusSeconds(60), NOW.plusSeconds(60));
        ch.writeInbound(tampered);
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertEquals(401, resp.status().code());
        } finally {
            resp.release();
        }
    }

    @Test
    void clientKeyValidityIsEnforcedAfterTheSignature() throws Exception {
        KmsApi.Error expired = run(r -> { }, NOW.minusSeconds(86400 * 2), NOW.minusSeconds(1));
        assertEquals(401, expired.getStatusCode());
        assertEquals("ClientKeyInactive", expired.getErrorCode());
        assertTrue(expired.getErrorMessage().contains("expired at 2026-11-23T11:59:59Z"), expired.getErrorMessage());
        KmsApi.Error early = run(r -> { }, NOW.plusSeconds(60), NOW.plusSeconds(86400));
        assertEquals("ClientKeyInactive", early.getErrorCode());
        assertTrue(early.getErrorMessage().contains("is not valid until"), early.getErrorMessage());
    }

    @Test
    void aStoredKeyIsMadeOnFirstUseAndAnUnusableOneNeverVerifies() throws Exception {
        SignatureVerifier v = new SignatureVerifier(true);
        Instant nb = NOW.minusSeconds(86400);
        Instant na = NOW.plusSeconds(86400);
        ClientKeyRegistry.Entry stored = ClientKeyRegistry.Entry.lazy(KEY_ID, "app", clientKey.getPublic().getEncoded(), v::rsaPublicKey,
                nb, na, false);
        assertNull(run(r -> { }, channel(stored)));
        assertTrue(stored.parsed());
        for (byte[] unusable : new byte[][] {new byte[0], java.util.Arrays.copyOf(clientKey.getPublic().getEncoded(), 100)}) {
            ClientKeyRegistry.Entry damaged = ClientKeyRegistry.Entry.lazy(KEY_ID, "app", unusable, v::rsaPublicKey, nb, na, false);
            String refused = "The client key " + KEY_ID + " cannot be used: its stored certificate cannot be read. Restore the store "
                    + "from a backup or rotate to a new client key.";
            expect(run(r -> { }, channel(damaged)), 401, "ClientKeyUnavailable", refused);
            expect(run(r -> { }, channel(damaged)), 401, "ClientKeyUnavailable", refused);
        }
        ClientKeyRegistry.Entry none = ClientKeyRegistry.Entry.lazy(KEY_ID, "app", null, v::rsaPublicKey, nb, na, false);
        expect(run(r -> { }, channel(none)), 401, "ClientKeyUnavailable", "The client key " + KEY_ID
                + " cannot be used: its stored certificate cannot be read. Restore the store from a backup or rotate to a new client key.");
    }
}
