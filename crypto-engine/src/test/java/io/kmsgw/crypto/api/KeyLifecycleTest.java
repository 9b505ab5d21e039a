package io.kmsgw.crypto.api;

import io.kmsgw.crypto.service.Engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key and secret lifecycle with a clock the test moves: windows end, rotations fall due, restarts keep it all. */
class KeyLifecycleTest {
    private static final byte[] NONE = new byte[0];

    @TempDir
    Path dir;
    final io.kmsgw.crypto.MovableClock clock = new io.kmsgw.crypto.MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SqliteStore store;
    KmsEngine engine;

    @BeforeEach
    void open() {
        store = new SqliteStore(dir.resolve("db"));
        engine = new Engine(store, new SimHsmBackend(dir.resolve("hsm"), "lifecycle-secret".toCharArray(), 1000, 32),
                new KmsEngine.Settings(2, 64, 64), clock);
    }

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    private void restart() {
        close();
        open();
    }

    private Results.Encrypted encrypt(String keyId) throws Exception {
        return KmsEngineTest.<Results.Padded>await((c, v) -> engine.crypto().encrypt(new Commands.Encrypt(keyId, new byte[] {1, 2}, "", NONE, NONE, ""),
                c)).encrypted();
    }

    private static KmsError error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(KmsException.class, call).error();
    }

    @Test
    void stateTransitionsAndDeletionWindow() throws Exception {
        String k = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        engine.aliases().createAlias("alias/doomed", k);
        Results.Encrypted before = encrypt(k);
        engine.keys().disableKey(k);
        assertEquals(KmsError.KEY_DISABLED, error(() -> encrypt(k)));
        engine.keys().enableKey(k);
        encrypt(k);
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> engine.keys().scheduleKeyDeletion(k, 6)));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> engine.keys().scheduleKeyDeletion(k, 367)));
        KeyMetadata pending = engine.keys().scheduleKeyDeletion(k, 7);
        assertEquals(KeyState.PendingDeletion, pending.state());
        assertEquals(clock.now.plus(Duration.ofDays(7)), pending.deletionDate());
        assertEquals(KmsError.KEY_PENDING_DELETION, error(() -> encrypt(k)));
        assertEquals(KmsError.CONFLICT, error(() -> engine.keys().enableKey(k)));
        assertEquals(KmsError.CONFLICT, error(() -> engine.keys().scheduleKeyDeletion(k, 7)));
        assertEquals(KmsError.CONFLICT, error(() -> engine.keys().createKeyVersion(k)));
        engine.keys().cancelKeyDeletion(k);
        assertEquals(KmsError.CONFLICT, error(() -> engine.keys().cancelKeyDeletion(k)));
        assertArrayEquals(new byte[] {1, 2}, KmsEngineTest.<Results.Decrypted>await((c, v) -> engine.crypto().decrypt(new Commands.Decrypt(k,
                before.ciphertextBlob(), "", NONE, before.iv(), "", ""), c)).plaintext());

        engine.keys().scheduleKeyDeletion(k, 7);
        restart();
        assertEquals(KeyState.PendingDeletion, engine.keys().describeKey(k).state(), "the schedule is durable");
        clock.now = clock.now.plus(Duration.ofDays(7)).minusSeconds(1);
        assertEquals(0, engine.maintenance().runMaintenance().destroyed(), "not before the window ends");
        clock.now = clock.now.plusSeconds(1);
        assertEquals(1, engine.maintenance().runMaintenance().destroyed());
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> engine.keys().describeKey(k)));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> engine.keys().describeKey("alias/doomed")));
        restart();
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> engine.keys().describeKey(k)), "destroyed for good");
    }

    @Test
    void automaticRotationDescriptionTagsAndAliasesPersist() throws Exception {
        KeyMetadata m = engine.keys().createKey("Aliyun_AES_256", "", "first", Map.of("team", "payments"));
        String k = m.keyId();
        Results.Encrypted before = encrypt(k);
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> engine.keys().updateRotationPolicy(k, true, Duration.ofDays(6))));
        engine.keys().updateRotationPolicy(k, true, Duration.ofDays(7));
        engine.keys().updateKeyDescription(k, "second");
        engine.keys().tagResource(k, Map.of("env", "prod"));
        engine.keys().untagResource(k, List.of("team"));
        String other = engine.keys().createKey("Aliyun_AES_128", "", "").keyId();
        engine.aliases().createAlias("alias/moving", k);
        engine.aliases().updateAlias("alias/moving", other);
        engine.aliases().createAlias("alias/gone", k);
        engine.aliases().deleteAlias("alias/gone");
        assertEquals(KmsError.ALREADY_EXISTS, error(() -> engine.aliases().createAlias("alias/moving", k)));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> engine.aliases().deleteAlias("alias/gone")));

        clock.now = clock.now.plus(Duration.ofDays(7));
        assertEquals(1, engine.maintenance().runMaintenance().rotated(), "rotation fell due");
        assertEquals(0, engine.maintenance().runMaintenance().rotated(), "and is not repeated");
        restart();
        KeyMetadata after = engine.keys().describeKey(k);
        assertEquals("second", after.description());
        assertEquals(Map.of("env", "prod"), after.tags());
        assertEquals(Duration.ofDays(7), after.rotationInterval());
        assertEquals(clock.now.plus(Duration.ofDays(7)), after.nextRotation(), "the next rotation counts from the new version");
        assertEquals(2, engine.keys().listKeyVersions(k).size());
        assertEquals(other, engine.keys().describeKey("alias/moving").keyId());
        assertEquals(m.initialVersionId(), encrypt(k).keyVersionId(), "Encrypt keeps the initial version");
        assertArrayEquals(new byte[] {1, 2}, KmsEngineTest.<Results.Decrypted>await((c, v) -> engine.crypto().decrypt(new Commands.Decrypt(k,
                before.ciphertextBlob(), "", NONE, before.iv(), "", ""), c)).plaintext());
        engine.keys().updateRotationPolicy(k, false, null);
        assertNull(engine.keys().describeKey(k).nextRotation());
    }

    @Test
    void secretLifecycle() throws Exception {
        String k = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        engine.secrets().createSecret("db", "v1", "text", "a", k, "", "");
        assertEquals(KmsError.CONFLICT, error(() -> engine.keys().scheduleKeyDeletion(k, 7)), "a key that protects a secret");
        engine.secrets().putSecretValue("db", "v2", "text", "b");
        engine.secrets().updateSecretVersionStage("db", "ACSCurrent", "b", "a");
        assertEquals("a", engine.secrets().describeSecret("db").stages().get("ACSCurrent"));
        assertEquals("b", engine.secrets().describeSecret("db").stages().get("ACSPrevious"));
        engine.secrets().updateSecretVersionStage("db", "Custom", "", "b");
        engine.secrets().updateSecretVersionStage("db", "Custom", "b", "");
        assertNull(engine.secrets().describeSecret("db").stages().get("Custom"));
        assertEquals(KmsError.CONFLICT, error(() -> engine.secrets().updateSecretVersionStage("db", "ACSCurrent", "a", "")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> engine.secrets().deleteSecret("db", 6, false)));

        Instant planned = engine.secrets().deleteSecret("db", 7, false);
        assertEquals(clock.now.plus(Duration.ofDays(7)), planned);
        assertEquals(KmsError.KEY_PENDING_DELETION, error(() -> KmsEngineTest.<SecretValue>await((c, v) ->
                engine.secrets().getSecretValue("db", "", "", c))));
        engine.secrets().restoreSecret("db");
        assertEquals("v1", KmsEngineTest.<SecretValue>await((c, v) -> engine.secrets().getSecretValue("db", "", "", c)).secretData());
        engine.secrets().deleteSecret("db", 7, false);
        restart();
        assertNotNull(engine.secrets().describeSecret("db").plannedDeletion());
        clock.now = clock.now.plus(Duration.ofDays(8));
        engine.maintenance().runMaintenance();
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> engine.secrets().describeSecret("db")));
        engine.keys().scheduleKeyDeletion(k, 7);

        String k2 = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        engine.secrets().createSecret("tmp", "x", "text", "", k2, "", "");
        assertNull(engine.secrets().deleteSecret("tmp", 0, true), "forced: no window");
        restart();
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> engine.secrets().describeSecret("tmp")));
        assertTrue(engine.secrets().listSecrets().isEmpty());
    }
}
