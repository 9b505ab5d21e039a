package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a shared PostgreSQL store: two gateways verify each other's instance (VerifyInstance), and a gateway given another
 * instance's unseal secret is refused at start.
 */
class SharedStoreConsistencyTest {
    @TempDir
    Path dir;

    private Map<String, String> shared(String url, Path unseal) throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("store-url", url);
        m.put("store-user", PostgresServer.shared().user());
        m.put("unseal-secret-file", unseal.toString());
        return m;
    }

    private static Path secret(Path dir, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "unseal-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-0123456789");
        return f;
    }

    @Test
    void replicasVerifyTheSharedInstanceAndAForeignUnsealSecretIsRefused() throws Exception {
        String url = PostgresServer.shared().newDatabase();
        Path unseal = secret(dir, "unseal.secret");
        try (GatewayServer a = GatewayServer.start(TestGateway.settings(dir.resolve("a"), "openssl", shared(url, unseal)), Clock.systemUTC());
             GatewayServer b = GatewayServer.start(TestGateway.settings(dir.resolve("b"), "openssl", shared(url, unseal)), Clock.systemUTC())) {
            TestGateway.admin(a, "CreateKey", "{\"KeySpec\":\"EC_P256\"}");
            TestGateway.admin(a, "CreateSecret", "{\"SecretName\":\"shared\",\"SecretData\":\"v\"}");
            for (GatewayServer g : new GatewayServer[] {a, b}) {
                JsonNode r = TestGateway.admin(g, "VerifyInstance", "{}").json();
                assertTrue(r.get("Ok").asBoolean(), r.toString());
                assertTrue(r.get("Summary").asText().contains("1 secrets (1 versions)"), r.toString());
            }
        }
        Path other = secret(dir, "other.secret");
        Exception e = assertThrows(Exception.class, () -> GatewayServer.start(TestGateway.settings(dir.resolve("c"), "openssl",
                shared(url, other)), Clock.systemUTC()).close());
        assertTrue(e.getMessage().contains("unseal secret"), e.getMessage());
        assertEquals(false, Files.exists(dir.resolve("c/instance.json")), "nothing was bootstrapped beside the shared instance");
    }
}
