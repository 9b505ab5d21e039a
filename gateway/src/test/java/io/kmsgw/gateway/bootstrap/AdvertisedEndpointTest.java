package io.kmsgw.gateway.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * instance.json, the ready line and DescribeInstance name an endpoint clients can reach and verify: a wildcard bind
 * ({@code 0.0.0.0}, {@code ::}) is neither, so they name the loopback address of its family (always in the server
 * certificate) and keep the bind address as its own field.
 */
class AdvertisedEndpointTest {
    @Test
    void aWildcardBindIsAdvertisedAsLoopback() {
        assertEquals("127.0.0.1", Bootstrap.advertisedHost("0.0.0.0"));
        assertEquals("::1", Bootstrap.advertisedHost("::"));
        assertEquals("::1", Bootstrap.advertisedHost("0:0:0:0:0:0:0:0"));
        assertEquals("127.0.0.1", Bootstrap.advertisedHost("127.0.0.1"));
        assertEquals("10.1.2.3", Bootstrap.advertisedHost("10.1.2.3"));
        assertEquals("::1", Bootstrap.advertisedHost("::1"));
        assertEquals("kms.internal", Bootstrap.advertisedHost("kms.internal"), "a name is kept as given, never resolved");
        assertEquals("[::1]:8443", Bootstrap.endpoint(Bootstrap.advertisedHost("::"), 8443));
    }

    @Test
    void instanceJsonKeepsTheBindAddressApart(@TempDir Path dir) throws Exception {
        Bootstrap.QuickStart qs = new Bootstrap.QuickStart("quickstart", "KAAP.x", dir.resolve("k.json"), dir.resolve("k.pw"), "key-1",
                "alias/quickstart");
        JsonNode wildcard = new ObjectMapper().readTree(Bootstrap.writeInstanceJson(dir, "kst-1", "127.0.0.1:8443", "127.0.0.1:8444",
                "0.0.0.0", dir.resolve("ca.pem"), qs).toFile());
        assertEquals("127.0.0.1:8443", wildcard.get("Endpoint").asText());
        assertEquals("127.0.0.1:8444", wildcard.get("AdminEndpoint").asText());
        assertEquals("0.0.0.0", wildcard.get("BindAddress").asText());
        JsonNode plain = new ObjectMapper().readTree(Bootstrap.writeInstanceJson(dir, "kst-1", "127.0.0.1:8443", "127.0.0.1:8444", null,
                dir.resolve("ca.pem"), qs).toFile());
        assertFalse(plain.has("BindAddress"));
    }
}
