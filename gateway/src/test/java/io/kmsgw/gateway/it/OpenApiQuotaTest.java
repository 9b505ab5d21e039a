package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KMS OpenAPI is held to the same per-AAP quota as the instance protocol: over it, 429 Rejected.Throttling as JSON. */
class OpenApiQuotaTest {
    @TempDir
    Path dir;

    @Test
    void anAccessKeyIsThrottledByItsAapsQuota() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("aap-qps", "2")), Clock.systemUTC())) {
            Path ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
            JsonNode ak = TestGateway.admin(server, "CreateAccessKey", "{\"AapName\":\"quickstart\"}").json();
            int ok = 0;
            int throttled = 0;
            for (int i = 0; i < 8; i++) {
                Map<String, String> p = new java.util.HashMap<>(Map.of("Action", "Encrypt", "Version", "2016-01-20", "Format", "JSON",
                        "AccessKeyId", ak.get("AccessKeyId").asText(), "SignatureMethod", "HMAC-SHA1", "SignatureVersion", "1.0",
                        "SignatureNonce", java.util.UUID.randomUUID().toString(), "Timestamp",
                        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), "KeyId", "alias/quickstart",
                        "Plaintext", "quota"));
                p.put("Signature", com.aliyun.openapiutil.Client.getRPCSignature(new java.util.HashMap<>(p), "GET",
                        ak.get("AccessKeySecret").asText()));
                StringBuilder q = new StringBuilder("/?");
                p.forEach((k, v) -> q.append(io.kmsgw.gateway.auth.AcsSignatures.percentEncode(k)).append('=')
                        .append(io.kmsgw.gateway.auth.AcsSignatures.percentEncode(v)).append('&'));
                RawHttps.Response r = RawHttps.send(ca, server.port(), "GET " + q + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
                        null);
                if (r.status() == 200) {
                    ok++;
                } else {
                    JsonNode j = new ObjectMapper().readTree(r.body());
                    assertEquals(429, r.status(), j.toString());
                    assertEquals("Rejected.Throttling", j.get("Code").asText());
                    throttled++;
                }
            }
            assertTrue(ok >= 1 && throttled >= 1, ok + " served, " + throttled + " throttled");
        }
    }
}
