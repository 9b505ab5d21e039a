package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and hostile requests over real TLS, each with its exact answer. Every case gets a protobuf
 * Error with the listed status and code (never a 500, a hang or a stack trace), and the server keeps
 * serving afterwards.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static GatewayServer server;
    static Path ca;
    static RawHttps.GatewayServerInfo key;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.start(dir);
        ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
        key = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A signed request whose header block the case may rewrite before sending. */
    record Case(String name, String api, byte[] body, UnaryOperator<String> headers, int status, String code) {
    }

    private static byte[] encrypt() {
        return KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart").setPlaintext(com.google.protobuf.ByteString.copyFromUtf8("x"))
                .build().toByteArray();
    }

    @Test
    void eachMalformedRequestGetsItsExactAnswer() throws Exception {
        byte[] enc = encrypt();
        byte[] unknownField = concat(enc, new byte[] {(byte) 0xF8, 0x07, 0x01}); // field 127, varint 1: ignored (proto3)
        byte[] wrongWireType = {0x0A, 0x05, 'a'}; // KeyId declared 5 bytes, 1 present
        byte[] hugeLength = {0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}; // Plaintext of 4 GiB
        List<Case> cases = List.of(
                new Case("version missing", "Encrypt", enc, h -> h.replaceAll("x-kms-apiversion: [^\r]*\r\n", ""), 400, "InvalidApiVersion"),
                new Case("name unknown", "Nope", enc, h -> h, 400, "InvalidApiName"),
                new Case("method unknown", "Encrypt", enc, h -> h.replace("RSA_PKCS1_SHA_256", "HMAC_SHA1"), 400, "InvalidParam"),
                new Case("key id missing", "Encrypt", enc, h -> h.replaceAll("x-kms-acccesskeyid: [^\r]*\r\n", ""), 400, "MissingParameter"),
                new Case("date garbage", "Encrypt", enc, h -> h.replaceAll("date: [^\r]*", "date: yesterday"), 400, "InvalidParam"),
                new Case("date ISO", "Encrypt", enc, h -> h.replaceAll("date: [^\r]*", "date: 2026-11-23T12:00:00Z"), 400, "InvalidParam"),
                new Case("sha256 wrong", "Encrypt", enc, h -> h.replaceAll("content-sha256: [^\r]*", "content-sha256: 00"), 400,
                        "InvalidParam"),
                new Case("sha256 missing", "Encrypt", enc, h -> h.replaceAll("content-sha256: [^\r]*\r\n", ""), 400, "InvalidParam"),
                new Case("authorization without Bearer", "Encrypt", enc, h -> h.replace("authorization: Bearer ", "authorization: "), 400,
                        "InvalidParam"),
                new Case("authorization empty", "Encrypt", enc, h -> h.replaceAll("authorization: [^\r]*", "authorization: Bearer "), 400,
                        "InvalidParam"),
                new Case("authorization bad base64", "Encrypt", enc, h -> h.replaceAll("authorization: Bearer [^\r]*",
                        "authorization: Bearer !!notbase64!!"), 400, "InvalidParam"),
                new Case("duplicate api name", "Encrypt", enc, h -> h + "x-kms-apiname: Decrypt\r\n", 401, "SignatureNotMatch"),
                new Case("content type json", "Encrypt", enc, h -> h.replace("content-type: application/x-protobuf", "content-type: text/plain"),
                        401, "SignatureNotMatch"),
                new Case("unknown protobuf field", "Encrypt", unknownField, h -> h, 200, null),
                new Case("truncated protobuf", "Encrypt", wrongWireType, h -> h, 400, "InvalidParameter"),
                new Case("huge length prefix", "Encrypt", hugeLength, h -> h, 400, "InvalidParameter"),
                new Case("empty body on Encrypt", "Encrypt", new byte[0], h -> h, 400, "InvalidParameter"));
        // the transfer clients classify errors by these exact texts (kms-transfer-client KmsErrorCodeTransferUtils)
        Map<String, String> texts = Map.of(
                "date garbage", "The Param Date is invalid.",
                "date ISO", "The Param Date is invalid.",
                "authorization without Bearer", "The Param Authorization is invalid.",
                "authorization empty", "The Param Authorization is invalid.",
                "authorization bad base64", "The Param Authorization is invalid.",
                "sha256 wrong", "The Param Content-SHA256 is invalid.",
                "method unknown", "The Param x-kms-signaturemethod is invalid.",
                "key id missing", "Parameter x-kms-acccesskeyid does not exist in http header or body.");
        for (Case c : cases) {
            String headers = c.headers().apply(RawHttps.signedHeaders(key, c.api(), c.body()));
            String head = "POST / HTTP/1.1\r\nhost: x\r\n" + headers + "content-length: " + c.body().length + "\r\nconnection: close\r\n\r\n";
            RawHttps.Response r = RawHttps.send(ca, server.port(), head, c.body());
            assertEquals(c.status(), r.status(), c.name());
            if (c.code() != null) {
                KmsApi.Error e = KmsApi.Error.parseFrom(r.body());
                assertEquals(c.code(), e.getErrorCode(), c.name());
                assertEquals(c.status(), e.getStatusCode(), c.name() + ": StatusCode is the HTTP status");
                assertEquals(36, e.getRequestId().length(), c.name());
                if (texts.containsKey(c.name())) {
                    assertEquals(texts.get(c.name()), e.getErrorMessage(), c.name());
                }
                assertFalse(e.getErrorMessage().contains("Exception") || e.getErrorMessage().contains("\tat "), c.name());
            }
        }
    }

    @Test
    void framingErrorsAreAnsweredOrClosedNeverHung() throws Exception {
        // bad chunk size: 400 and close
        RawHttps.Response chunk = RawHttps.send(ca, server.port(), "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n",
                "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, chunk.status());
        assertEquals("InvalidParam", KmsApi.Error.parseFrom(chunk.body()).getErrorCode());
        // header block larger than the 16 KB cap: 431 with a protobuf Error (the transfer clients call any other body
        // "server unreachable"), and close
        RawHttps.Response longHeader = RawHttps.send(ca, server.port(), "POST / HTTP/1.1\r\nhost: x\r\nx-big: " + "a".repeat(20_000)
                + "\r\n\r\n", null);
        assertEquals(431, longHeader.status());
        KmsApi.Error tooLarge = KmsApi.Error.parseFrom(longHeader.body());
        assertEquals(431, tooLarge.getStatusCode());
        assertEquals("InvalidParam", tooLarge.getErrorCode());
        // a request line over its 32 KB cap (KMS OpenAPI parameters ride in the query string): 414, likewise
        RawHttps.Response longLine = RawHttps.send(ca, server.port(), "POST /" + "a".repeat(33_000) + " HTTP/1.1\r\nhost: x\r\n\r\n", null);
        assertEquals(414, longLine.status());
        assertEquals(414, KmsApi.Error.parseFrom(longLine.body()).getStatusCode());
        // a request line that is not HTTP
        RawHttps.Response garbage = RawHttps.send(ca, server.port(), "HELLO\r\n\r\n", null);
        assertTrue(garbage.status() == 400 || garbage.status() == 405 || garbage.status() == 404, "got " + garbage.status());
        // the server still serves
        byte[] enc = encrypt();
        RawHttps.Response ok = RawHttps.send(ca, server.port(), "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key, "Encrypt", enc)
                + "content-length: " + enc.length + "\r\nconnection: close\r\n\r\n", enc);
        assertEquals(200, ok.status());
        // the audit records of all these requests carry no signatures
        String audit = Files.readString(dir.resolve("audit").resolve("audit-000001.jsonl"));
        assertFalse(audit.contains("Bearer"), "no signatures in the audit");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
