package io.kmsgw.crypto.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane's contract with its caller: bad input throws on the caller's thread and completes nothing; every
 * accepted call completes exactly once, with a result or an error (THROTTLED when the pool is full).
 */
class DataPlaneTest {
    @TempDir
    Path dir;
    private Store store;
    private HsmBackend backend;
    private KmsEngine engine;

    private void start(KmsEngine.Settings settings) {
        store = new SqliteStore(dir.resolve("kmsgw.db"));
        backend = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "dataplane-secret".toCharArray(), 1000, 32,
                null, null));
        engine = new Engine(store, backend, settings, Clock.systemUTC());
    }

    @BeforeEach
    void open() {
        start(new KmsEngine.Settings(2, 64, 16));
    }

    @AfterEach
    void close() {
        engine.close();
        backend.close();
        store.close();
    }

    /** Runs a call and waits for its one completion; fails if it completes twice. */
    private static <T> T await(BiConsumer<KmsEngine, Completion<T>> call, KmsEngine engine) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        call.accept(engine, (r, e) -> {
            if (calls.incrementAndGet() > 1) {
                throw new AssertionError("completed twice");
            }
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private <T> T await(BiConsumer<KmsEngine, Completion<T>> call) throws Exception {
        return await(call, engine);
    }

    private static Completion<Object> mustNotComplete() {
        return (r, e) -> {
            throw new AssertionError("a refused request completed");
        };
    }

    @Test
    void badInputIsThrownOnTheCallersThreadAndNothingCompletes() {
        KeyMetadata aes = engine.keys().createKey("Aliyun_AES_256", "", "");
        KeyMetadata hmac = engine.keys().createKey("HMAC_256", "", "");
        List<Runnable> bad = List.of(
                () -> engine.crypto().encrypt(new Commands.Encrypt(aes.keyId(), new byte[6145], "", null, null, ""), cast(mustNotComplete())),
                () -> engine.crypto().encrypt(new Commands.Encrypt("key-none", new byte[1], "", null, null, ""), cast(mustNotComplete())),
                () -> engine.crypto().generateRandom(0, cast(mustNotComplete())),
                () -> engine.crypto().generateRandom(65, cast(mustNotComplete())),
                () -> engine.crypto().generateDataKey(new Commands.DataKey(aes.keyId(), "", 1025, null), cast(mustNotComplete())),
                () -> engine.crypto().generateDataKey(new Commands.DataKey(aes.keyId(), "AES_CBC", 32, null), cast(mustNotComplete())),
                () -> engine.crypto().hmac(hmac.keyId(), new byte[0], cast(mustNotComplete())),
                () -> engine.crypto().hmac(hmac.keyId(), new byte[8193], cast(mustNotComplete())),
                () -> engine.crypto().hmac(aes.keyId(), new byte[1], cast(mustNotComplete())),
                () -> engine.crypto().advanceEncrypt(new Commands.Encrypt(aes.keyId(), new byte[1], "", null, new byte[11], ""),
                        cast(mustNotComplete())),
                () -> engine.crypto().advanceEncrypt(new Commands.Encrypt(aes.keyId(), new byte[1], "", null, null, "PKCS7_PADDING"),
                        cast(mustNotComplete())));
        for (Runnable r : bad) {
            KmsException e = assertThrows(KmsException.class, r::run);
            assertTrue(e.error() == KmsError.INVALID_PARAMETER || e.error() == KmsError.KEY_NOT_FOUND
                    || e.error() == KmsError.UNSUPPORTED_OPERATION, e.error() + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Completion<T> cast(Completion<Object> c) {
        return (Completion<T>) (Completion<?>) c;
    }

    @Test
    void aFullPoolCompletesEveryCallExactlyOnceSomeThrottled() throws Exception {
        engine.close();
        backend.close();
        store.close();
        start(new KmsEngine.Settings(1, 2, 16, 1, false)); // one worker, a queue of two, nothing inline
        KeyMetadata rsa = engine.keys().createKey("RSA_2048", "SIGN/VERIFY", "");
        int n = 40;
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger throttled = new AtomicInteger();
        AtomicInteger completions = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        for (int i = 0; i < n; i++) {
            engine.crypto().sign(new Commands.Sign(rsa.keyId(), "", new byte[] {(byte) i}, null, "RAW", null), (r, e) -> {
                if (e == null) {
                    ok.incrementAndGet();
                } else if (e.error() == KmsError.THROTTLED) {
                    throttled.incrementAndGet();
                }
                if (completions.incrementAndGet() == n) {
                    all.complete(null);
                }
            });
        }
        all.get(60, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertEquals(n, completions.get(), "exactly once each");
        assertEquals(n, ok.get() + throttled.get(), "every failure is a throttle");
        assertTrue(throttled.get() > 0, "a queue of two cannot take forty at once");
        assertTrue(ok.get() >= 1);
    }

    @Test
    void advanceCiphertextsFollowRotationAndKeepOpening() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "", "");
        Results.Encrypted first = this.<Results.Encrypted>await((e, c) -> e.crypto().advanceEncrypt(new Commands.Encrypt(k.keyId(), "one".getBytes(), "", null, null,
                ""), c));
        String v2 = engine.keys().createKeyVersion(k.keyId()).versionId();
        Results.Encrypted second = this.<Results.Encrypted>await((e, c) -> e.crypto().advanceEncrypt(new Commands.Encrypt(k.keyId(), "two".getBytes(), "", null, null,
                ""), c));
        assertEquals(k.initialVersionId(), first.keyVersionId());
        assertEquals(v2, second.keyVersionId(), "AdvanceEncrypt uses the primary version");
        assertEquals(v2, engine.crypto().versionIdOfAdvanceBlob(second.ciphertextBlob()));
        for (Results.Encrypted ct : List.of(first, second)) {
            Results.Decrypted d = this.<Results.Decrypted>await((e, c) -> e.crypto().advanceDecrypt(new Commands.Decrypt("", ct.ciphertextBlob(), "", null, null, "",
                    null), c));
            assertEquals(ct.keyVersionId(), d.keyVersionId());
        }
        byte[] tampered = second.ciphertextBlob().clone();
        tampered[tampered.length - 1] ^= 1;
        KmsException e = assertThrows(KmsException.class, () -> this.<Results.Decrypted>await((en, c) -> en.crypto().advanceDecrypt(new Commands.Decrypt("",
                tampered, "", null, null, "", null), c)));
        assertEquals(KmsError.DECRYPTION_FAILED, e.error());
    }

    @Test
    void dataKeysRandomAndMacs() throws Exception {
        KeyMetadata aes = engine.keys().createKey("Aliyun_AES_256", "", "");
        Results.DataKey dk = this.<Results.DataKey>await((e, c) -> e.crypto().generateDataKey(new Commands.DataKey(aes.keyId(), "", 0, null), c));
        assertEquals(32, dk.plaintext().length, "32 bytes by default");
        Results.Decrypted opened = this.<Results.Decrypted>await((e, c) -> e.crypto().decrypt(new Commands.Decrypt(aes.keyId(), dk.ciphertextBlob(), dk.algorithm(),
                null, dk.iv(), "", null), c));
        assertArrayEquals(dk.plaintext(), opened.plaintext(), "the data key's ciphertext opens with Decrypt");
        assertEquals(7, this.<Results.DataKey>await((e, c) -> e.crypto().generateDataKey(new Commands.DataKey(aes.keyId(), "AES_GCM", 7, null), c))
                .plaintext().length);
        byte[] r1 = this.<byte[]>await((e, c) -> e.crypto().generateRandom(64, c));
        byte[] r2 = this.<byte[]>await((e, c) -> e.crypto().generateRandom(64, c));
        assertNotEquals(java.util.Arrays.toString(r1), java.util.Arrays.toString(r2));
        KeyMetadata hmac = engine.keys().createKey("HMAC_384", "", "");
        byte[] m1 = this.<Results.Mac>await((e, c) -> e.crypto().hmac(hmac.keyId(), "m".getBytes(), c)).mac();
        assertEquals(48, m1.length);
        assertArrayEquals(m1, this.<Results.Mac>await((e, c) -> e.crypto().hmac(hmac.keyId(), "m".getBytes(), c)).mac());
    }

    @Test
    void decryptAndPublicKeysByVersionAlone() throws Exception {
        KeyMetadata rsa = engine.keys().createKey("RSA_2048", "ENCRYPT/DECRYPT", "");
        Results.Padded ct = this.<Results.Padded>await((e, c) -> e.crypto().encrypt(new Commands.Encrypt(rsa.keyId(), "rsa".getBytes(), "RSAES_OAEP_SHA_256",
                null, null, ""), c));
        Results.Decrypted d = this.<Results.Decrypted>await((e, c) -> e.crypto().decrypt(new Commands.Decrypt("", ct.encrypted().ciphertextBlob(),
                "RSAES_OAEP_SHA_256", null, null, "", rsa.initialVersionId()), c));
        assertArrayEquals("rsa".getBytes(), d.plaintext());
        String v2 = engine.keys().createKeyVersion(rsa.keyId()).versionId();
        Results.PublicKey initial = engine.crypto().getPublicKey(rsa.keyId());
        Results.PublicKey second = engine.crypto().getPublicKey("", v2);
        assertEquals(rsa.initialVersionId(), initial.keyVersionId());
        assertEquals(v2, second.keyVersionId());
        assertNotEquals(initial.pem(), second.pem());
        assertTrue(initial.pem().startsWith("-----BEGIN PUBLIC KEY-----"), initial.pem());
        assertEquals(KmsError.KEY_NOT_FOUND, assertThrows(KmsException.class, () -> engine.crypto().getPublicKey("", "no-version")).error());
    }

    @Test
    void aMalformedSignatureEncodingDoesNotVerifyAndIsNotAFailure() throws Exception {
        for (String spec : new String[] {"EC_P256", "EC_P384", "EC_SM2"}) {
            KeyMetadata k = engine.keys().createKey(spec, "SIGN/VERIFY", "");
            byte[] msg = "signed".getBytes();
            Results.Signed signed = this.<Results.Signed>await((e, c) -> e.crypto().sign(new Commands.Sign(k.keyId(), "", msg, null, "RAW", null),
                    c));
            byte[] der = signed.signature();
            assertEquals(0x30, der[0] & 0xff, spec + " signs in DER");
            List<byte[]> malformed = new ArrayList<>();
            byte[] bitString = der.clone();
            bitString[2] = 0x03; // the first INTEGER's tag made a BIT STRING
            malformed.add(bitString);
            byte[] set = der.clone();
            set[0] = 0x31; // a SET, not a SEQUENCE
            malformed.add(set);
            malformed.add(java.util.Arrays.copyOf(der, der.length - 3)); // truncated
            byte[] longer = java.util.Arrays.copyOf(der, der.length + 2); // trailing bytes
            malformed.add(longer);
            for (byte[] bad : malformed) {
                Results.Verified v = this.<Results.Verified>await((e, c) -> e.crypto().verify(new Commands.Sign(k.keyId(), "", msg, null, "RAW",
                        null), bad, c));
                assertEquals(false, v.value(), spec);
            }
        }
    }

    @Test
    void aDisabledKeyRefusesEveryOperationUntilEnabled() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "", "");
        engine.keys().disableKey(k.keyId());
        List<KmsError> errors = new ArrayList<>();
        errors.add(assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(k.keyId(), new byte[1], "", null,
                null, ""), cast(mustNotComplete()))).error());
        errors.add(assertThrows(KmsException.class, () -> engine.crypto().generateDataKey(new Commands.DataKey(k.keyId(), "", 0, null),
                cast(mustNotComplete()))).error());
        errors.add(assertThrows(KmsException.class, () -> engine.crypto().advanceEncrypt(new Commands.Encrypt(k.keyId(), new byte[1], "",
                null, null, ""), cast(mustNotComplete()))).error());
        assertEquals(List.of(KmsError.KEY_DISABLED, KmsError.KEY_DISABLED, KmsError.KEY_DISABLED), errors);
        engine.keys().enableKey(k.keyId());
        assertEquals(k.keyId(), this.<Results.Padded>await((e, c) -> e.crypto().encrypt(new Commands.Encrypt(k.keyId(), new byte[1], "", null, null, ""), c))
                .encrypted().keyId());
    }
}
