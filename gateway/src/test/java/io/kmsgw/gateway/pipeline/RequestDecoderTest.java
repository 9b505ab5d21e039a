package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.net.IpBlock;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() throws Exception {
        RequestDecoder d = new RequestDecoder(List.of(IpBlock.parse("10.0.0.0/8")));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("203.0.113.9")));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("198.51.100.1, 203.0.113.9, 10.0.0.7")),
                "the right-most address that is not a trusted proxy");
        assertEquals(ip("192.0.2.1"), d.forwardedClient(ip("192.0.2.1"), List.of("203.0.113.9")), "an untrusted peer is the client");
        assertEquals(ip("10.0.0.5"), d.forwardedClient(ip("10.0.0.5"), List.of("not-an-ip")), "garbage stops at the last trusted hop");
        assertEquals(ip("10.0.0.5"), d.forwardedClient(ip("10.0.0.5"), List.of()));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("203.0.113.9", "10.1.1.1")), "several headers");
    }

    @Test
    void headersReadInOnePassAsHttpHeadersGetWould() {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.copiedBuffer("body", StandardCharsets.UTF_8));
        HttpHeaders h = req.headers();
        h.add("X-KMS-ApiVersion", "dkms-gcs-0.2");
        h.add("x-kms-apiname", "Encrypt");
        h.add("x-kms-apiname", "Decrypt"); // a duplicate: the first one counts, both are signed
        h.add("X-Kms-SignatureMethod", "RSA_PKCS1_SHA_256");
        h.add("x-kms-acccesskeyid", "KAAP.1");
        h.add("x-kms-migrationkeyversionid", "v1");
        h.add("x-kms-other", "two words");
        h.add("DATE", "Mon, 23 Nov 2026 10:00:00 GMT");
        h.add("Content-SHA256", "ABCD");
        h.add("content-type", "application/x-protobuf");
        h.add("Authorization", "Bearer c2ln");
        h.add("User-Agent", "ua/1");
        h.add("user-agent", "ua/2");
        h.add("x-date", "not the date");
        h.add("content-length", "4");
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(List.of()));
        ch.writeInbound(req.retain());
        KmsRequest r = ch.readInbound();
        assertEquals(h.get("x-kms-apiversion"), r.apiVersion);
        assertEquals("Encrypt", r.apiNameHeader);
        assertEquals(h.get("x-kms-signaturemethod"), r.signatureMethod);
        assertEquals("KAAP.1", r.accessKeyId);
        assertEquals("v1", r.migrationKeyVersionId);
        assertEquals(h.get("date"), r.date);
        assertEquals("ABCD", r.contentSha256);
        assertEquals("application/x-protobuf", r.contentType);
        assertEquals("Bearer c2ln", r.authorization);
        assertEquals("ua/1", r.userAgent);
        assertEquals(List.of(Map.entry("x-kms-acccesskeyid", "KAAP.1"), Map.entry("x-kms-apiname", "Encrypt"),
                Map.entry("x-kms-apiname", "Decrypt"), Map.entry("x-kms-apiversion", "dkms-gcs-0.2"),
                Map.entry("x-kms-migrationkeyversionid", "v1"), Map.entry("x-kms-other", "two words"),
                Map.entry("x-kms-signaturemethod", "RSA_PKCS1_SHA_256")), r.kmsHeaders.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        assertEquals("body", new String(r.body, StandardCharsets.UTF_8));
        assertTrue(req.release());
        ch.finishAndReleaseAll();
    }

    @Test
    void missingHeadersAreNull() {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", Unpooled.EMPTY_BUFFER);
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(List.of()));
        ch.writeInbound(req);
        KmsRequest r = ch.readInbound();
        assertEquals(null, r.apiVersion);
        assertEquals(null, r.date);
        assertEquals(null, r.userAgent);
        assertTrue(r.kmsHeaders.isEmpty());
        ch.finishAndReleaseAll();
    }
}
