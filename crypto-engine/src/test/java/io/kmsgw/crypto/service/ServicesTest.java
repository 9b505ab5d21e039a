package io.kmsgw.crypto.service;

import io.kmsgw.crypto.MovableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Maintenance;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.FaultInjectingStore;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's services together over a store that can fail: every management call that fails to commit answers
 * UNAVAILABLE and leaves nothing behind (in memory or after a restart), and upkeep reports what it did.
 */
class ServicesTest {
    @TempDir
    Path dir;
    private FaultInjectingStore store;
    private HsmBackend backend;
    private KmsEngine engine;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-06-01T00:00:00Z"));

    /** The store under the services: the embedded one here, PostgreSQL in {@link PostgresServicesTest}; the same one again on restart. */
    protected io.kmsgw.crypto.store.Store openStore() throws Exception {
        return new SqliteStore(dir.resolve("kmsgw.db"));
    }

    @BeforeEach
    void start() throws Exception {
        store = new FaultInjectingStore(openStore());
        backend = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "services-secret-1".toCharArray(), 1000,
                32, null, null));
        engine = new Engine(store, backend, new KmsEngine.Settings(2, 64, 16), clock);
    }

    @AfterEach
    void stop() {
        engine.close();
        backend.close();
        store.close();
    }

    private void restart() {
        stop();
        try {
            start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything a management call could change, as one comparable snapshot. */
    private String snapshot() {
        StringBuilder b = new StringBuilder();
        engine.keys().listKeys().stream().sorted(java.util.Comparator.comparing(KeyMetadata::keyId)).forEach(m -> b.append(m).append('|')
                .append(engine.keys().listKeyVersions(m.keyId()).size()).append('\n'));
        b.append(new java.util.TreeMap<>(engine.aliases().listAliases())).append('\n');
        engine.secrets().listSecrets().stream().sorted(java.util.Comparator.comparing(Secret::name)).forEach(s -> b.append(s.name())
                .append(new java.util.TreeMap<>(s.stages()))
                .append(new java.util.TreeSet<>(s.versions().keySet())).append(s.plannedDeletion()).append('\n'));
        return b.toString();
    }

    record Fixture(String key, String other, String secret) {
    }

    private Fixture fixture() {
        String key = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "fixture", Map.of("t", "1")).keyId();
        String other = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "other").keyId();
        engine.aliases().createAlias("alias/fixture", key);
        engine.secrets().createSecret("db-pass", "v1-value", "text", "v1", key, "", "");
        engine.secrets().putSecretValue("db-pass", "v2-value", "text", "v2");
        return new Fixture(key, other, "db-pass");
    }

    static Stream<Arguments> changes() {
        List<Arguments> all = new ArrayList<>();
        add(all, "CreateKey", (e, f) -> e.keys().createKey("Aliyun_AES_256", "", ""));
        add(all, "CreateKeyVersion", (e, f) -> e.keys().createKeyVersion(f.key()));
        add(all, "DisableKey", (e, f) -> e.keys().disableKey(f.key()));
        add(all, "ScheduleKeyDeletion", (e, f) -> e.keys().scheduleKeyDeletion(f.other(), 7));
        add(all, "UpdateKeyDescription", (e, f) -> e.keys().updateKeyDescription(f.key(), "changed"));
        add(all, "TagResource", (e, f) -> e.keys().tagResource(f.key(), Map.of("u", "2")));
        add(all, "UntagResource", (e, f) -> e.keys().untagResource(f.key(), List.of("t")));
        add(all, "UpdateRotationPolicy", (e, f) -> e.keys().updateRotationPolicy(f.key(), true, Duration.ofDays(30)));
        add(all, "CreateAlias", (e, f) -> e.aliases().createAlias("alias/new", f.other()));
        add(all, "UpdateAlias", (e, f) -> e.aliases().updateAlias("alias/fixture", f.other()));
        add(all, "DeleteAlias", (e, f) -> e.aliases().deleteAlias("alias/fixture"));
        add(all, "CreateSecret", (e, f) -> e.secrets().createSecret("new-secret", "x", "text", "v1", f.key(), "", ""));
        add(all, "PutSecretValue", (e, f) -> e.secrets().putSecretValue(f.secret(), "v3-value", "text", "v3"));
        add(all, "UpdateSecretVersionStage", (e, f) -> e.secrets().updateSecretVersionStage(f.secret(), "ACSCurrent", "v2", "v1"));
        add(all, "DeleteSecret", (e, f) -> e.secrets().deleteSecret(f.secret(), 7, false));
        return all.stream();
    }

    interface Change {
        void apply(KmsEngine e, Fixture f);
    }

    private static void add(List<Arguments> all, String name, Change c) {
        all.add(Arguments.of(name, c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void aChangeThatCannotCommitAnswersUnavailableAndLeavesNothing(String name, Change change) {
        Fixture f = fixture();
        String before = snapshot();
        store.failWrites(FaultInjectingStore.When.BEFORE_WORK, "injected: database or disk is full");
        KmsException e = assertThrows(KmsException.class, () -> change.apply(engine, f), name);
        assertEquals(KmsError.UNAVAILABLE, e.error(), name);
        assertTrue(!e.getMessage().contains("injected"), "the store's own words stay inside: " + e.getMessage());
        assertEquals(before, snapshot(), name + " showed an uncommitted change");
        store.heal();
        restart();
        assertEquals(before, snapshot(), name + " left a change in the store");
        change.apply(engine, f); // and once the store is back, the same call works
    }

    @Test
    void whatIsShownIsWhatTheStoreGivesBackAfterARestart() {
        fixture();
        String shown = snapshot();
        restart();
        assertEquals(shown, snapshot());
    }

    @Test
    void aLostAcknowledgementSaysTheOutcomeIsUnknownAndTheCommitStands() {
        String key = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        store.loseAcknowledgements("injected: connection reset after commit");
        KmsException lost = assertThrows(KmsException.class, () -> engine.keys().disableKey(key));
        assertEquals(KmsError.COMMIT_OUTCOME_UNKNOWN, lost.error(), "not the plain 'unavailable' that means nothing was done");
        assertTrue(lost.getMessage().contains("may or may not have been made"), lost.getMessage());
        store.heal();
        restart();
        assertEquals("Disabled", engine.keys().describeKey(key).state().name(),
                "the client was told it failed; a retry of an idempotent change converges");
        engine.keys().disableKey(key);
    }

    @Test
    void maintenanceReportsWhatItDestroyedRotatedAndPurged() {
        String doomed = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        String rotating = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        engine.keys().scheduleKeyDeletion(doomed, 7);
        engine.keys().updateRotationPolicy(rotating, true, Duration.ofDays(7));
        engine.secrets().createSecret("temp", "x", "text", "v1", rotating, "", "");
        engine.secrets().deleteSecret("temp", 7, false);
        assertEquals(new Maintenance.Report(0, 0, 0), engine.maintenance().runMaintenance());
        clock.now = clock.now.plus(Duration.ofDays(7));
        Maintenance.Report r = engine.maintenance().runMaintenance();
        assertEquals(new Maintenance.Report(1, 1, 1), r);
        assertTrue(r.changedAnything());
        assertEquals(2, engine.keys().listKeyVersions(rotating).size());
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.keys().describeKey(doomed)).error());
        assertEquals(List.of(), engine.secrets().listSecrets());
        assertEquals(new Maintenance.Report(0, 0, 0), engine.maintenance().runMaintenance(), "nothing twice");
    }

    @Test
    void theDefaultSecretKeyIsMadeOnceEvenUnderConcurrentFirstUse() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Secret>> made = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "s" + i;
            made.add(pool.submit(() -> engine.secrets().createSecret(name, "value", "text", "v1", "", "", "")));
        }
        String keyId = null;
        for (Future<Secret> f : made) {
            String k = f.get(60, TimeUnit.SECONDS).encryptionKeyId();
            keyId = keyId == null ? k : keyId;
            assertEquals(keyId, k);
        }
        pool.shutdown();
        assertEquals(keyId, engine.aliases().listAliases().get(SecretManagement.DEFAULT_SECRET_KEY_ALIAS));
        assertEquals(1, engine.keys().listKeys().size());
    }

    @Test
    void secretsReadBackThroughTheHsm() throws Exception {
        engine.secrets().createSecret("api-key", "s3cr3t", "text", "v1", "", "", "");
        CompletableFuture<io.kmsgw.crypto.api.SecretValue> got = new CompletableFuture<>();
        engine.secrets().getSecretValue("api-key", "", "", (v, e) -> {
            if (e != null) {
                got.completeExceptionally(e);
            } else {
                got.complete(v);
            }
        });
        assertEquals("s3cr3t", got.get(10, TimeUnit.SECONDS).secretData());
        assertEquals(engine.secrets().secretEncryptionKeyId("api-key"), engine.secrets().describeSecret("api-key").encryptionKeyId());
        assertNull(engine.secrets().secretEncryptionKeyId("no-such-secret"));
    }

    @Test
    void theDirectoryAnswersFromTheRing() {
        KeyMetadata m = engine.keys().createKey("Aliyun_AES_256", "", "");
        engine.aliases().createAlias("alias/d1", m.keyId());
        engine.aliases().createAlias("alias/d2", m.keyId());
        assertEquals(m.keyId(), engine.directory().resolveKeyId("alias/d2"));
        assertEquals(m.keyId(), engine.directory().keyIdOfVersion(m.initialVersionId()));
        assertNull(engine.directory().keyIdOfVersion("nope"));
        assertNull(engine.directory().keyIdOfVersion(null));
        assertEquals(java.util.Set.of("alias/d1", "alias/d2"), new java.util.HashSet<>(engine.directory().aliasesOfKey(m.keyId())));
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.directory().resolveKeyId("alias/none")).error());
        assertNull(engine.crypto().versionIdOfAdvanceBlob(new byte[10]));
        assertEquals(0, engine.crypto().queueDepth());
        assertEquals("hsm-sim", engine.backendName());
    }

    @Test
    void aliasesRefuseBadNamesAliasTargetsAndDuplicates() {
        String k = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        Consumer<Runnable> invalid = r -> assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, r::run).error());
        invalid.accept(() -> engine.aliases().createAlias("not-an-alias", k));
        invalid.accept(() -> engine.aliases().createAlias("alias/", k));
        invalid.accept(() -> engine.aliases().createAlias("alias/bad name", k));
        engine.aliases().createAlias("alias/a", k);
        invalid.accept(() -> engine.aliases().createAlias("alias/b", "alias/a"));
        assertEquals(KmsError.ALREADY_EXISTS, assertThrows(KmsException.class, () -> engine.aliases().createAlias("alias/a", k)).error());
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.aliases().updateAlias("alias/zz", k)).error());
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.aliases().deleteAlias("alias/zz")).error());
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.aliases().createAlias("alias/c", "key-none"))
                .error());
        assertNotNull(engine.keys().describeKey("alias/a"));
    }
}
