package io.kmsgw.crypto.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Secret versions and stages as the secrets-manager API defines them, over a real store, durable across a reload. */
class SecretManagerTest {
    private static final Instant T = Instant.parse("2026-05-01T00:00:00Z");

    @TempDir
    Path dir;
    private Store store;
    private SecretManager secrets;

    @BeforeEach
    void open() {
        store = new SqliteStore(dir.resolve("secrets.db"));
        secrets = new SecretManager(new SecretRepository(store));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Secret.Version version(String id, int second) {
        return new Secret.Version(id, T.plusSeconds(second), "text", "kv-1", new byte[12], new byte[] {(byte) second});
    }

    private Secret reloaded(String name) {
        return new SecretManager(new SecretRepository(store)).get(name);
    }

    private static KmsError error(Runnable r) {
        return assertThrows(KmsException.class, r::run).error();
    }

    @Test
    void aNewSecretHasOneCurrentVersion() {
        Secret s = secrets.create("db", "key-1", null, null, version("v1", 0));
        assertEquals(Map.of(Secret.CURRENT, "v1"), s.stages());
        assertEquals("", s.description());
        assertEquals("Generic", s.secretType());
        assertEquals(s.stages(), reloaded("db").stages());
        assertEquals(KmsError.ALREADY_EXISTS, error(() -> secrets.create("db", "key-1", "", "", version("v9", 9))));
    }

    @Test
    void putMovesCurrentToPreviousAndRefusesAKnownVersion() {
        secrets.create("db", "key-1", "", "", version("v1", 0));
        secrets.put("db", version("v2", 1));
        Secret s = secrets.put("db", version("v3", 2));
        assertEquals(Map.of(Secret.CURRENT, "v3", Secret.PREVIOUS, "v2"), s.stages());
        assertEquals(List.of(), s.stagesOf("v1"), "the oldest carries no stage");
        assertEquals(3, s.versions().size());
        assertEquals(s.stages(), reloaded("db").stages());
        assertEquals(KmsError.ALREADY_EXISTS, error(() -> secrets.put("db", version("v2", 5))));
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> secrets.put("nope", version("v1", 0))));
    }

    @Test
    void movingCurrentMakesTheOldCurrentPreviousAndCurrentCannotBeRemoved() {
        secrets.create("db", "key-1", "", "", version("v1", 0));
        secrets.put("db", version("v2", 1));
        Secret back = secrets.updateStage("db", Secret.CURRENT, "v2", "v1");
        assertEquals("v1", back.stages().get(Secret.CURRENT));
        assertEquals("v2", back.stages().get(Secret.PREVIOUS));
        assertEquals(back.stages(), reloaded("db").stages());
        assertEquals(KmsError.CONFLICT, error(() -> secrets.updateStage("db", Secret.CURRENT, "v1", null)));
        assertEquals("v1", secrets.get("db").stages().get(Secret.CURRENT), "a refused change changed nothing");
    }

    @Test
    void customStagesMoveAndComeOff() {
        secrets.create("db", "key-1", "", "", version("v1", 0));
        secrets.put("db", version("v2", 1));
        assertEquals("v1", secrets.updateStage("db", "Blue", null, "v1").stages().get("Blue"));
        assertEquals("v2", secrets.updateStage("db", "Blue", "v1", "v2").stages().get("Blue"));
        assertNull(secrets.updateStage("db", "Blue", "v2", null).stages().get("Blue"));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.updateStage("db", "Blue", "v2", null)), "v2 no longer carries it");
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.updateStage("db", "Blue", null, null)));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.updateStage("db", "", null, "v1")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.updateStage("db", "x".repeat(65), null, "v1")));
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> secrets.updateStage("db", "Blue", null, "v9")));
    }

    @Test
    void deletionWaitsSevenToThirtyDaysUnlessForcedAndCanBeUndone() {
        secrets.create("db", "key-1", "", "", version("v1", 0));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.delete("db", 6, false, T)));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> secrets.delete("db", 31, false, T)));
        assertEquals(T.plus(Duration.ofDays(30)), secrets.delete("db", 0, false, T), "the default window is 30 days");
        assertEquals(KmsError.CONFLICT, error(() -> secrets.delete("db", 7, false, T)));
        assertEquals(KmsError.KEY_PENDING_DELETION, error(() -> secrets.put("db", version("v2", 1))), "a pending secret takes no values");
        assertEquals(KmsError.KEY_PENDING_DELETION, error(() -> secrets.live("db")));
        assertEquals(T.plus(Duration.ofDays(30)), reloaded("db").plannedDeletion());
        assertNull(secrets.restore("db").plannedDeletion());
        assertNull(reloaded("db").plannedDeletion());
        assertEquals(KmsError.CONFLICT, error(() -> secrets.restore("db")));
        assertNull(secrets.delete("db", 0, true, T), "forced: gone now");
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> secrets.get("db")));
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> reloaded("db")));
    }

    @Test
    void purgeTakesOnlySecretsWhoseWindowHasEnded() {
        secrets.create("a", "key-1", "", "", version("v1", 0));
        secrets.create("b", "key-1", "", "", version("v1", 0));
        secrets.create("c", "key-1", "", "", version("v1", 0));
        secrets.delete("a", 7, false, T);
        secrets.delete("b", 8, false, T);
        assertEquals(0, secrets.purgeDue(T.plus(Duration.ofDays(7)).minusMillis(1)));
        assertEquals(1, secrets.purgeDue(T.plus(Duration.ofDays(7))));
        assertEquals(List.of("b", "c"), secrets.list().stream().map(Secret::name).sorted().toList());
        assertEquals(1, secrets.purgeDue(T.plus(Duration.ofDays(100))));
        assertEquals(List.of("c"), new SecretManager(new SecretRepository(store)).list().stream().map(Secret::name).toList());
    }

    @Test
    void selectFindsAVersionByStageOrIdAndBothMustAgree() {
        secrets.create("db", "key-1", "", "", version("v1", 0));
        Secret s = secrets.put("db", version("v2", 1));
        assertEquals("v2", SecretManager.select(s, null, null).versionId(), "ACSCurrent by default");
        assertEquals("v1", SecretManager.select(s, Secret.PREVIOUS, "").versionId());
        assertEquals("v1", SecretManager.select(s, "", "v1").versionId());
        assertEquals("v2", SecretManager.select(s, Secret.CURRENT, "v2").versionId());
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.select(s, Secret.CURRENT, "v1")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.select(s, "Blue", null)));
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> SecretManager.select(s, null, "v7")));
        Secret onlyOne = secrets.create("solo", "key-1", "", "", version("v1", 0));
        assertEquals(KmsError.RESOURCE_NOT_FOUND, error(() -> SecretManager.select(onlyOne, Secret.PREVIOUS, null)));
    }

    @Test
    void valuesAreTextOrBase64BinaryUpTo64KiB() {
        SecretManager.Value text = SecretManager.value("pässwörd", "");
        assertEquals("text", text.dataType());
        assertArrayEquals("pässwörd".getBytes(StandardCharsets.UTF_8), text.plaintext());
        assertEquals("pässwörd", SecretManager.render(text.plaintext(), "text"));
        byte[] raw = {0, (byte) 0xff, 7};
        SecretManager.Value bin = SecretManager.value(Base64.getEncoder().encodeToString(raw), "binary");
        assertArrayEquals(raw, bin.plaintext());
        assertEquals(Base64.getEncoder().encodeToString(raw), SecretManager.render(raw, "binary"));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.value("not base64!", "binary")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.value("x", "json")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.value("", "text")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.value(null, "text")));
        SecretManager.value("x".repeat(SecretManager.MAX_VALUE_BYTES), "text");
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.value("x".repeat(SecretManager.MAX_VALUE_BYTES + 1), "text")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "semi;colon", "quote\"", "slash\\", "tab\t"})
    void namesOutsideTheAlphabetAreInvalid(String name) {
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.checkName(name)));
    }

    @Test
    void namesAndVersionIds() {
        assertEquals("rds/prod-db_1+a=b.c@d", SecretManager.checkName("rds/prod-db_1+a=b.c@d"));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.checkName("x".repeat(193))));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.checkName(null)));
        assertEquals(36, SecretManager.versionId(null).length(), "a UUID when none is given");
        assertTrue(!SecretManager.versionId("").equals(SecretManager.versionId("")));
        assertEquals("v-1.2_3", SecretManager.versionId("v-1.2_3"));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.versionId("v 1")));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> SecretManager.versionId("v".repeat(65))));
    }

    @Test
    void theAadBindsNameAndVersion() {
        assertEquals("kmsgw-secret:db:v1", new String(SecretManager.aad("db", "v1"), StandardCharsets.UTF_8));
        assertTrue(!java.util.Arrays.equals(SecretManager.aad("db", "v1"), SecretManager.aad("db", "v2")));
    }

    @Test
    void reloadShowsExactlyWhatTheStoreHolds() {
        secrets.create("kept", "key-1", "", "", version("v1", 0));
        secrets.create("gone", "key-1", "", "", version("v1", 0));
        SecretManager other = new SecretManager(new SecretRepository(store));
        other.delete("gone", 0, true, T);
        other.put("kept", version("v2", 1));
        other.create("new", "key-1", "", "", version("v1", 0));
        secrets.reload();
        assertEquals(List.of("kept", "new"), secrets.list().stream().map(Secret::name).sorted().toList());
        assertEquals("v2", secrets.get("kept").stages().get(Secret.CURRENT));
        assertEquals("key-1", secrets.encryptionKeyIdOf("kept"));
        assertNull(secrets.encryptionKeyIdOf("gone"));
    }
}
