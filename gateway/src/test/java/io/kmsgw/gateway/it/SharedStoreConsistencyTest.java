package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a shared PostgreSQL store: two gateways verify each other's instance (VerifyInstance), and a gateway given another
 * instance's unseal secret is refused at start; {@code kmsgw verify} walks a replica's instance from the command line.
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

    @Test
    void theVerifyCommandWalksAReplicaOfASharedStore() throws Exception {
        String url = PostgresServer.shared().newDatabase();
        Path unseal = secret(dir, "unseal.secret");
        String keyId;
        try (GatewayServer a = GatewayServer.start(TestGateway.settings(dir.resolve("a"), "openssl", shared(url, unseal)), Clock.systemUTC());
             GatewayServer b = GatewayServer.start(TestGateway.settings(dir.resolve("b"), "openssl", shared(url, unseal)), Clock.systemUTC())) {
            keyId = TestGateway.admin(a, "CreateKey", "{\"KeySpec\":\"EC_P256\"}").json().get("KeyMetadata").get("KeyId").asText();
            TestGateway.admin(b, "CreateSecret", "{\"SecretName\":\"shared\",\"SecretData\":\"v\"}");
            String[] ok = verify(dir.resolve("b"), url, unseal); // beside the running replicas
            assertEquals("0", ok[0], ok[1]);
            assertTrue(ok[1].contains("kmsgw verify: ok (") && ok[1].contains("1 secrets (1 versions)"), ok[1]);
        }
        try (Connection c = DriverManager.getConnection(url, PostgresServer.shared().user(), null); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE kms_key_version SET wrapped_material = decode(repeat('00', 40), 'hex') WHERE key_id = '" + keyId + "'");
        }
        String[] damaged = verify(dir.resolve("a"), url, unseal);
        assertEquals("1", damaged[0], damaged[1]);
        assertTrue(damaged[1].contains("PROBLEM key " + keyId) && damaged[1].contains("kmsgw verify: 1 problem"), damaged[1]);
        String[] foreign = verify(dir.resolve("a"), url, secret(dir, "other.secret"));
        assertEquals("1", foreign[0], foreign[1]);
        assertTrue(foreign[1].contains("PROBLEM HSM: ") && foreign[1].contains("unseal secret"), foreign[1]);
    }

    /** Runs {@code kmsgw verify} in its own process for the replica whose data dir is {@code dataDir}: {exit code, output}. */
    private static String[] verify(Path dataDir, String url, Path unseal) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "verify",
                "--data-dir", dataDir.toString(), "--store-url", url, "--store-user", PostgresServer.shared().user(),
                "--unseal-secret-file", unseal.toString(), "--hsm-pbkdf2-iterations", TestGateway.settings(dataDir, "openssl")
                        .hsmPbkdf2Iterations() + ""));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return new String[] {String.valueOf(p.exitValue()), out};
    }
}
