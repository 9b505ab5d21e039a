package io.kmsgw.crypto.api;

import io.kmsgw.crypto.service.Engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.store.FaultInjectingStore;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsEngineTest {
    private static final char[] SECRET = "hsm-secret-for-tests".toCharArray();
    private static final byte[] NONE = new byte[0];

    @TempDir
    Path dir;
    Store store;
    KmsEngine engine;

    @BeforeEach
    void open() {
        start(null);
    }

    private void start(Store wrapped) {
        store = wrapped != null ? wrapped : new SqliteStore(dir.resolve("kmsgw.db"));
        engine = new Engine(store, new SimHsmBackend(dir.resolve("hsm"), SECRET.clone(), 1000, 64),
                new KmsEngine.Settings(2, 64, 16), Clock.systemUTC());
    }

    private void restart() {
        engine.close();
        store.close();
        start(null);
    }

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    @Test
    void aRefreshRacingLocalChangesNeverHidesThem() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread refresher = new Thread(() -> {
            while (!done.get()) {
                engine.maintenance().refreshKeys();
            }
        });
        refresher.start();
        List<String> made = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                String id = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "race " + i).keyId();
                engine.aliases().createAlias("alias/race-" + i, id);
                made.add(id);
            }
        } finally {
            done.set(true);
            refresher.join();
        }
        for (int i = 0; i < made.size(); i++) {
            assertEquals(made.get(i), engine.keys().describeKey("alias/race-" + i).keyId(), "key and alias " + i + " still visible");
        }
    }

    static <T> T await(BiConsumer<Completion<T>, Void> call) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        call.accept((r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        }, null);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private Encrypted encrypt(String keyId, byte[] pt, byte[] aad) throws Exception {
        return KmsEngineTest.<Results.Padded>await((c, v) -> engine.crypto().encrypt(new Commands.Encrypt(keyId, pt, "", aad, NONE, ""), c)).encrypted();
    }

    private Decrypted decrypt(String keyId, Encrypted e, byte[] aad, String version) throws Exception {
        return await((c, v) -> engine.crypto().decrypt(new Commands.Decrypt(keyId, e.ciphertextBlob(), "AES_GCM", aad, e.iv(), "", version), c));
    }

    private static KmsError errorOf(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(KmsException.class, call).error();
    }

    @Test
    void encryptDecryptRoundTripWithAliasAndAad() throws Exception {
        KeyMetadata key = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "test key");
        assertEquals(KeyState.Enabled, key.state());
        assertTrue(key.keyId().matches("key-[0-9a-f-]{36}"));
        engine.aliases().createAlias("alias/app", key.keyId());
        byte[] pt = "hello kms".getBytes(StandardCharsets.UTF_8);
        byte[] aad = "ctx".getBytes(StandardCharsets.UTF_8);
        Encrypted e = encrypt("alias/app", pt, aad);
        assertEquals(key.keyId(), e.keyId());
        assertEquals(12, e.iv().length);
        assertEquals(pt.length + 16, e.ciphertextBlob().length);
        assertEquals(key.initialVersionId(), e.keyVersionId());
        assertArrayEquals(pt, decrypt(key.keyId(), e, aad, "").plaintext());

        assertEquals(KmsError.DECRYPTION_FAILED, errorOf(() -> decrypt(key.keyId(), e, "other".getBytes(StandardCharsets.UTF_8), "")));
        byte[] tampered = e.ciphertextBlob().clone();
        tampered[0] ^= 1;
        Encrypted bad = new Encrypted(e.keyId(), e.keyVersionId(), tampered, e.iv(), e.algorithm());
        assertEquals(KmsError.DECRYPTION_FAILED, errorOf(() -> decrypt(key.keyId(), bad, aad, "")));
        Encrypted shortBlob = new Encrypted(e.keyId(), e.keyVersionId(), new byte[5], e.iv(), e.algorithm());
        assertEquals(KmsError.DECRYPTION_FAILED, errorOf(() -> decrypt(key.keyId(), shortBlob, aad, "")));
        // a second key cannot open the first key's ciphertext, with the same uniform failure
        KeyMetadata other = engine.keys().createKey("Aliyun_AES_128", "", "");
        assertEquals(KmsError.DECRYPTION_FAILED, errorOf(() -> decrypt(other.keyId(), e, aad, "")));
    }

    @Test
    void parametersAreCheckedBeforeAnyWork() throws Exception {
        KeyMetadata key = engine.keys().createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "");
        assertEquals(KmsError.KEY_NOT_FOUND, errorOf(() -> encrypt("key-missing", new byte[1], NONE)));
        assertEquals(KmsError.KEY_NOT_FOUND, errorOf(() -> encrypt("alias/missing", new byte[1], NONE)));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> encrypt(key.keyId(), NONE, NONE)));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> encrypt(key.keyId(), new byte[6145], NONE)));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> KmsEngineTest.<Results.Padded>await((c, v) -> engine.crypto().encrypt(
                new Commands.Encrypt(key.keyId(), new byte[1], "AES_XTS", NONE, NONE, ""), c))));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> KmsEngineTest.<Results.Padded>await((c, v) -> engine.crypto().encrypt(
                new Commands.Encrypt(key.keyId(), new byte[1], "", NONE, new byte[16], ""), c))));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> KmsEngineTest.<byte[]>await((c, v) -> engine.crypto().generateRandom(0, c))));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> KmsEngineTest.<byte[]>await((c, v) -> engine.crypto().generateRandom(65, c))));
        assertEquals(1, KmsEngineTest.<byte[]>await((c, v) -> engine.crypto().generateRandom(1, c)).length);
        assertEquals(64, KmsEngineTest.<byte[]>await((c, v) -> engine.crypto().generateRandom(64, c)).length);
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> engine.keys().createKey("AES_999", "", "")));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> engine.keys().createKey("EC_SM2", "GENERATE_VERIFY_MAC", "")));
        KmsException combo = assertThrows(KmsException.class, () -> engine.keys().createKey("EC_P256", "ENCRYPT/DECRYPT", ""));
        assertTrue(combo.getMessage().contains("valid combinations"), combo.getMessage());
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> engine.keys().createKey("Aliyun_AES_256", "SIGN/VERIFY", "")));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> engine.keys().createKey("HMAC_256", "ENCRYPT_DECRYPT", "")));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> engine.aliases().createAlias("noprefix", key.keyId())));
        engine.aliases().createAlias("alias/dup", key.keyId());
        assertEquals(KmsError.ALREADY_EXISTS, errorOf(() -> engine.aliases().createAlias("alias/dup", key.keyId())));
    }

    @Test
    void dataKeysOpenWithDecrypt() throws Exception {
        KeyMetadata key = engine.keys().createKey("Aliyun_AES_256", "", "");
        byte[] aad = {1, 2, 3};
        DataKey dk = await((c, v) -> engine.crypto().generateDataKey(new Commands.DataKey(key.keyId(), "", 0, aad), c));
        assertEquals(32, dk.plaintext().length);
        Encrypted asBlob = new Encrypted(dk.keyId(), dk.keyVersionId(), dk.ciphertextBlob(), dk.iv(), dk.algorithm());
        assertArrayEquals(dk.plaintext(), decrypt(key.keyId(), asBlob, aad, "").plaintext());
        DataKey big = await((c, v) -> engine.crypto().generateDataKey(new Commands.DataKey(key.keyId(), "", 1024, NONE), c));
        assertEquals(1024, big.plaintext().length);
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> KmsEngineTest.<DataKey>await((c, v) -> engine.crypto().generateDataKey(
                new Commands.DataKey(key.keyId(), "", 1025, NONE), c))));
    }

    @Test
    void rotationKeepsEncryptOnTheInitialVersionAndOldVersionsOpen() throws Exception {
        KeyMetadata key = engine.keys().createKey("Aliyun_AES_256", "", "");
        Encrypted before = encrypt(key.keyId(), new byte[] {7}, NONE);
        KeyVersionInfo v2 = engine.keys().createKeyVersion(key.keyId());
        assertEquals(v2.versionId(), engine.keys().describeKey(key.keyId()).primaryVersionId());
        assertEquals(2, engine.keys().listKeyVersions(key.keyId()).size());
        Encrypted after = encrypt(key.keyId(), new byte[] {8}, NONE);
        assertEquals(key.initialVersionId(), after.keyVersionId());
        assertArrayEquals(new byte[] {7}, decrypt(key.keyId(), before, NONE, "").plaintext());
        // selecting the other version explicitly fails to authenticate, uniformly
        assertEquals(KmsError.DECRYPTION_FAILED, errorOf(() -> decrypt(key.keyId(), before, NONE, v2.versionId())));
        assertEquals(KmsError.INVALID_PARAMETER, errorOf(() -> decrypt(key.keyId(), before, NONE, "no-such-version")));
    }

    @Test
    void keysAliasesAndCiphertextsSurviveRestart() throws Exception {
        KeyMetadata key = engine.keys().createKey("Aliyun_AES_192", "", "kept");
        engine.aliases().createAlias("alias/kept", key.keyId());
        Encrypted e = encrypt("alias/kept", "persist me".getBytes(StandardCharsets.UTF_8), NONE);
        restart();
        assertEquals("kept", engine.keys().describeKey("alias/kept").description());
        assertEquals("persist me", new String(decrypt(key.keyId(), e, NONE, "").plaintext(), StandardCharsets.UTF_8));
    }

    @Test
    void aFailedStoreWriteLeavesNoKey() throws Exception {
        engine.close();
        store.close();
        SqliteStore real = new SqliteStore(dir.resolve("kmsgw.db"));
        FaultInjectingStore failing = new FaultInjectingStore(real);
        start(failing);
        KeyMetadata existing = engine.keys().createKey("Aliyun_AES_256", "", "");
        failing.failWrites(FaultInjectingStore.When.AFTER_WORK, "injected: disk I/O error"); // after the HSM work
        assertEquals(KmsError.UNAVAILABLE, errorOf(() -> engine.keys().createKey("Aliyun_AES_256", "", "")));
        assertEquals(KmsError.UNAVAILABLE, errorOf(() -> engine.keys().disableKey(existing.keyId())));
        assertEquals(1, engine.keys().listKeys().size(), "reads keep working");
        assertEquals(KeyState.Enabled, engine.keys().describeKey(existing.keyId()).state(), "a failed change is not shown");
        encrypt(existing.keyId(), new byte[] {1}, NONE);
        failing.heal();
        KeyMetadata ok = engine.keys().createKey("Aliyun_AES_256", "", "");
        restart();
        assertEquals(List.of(existing.keyId(), ok.keyId()), engine.keys().listKeys().stream().map(KeyMetadata::keyId).toList());
    }

    @Test
    void aFailedSecretWriteLeavesNothingVisible() throws Exception {
        engine.close();
        store.close();
        FaultInjectingStore failing = new FaultInjectingStore(new SqliteStore(dir.resolve("kmsgw.db")));
        start(failing);
        engine.secrets().createSecret("rds-a", "first", "", "v1", "", "", "");
        failing.failWrites(FaultInjectingStore.When.AFTER_WORK, "injected: database or disk is full");
        assertEquals(KmsError.UNAVAILABLE, errorOf(() -> engine.secrets().putSecretValue("rds-a", "second", "", "v2")));
        assertEquals(KmsError.UNAVAILABLE, errorOf(() -> engine.secrets().createSecret("rds-b", "other", "", "v1", "", "", "")));
        assertEquals(List.of("v1"), List.copyOf(engine.secrets().describeSecret("rds-a").versions().keySet()),
                "the failed version is not shown");
        assertEquals(List.of("rds-a"), engine.secrets().listSecrets().stream().map(Secret::name).toList(), "the failed secret is not shown");
        failing.heal();
        engine.secrets().putSecretValue("rds-a", "second", "", "v2");
        restart();
        assertEquals(List.of("v1", "v2"), engine.secrets().describeSecret("rds-a").versions().keySet().stream().sorted().toList());
        assertEquals(List.of("rds-a"), engine.secrets().listSecrets().stream().map(Secret::name).toList());
    }

    @Test
    void wrongHsmSecretIsRefused() {
        engine.close();
        KmsException e = assertThrows(KmsException.class,
                () -> new SimHsmBackend(dir.resolve("hsm"), "not-the-secret".toCharArray(), 1000, 8));
        assertEquals(KmsError.UNAVAILABLE, e.error());
        assertNotEquals(-1, e.getMessage().indexOf("PIN_INCORRECT"));
        start(store);
    }
}
