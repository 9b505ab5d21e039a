package io.kmsgw.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.it.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up before the listeners open (issue 27): it serves signed requests on a throwaway instance of its own, then the
 * real gateway starts with nothing of the throwaway in its data dir, store, keys, secrets or audit; a stop request ends it at
 * once; a warm-up that fails leaves a gateway that starts cold and serves.
 */
class WarmUpTest {
    private static final Pattern SERVED = Pattern.compile("(\\d+) requests \\((\\d+) not 200\\) in \\d+ ms, ended by (.+)");

    @TempDir
    Path dir;

    private static JsonNode startChecks(GatewayServer server) throws Exception {
        return TestGateway.admin(server, "DescribeInstance", "{}").json().get("StartChecks");
    }

    @Test
    @Timeout(120)
    void theWarmUpServesAThrowawayInstanceAndLeavesNothingOfItBehind() throws Exception {
        Path data = dir.resolve("data");
        Path leftover = data.resolve(WarmUp.DIR).resolve("hsm");
        Files.createDirectories(leftover); // what a warm-up killed with its process leaves
        Files.writeString(leftover.resolve("token.bin"), "stale");
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(data, "openssl", Map.of("warmup-seconds", "3")),
                Clock.systemUTC())) {
            String warmUp = startChecks(server).get("WarmUp").asText();
            Matcher m = SERVED.matcher(warmUp);
            assertTrue(m.matches(), warmUp);
            assertTrue(Long.parseLong(m.group(1)) >= 100, "the throwaway served requests: " + warmUp);
            assertEquals("0", m.group(2), "every warm-up request was answered 200: " + warmUp);
            assertFalse(Files.exists(data.resolve(WarmUp.DIR)), "the throwaway's directory is deleted, the stale one with it");

            // the real instance has only what its own bootstrap made: one key, no secret, no data-plane audit
            assertEquals(1, TestGateway.admin(server, "ListKeys", "{}").json().get("TotalCount").asInt());
            assertEquals(404, TestGateway.admin(server, "DescribeSecret", "{\"SecretName\":\"kmsgw-warmup\"}").status());
            TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId("alias/quickstart")
                    .setPlaintext("after the warm-up".getBytes(StandardCharsets.UTF_8)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode entries;
            do {
                Thread.sleep(50);
                entries = TestGateway.admin(server, "QueryAuditLog", "{\"Plane\":\"data\",\"Limit\":100}").json().get("Entries");
            } while (entries.isEmpty() && System.nanoTime() < deadline);
            assertEquals(1, entries.size(), "only the request made here is in the real audit: " + entries);
            try (var files = Files.list(data)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".")).toList());
            }
        }
    }

    @Test
    @Timeout(120)
    void aStopRequestEndsTheWarmUpAtOnce() throws Exception {
        Settings s = TestGateway.settings(dir.resolve("data"), "openssl", Map.of("warmup-seconds", "600"));
        try (GatewayServer server = GatewayServer.start(s, Clock.systemUTC(), () -> true, () -> { })) {
            String warmUp = startChecks(server).get("WarmUp").asText();
            Matcher m = SERVED.matcher(warmUp);
            assertTrue(m.matches() && m.group(3).equals("a stop request"), warmUp);
        }
    }

    @Test
    @Timeout(120)
    void aWarmUpThatFailsLeavesAGatewayThatStartsColdAndServes() throws Exception {
        Settings s = TestGateway.settings(dir.resolve("data"), "openssl", Map.of("warmup-seconds", "30"));
        try (GatewayServer server = GatewayServer.start(s, Clock.systemUTC(), () -> {
            throw new IllegalStateException("something inside the warm-up broke");
        }, () -> { })) {
            String warmUp = startChecks(server).get("WarmUp").asText();
            assertTrue(warmUp.startsWith("failed after ") && warmUp.endsWith("started cold"), warmUp);
            assertFalse(Files.exists(dir.resolve("data").resolve(WarmUp.DIR)));
            TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId("alias/quickstart")
                    .setPlaintext("cold".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    @Timeout(60)
    void aTakenPortStopsTheStartBeforeTheWarmUpNotAfterIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Settings s = TestGateway.settings(dir.resolve("data"), "openssl", Map.of("warmup-seconds", "600",
                    "port", String.valueOf(taken.getLocalPort())));
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> GatewayServer.start(s, Clock.systemUTC()).close());
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), e.getMessage());
            assertFalse(Files.exists(dir.resolve("data").resolve(WarmUp.DIR)), "no warm-up was started");
        }
    }

    @Test
    void offMeansOff() throws Exception {
        try (GatewayServer server = TestGateway.start(dir.resolve("data"))) {
            assertEquals("off (server.warmupSeconds is 0)", startChecks(server).get("WarmUp").asText());
        }
    }

    @Test
    void theThrowawayReachesNothingBeyondItsDirectory() {
        Settings real = SettingsLoader.load(null, Map.of("KMSGW_STORE_URL", "jdbc:postgresql://db.internal/kmsgw",
                "KMSGW_UNSEAL_SECRET_FILE", "/run/unseal"), Map.of(
                "data-dir", dir.resolve("data").toString(), "bind", "0.0.0.0", "port", "443", "io-threads", "3",
                "tls-engine", "jdk", "engine-workers", "5", "audit-sinks", "stdout,syslog",
                "audit-syslog-address", "udp://logs.internal:514", "conscrypt", "false"));
        Settings w = WarmUp.throwawaySettings(real, dir.resolve("w"));
        assertEquals(dir.resolve("w"), w.dataDir());
        assertEquals("127.0.0.1", w.bind());
        assertEquals(0, w.port());
        assertEquals(0, w.adminPort());
        assertTrue(real.sharedStore());
        assertNull(w.storeUrl(), "never the real instance's shared store");
        assertNull(w.unsealSecretFile());
        assertEquals("hsm-sim", w.hsm());
        assertEquals(List.of(), w.audit().sinks(), "no stdout or syslog lines from the throwaway");
        assertNull(w.audit().syslogAddress());
        assertEquals(0, w.warmup().toSeconds(), "a throwaway does not warm up in turn");
        // what decides which code gets compiled follows the real instance
        assertEquals(3, w.ioThreads());
        assertEquals("jdk", w.tlsEngine());
        assertEquals(5, w.engineWorkers());
        assertFalse(w.conscrypt());
    }
}
