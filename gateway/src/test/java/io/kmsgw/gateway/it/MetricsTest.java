package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on the admin plane: Prometheus text with requests by API and result, latency
 * histograms, TLS handshakes by result, engine queue depth, decision-cache hits, audit backlog and
 * expiring client keys; token required; no key id, client key id or address in any label.
 */
class MetricsTest {
    @TempDir
    Path dir;

    @Test
    void prometheusScrapeCountsWhatHappenedWithBoundedLabels() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl"), Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            Client sdk = TestGateway.sdkClient(server);
            byte[] plain = "metrics".getBytes(StandardCharsets.UTF_8);
            EncryptResponse enc = null;
            for (int i = 0; i < 3; i++) {
                enc = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain));
            }
            byte[] tampered = enc.getCiphertextBlob().clone();
            tampered[0] ^= 1;
            EncryptResponse last = enc;
            TestGateway.teaError(() -> sdk.decrypt(new DecryptRequest().setKeyId(last.getKeyId()).setCiphertextBlob(tampered)
                    .setIv(last.getIv()).setAlgorithm(last.getAlgorithm())));
            byte[] refused = TlsPolicyTest.hello(server.port(), 0x0302, 0xC009); // a TLS 1.1 hello: a failed handshake

            RawHttps.Response noToken = RawHttps.send(Path.of(inst.get("CaFile").asText()), server.adminPort(),
                    "GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
            assertEquals(401, noToken.status(), "metrics need the admin token");

            String token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
            System.gc(); // a gauge whose source only the registry holds (weakly) would read NaN from here on
            RawHttps.Response r = RawHttps.send(Path.of(inst.get("CaFile").asText()), server.adminPort(),
                    "GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + token + "\r\nconnection: close\r\n\r\n", null);
            assertEquals(200, r.status());
            assertTrue(r.headers().get("content-type").startsWith("text/plain; version=0.0.4"));
            String text = new String(r.body(), StandardCharsets.UTF_8);

            assertEquals(3.0, value(text, "kmsgw_requests_total", "api=\"Encrypt\",code=\"OK\",status=\"200\""));
            assertEquals(1.0, value(text, "kmsgw_requests_total", "api=\"Decrypt\",code=\"InvalidParameter\",status=\"400\""));
            assertEquals(3.0, value(text, "kmsgw_request_latency_seconds_count", "api=\"Encrypt\""));
            assertTrue(text.contains("kmsgw_request_latency_seconds_bucket{api=\"Encrypt\",le="), "a latency histogram");
            assertTrue(value(text, "kmsgw_tls_handshakes_total", "plane=\"data\",result=\"success\"") >= 1);
            assertTrue(value(text, "kmsgw_tls_handshakes_total", "plane=\"data\",result=\"failure\"") >= 1, "the TLS 1.1 hello "
                    + refused.length);
            assertTrue(value(text, "kmsgw_tls_handshakes_total", "plane=\"admin\",result=\"success\"") >= 2, "this scrape, the 401");
            assertTrue(value(text, "kmsgw_connections_open", "plane=\"admin\"") >= 1, "this scrape's connection");
            assertEquals(0.0, value(text, "kmsgw_connections_refused_total", "plane=\"data\""));
            assertEquals(0.0, value(text, "kmsgw_engine_queue_depth", null));
            assertTrue(value(text, "cache_gets_total", "cache=\"authz-decisions\",result=\"hit\"") >= 2, "repeated decisions hit the cache");
            assertTrue(text.contains("kmsgw_audit_backlog "), "audit backlog gauge");
            assertEquals(0.0, value(text, "kmsgw_client_keys_expiring", "within_days=\"180\""), "the quick-start key has 5 years");
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM meters");
            assertTrue(value(text, "kmsgw_data_dir_free_bytes", null) > 0, "free space of the data dir");

            String keyId = inst.get("QuickStart").get("KeyId").asText();
            String clientKeyId = inst.get("QuickStart").get("ClientKeyId").asText();
            assertFalse(text.contains(keyId) || text.contains(clientKeyId) || text.contains("127.0.0.1"),
                    "no key id, client key id or address in the metrics");
        }
    }

    /** The sample value of {@code name{labels}} (labels as printed, or null for none). */
    static double value(String text, String name, String labels) {
        String series = labels == null ? Pattern.quote(name) + "(?:\\{[^}]*\\})?" : Pattern.quote(name) + "\\{" + Pattern.quote(labels) + "[^}]*\\}";
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), "no series " + name + "{" + labels + "} in:\n" + text.lines().filter(l -> l.startsWith(name)).toList());
        return Double.parseDouble(m.group(1));
    }
}
