package io.kmsgw.gateway.authz;

import io.kmsgw.crypto.MovableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.SignatureVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientKeyExpiryMonitorTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    @Test
    void eachThresholdFiresOnceAndSurvivesARestartOfTheMonitor() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            AccessService access = new AccessService(new AccessRepository(store), new AccessControl(), new ClientKeyRegistry(),
                    new SignatureVerifier(false), new ClientKeyIssuer(), "kst-test", clock);
            access.quickCreate("app", "Passw0rd_1", "");
            String keyId = access.listClientKeys("app").get(0).clientKeyId();
            Instant notAfter = access.listClientKeys("app").get(0).notAfter();
            Map<String, String> seen = new HashMap<>();
            ClientKeyExpiryMonitor m = new ClientKeyExpiryMonitor(access, clock, seen::get, seen::put);

            assertEquals(List.of(), m.check(), "5 years left: nothing");
            clock.now = notAfter.minus(Duration.ofDays(100));
            List<ClientKeyExpiryMonitor.Event> e = m.check();
            assertEquals(1, e.size());
            assertEquals(180, e.get(0).thresholdDays());
            assertEquals(keyId, e.get(0).clientKeyId());
            assertEquals("app", e.get(0).aapName());
            assertEquals(List.of(), m.check(), "once per threshold");

            clock.now = notAfter.minus(Duration.ofDays(20));
            assertEquals(30, m.check().get(0).thresholdDays(), "90 was skipped over; the tightest threshold fires");
            ClientKeyExpiryMonitor restarted = new ClientKeyExpiryMonitor(access, clock, seen::get, seen::put);
            assertEquals(List.of(), restarted.check(), "remembered across restarts");
            clock.now = notAfter.minus(Duration.ofDays(3));
            ClientKeyExpiryMonitor.Event last = restarted.check().get(0);
            assertEquals(7, last.thresholdDays());
            assertEquals(3, last.daysLeft());

            String second = access.createClientKey("app", "Passw0rd_2", clock.now.minus(Duration.ofDays(1)), clock.now.plus(Duration.ofDays(5)))
                    .clientKeyId();
            access.deleteClientKey(second);
            assertEquals(List.of(), restarted.check(), "a deleted key raises nothing, however close its end");
        }
    }
}
