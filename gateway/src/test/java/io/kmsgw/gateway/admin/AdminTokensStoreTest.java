package io.kmsgw.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.MovableClock;
import io.kmsgw.crypto.store.FaultInjectingStore;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two token views on one store, as two replicas hold them: the store decides at each request, not the notification. */
class AdminTokensStoreTest {
    @TempDir
    Path dir;

    @Test
    void aRevocationElsewhereIsRefusedAtTheNextConfirmWithoutAReload() {
        MovableClock clock = new MovableClock(Instant.now());
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            AdminTokens here = new AdminTokens(store, "kst-a", clock);
            here.bootstrap("bootstrap-token-value-0123456789abcdef");
            AdminTokens.Created ro = here.create(AdminRole.READ_ONLY, "", 0);
            AdminTokens there = new AdminTokens(store, "kst-a", clock);
            there.reload();
            AdminTokens.Check seen = there.check("Bearer " + ro.value());
            assertTrue(seen.ok());
            assertEquals(AdminRole.READ_ONLY, seen.token().role());
            assertTrue(there.confirm(seen.token()).ok());

            here.revoke(ro.token().id());
            assertTrue(there.check("Bearer " + ro.value()).ok(), "there has not reloaded: memory still says yes");
            AdminTokens.Check confirmed = there.confirm(seen.token());
            assertFalse(confirmed.ok(), "the store says no");
            assertEquals("AdminTokenRevoked", confirmed.code());
            there.reload();
            assertEquals("AdminTokenRevoked", there.check("Bearer " + ro.value()).code());
        }
    }

    @Test
    void hashesAreKeyedPerInstanceAndWrongTokensAreUnknown() {
        MovableClock clock = new MovableClock(Instant.now());
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            AdminTokens a = new AdminTokens(store, "kst-a", clock);
            AdminTokens b = new AdminTokens(store, "kst-b", clock);
            assertNotEquals(a.hash("same"), b.hash("same"));
            assertEquals(64, a.hash("x").length());
            a.bootstrap("bootstrap-token-value-0123456789abcdef");
            assertEquals("Unauthorized", a.check("Bearer nope").code());
            assertEquals("Unauthorized", a.check("Basic Ym9vdHN0cmFw").code());
            assertEquals("Unauthorized", a.check(null).code());
            assertEquals("Unauthorized", a.check("Bearer " + "x".repeat(600)).code());
            assertTrue(a.check("bearer bootstrap-token-value-0123456789abcdef").ok(), "the scheme is case-insensitive");
        }
    }

    @Test
    void expiryAndTheLastAdmin() {
        MovableClock clock = new MovableClock(Instant.now());
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            AdminTokens t = new AdminTokens(store, "kst-a", clock);
            t.bootstrap("bootstrap-token-value-0123456789abcdef");
            AdminTokens.Created admin2 = t.create(AdminRole.ADMIN, "", 2);
            t.revoke(AdminTokens.BOOTSTRAP_ID); // another active Admin exists
            AdminException last = assertThrows(AdminException.class, () -> t.revoke(admin2.token().id()));
            assertEquals(409, last.status());
            clock.advance(Duration.ofDays(2));
            assertEquals("AdminTokenExpired", t.check("Bearer " + admin2.value()).code());
            // every Admin token is now revoked or expired: nothing more is revoked, and the bootstrap stays revoked on restart
            t.bootstrap("bootstrap-token-value-0123456789abcdef");
            assertEquals("AdminTokenRevoked", t.check("Bearer bootstrap-token-value-0123456789abcdef").code());
        }
    }

    @Test
    void aStoreThatCannotWriteNeitherRefusesCallsNorMakesTokens() {
        MovableClock clock = new MovableClock(Instant.now());
        try (FaultInjectingStore store = new FaultInjectingStore(new SqliteStore(dir.resolve("db")))) {
            AdminTokens t = new AdminTokens(store, "kst-a", clock);
            t.bootstrap("bootstrap-token-value-0123456789abcdef");
            AdminTokens.Created m = t.create(AdminRole.METRICS, "", 0);
            store.failWrites(FaultInjectingStore.When.BEFORE_WORK, "disk full");
            assertTrue(t.confirm(t.check("Bearer " + m.value()).token()).ok(), "a failed last-use write does not refuse the call");
            AdminException full = assertThrows(AdminException.class, () -> new AdminTokenActionsProbe(t).create());
            assertEquals(503, full.status());
        }
    }

    /** CreateAdminToken through the action table, to see its store failure mapped. */
    private record AdminTokenActionsProbe(AdminTokens tokens) {
        void create() {
            java.util.Map<String, java.util.function.Function<com.fasterxml.jackson.databind.JsonNode,
                    com.fasterxml.jackson.databind.node.ObjectNode>> actions = new java.util.TreeMap<>();
            AdminTokenActions.register(actions, tokens, java.time.Clock.systemUTC());
            actions.get("CreateAdminToken").apply(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("Role", "Metrics"));
        }
    }
}
