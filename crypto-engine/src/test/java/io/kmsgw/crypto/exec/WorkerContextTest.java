package io.kmsgw.crypto.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.key.KeyVersion;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A worker's loaded keys: unwrapped once, reused while hot, evicted least recently used, and destroyed in the HSM when evicted. */
class WorkerContextTest {
    @TempDir
    Path dir;
    private HsmBackend backend;
    private BackendSession session;

    @BeforeEach
    void open() {
        backend = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir, "worker-secret-01".toCharArray(), 1000, 8, null, null));
        session = backend.openSession();
    }

    @AfterEach
    void close() {
        session.close();
        backend.close();
    }

    private KeyVersion aesVersion(String id) {
        return new KeyVersion(id, "key-" + id, Instant.EPOCH, session.generate(BackendSession.KeyKind.AES, 256, null).wrapped(), null);
    }

    @Test
    void aHotKeyIsUnwrappedOnce() {
        WorkerContext ctx = new WorkerContext(session, 4);
        KeyVersion v = aesVersion("v1");
        long h = ctx.handle(v, KeySpec.Aliyun_AES_256);
        for (int i = 0; i < 10; i++) {
            assertEquals(h, ctx.handle(v, KeySpec.Aliyun_AES_256));
        }
        assertEquals(1, ctx.loadedCount());
    }

    @Test
    void theLeastRecentlyUsedKeyIsEvictedAndItsHandleDestroyed() {
        WorkerContext ctx = new WorkerContext(session, 2);
        KeyVersion a = aesVersion("a");
        KeyVersion b = aesVersion("b");
        KeyVersion c = aesVersion("c");
        long ha = ctx.handle(a, KeySpec.Aliyun_AES_256);
        long hb = ctx.handle(b, KeySpec.Aliyun_AES_256);
        ctx.handle(a, KeySpec.Aliyun_AES_256); // a is hot again: b is now the eldest
        ctx.handle(c, KeySpec.Aliyun_AES_256);
        assertEquals(2, ctx.loadedCount());
        assertEquals(ha, ctx.handle(a, KeySpec.Aliyun_AES_256), "a stayed loaded");
        assertThrows(KmsException.class, () -> session.encryptGcm(hb, new byte[12], null, new byte[1]), "b's handle is gone from the HSM");
        long hb2 = ctx.handle(b, KeySpec.Aliyun_AES_256);
        assertNotEquals(hb, hb2, "b is unwrapped again when needed");
        assertEquals(17, session.encryptGcm(hb2, new byte[12], null, new byte[1]).length);
    }

    @Test
    void retiredVersionsAreDestroyedInTheHsmAndAWorkerTooFarBehindUnloadsEverything() {
        WorkerContext ctx = new WorkerContext(session, 8);
        Retirements retirements = new Retirements();
        KeyVersion a = aesVersion("a");
        KeyVersion b = aesVersion("b");
        long ha = ctx.handle(a, KeySpec.Aliyun_AES_256);
        long hb = ctx.handle(b, KeySpec.Aliyun_AES_256);
        ctx.forgetRetired(retirements);
        assertEquals(2, ctx.loadedCount(), "nothing retired, nothing unloaded");
        retirements.retire(java.util.List.of("a", "never-loaded"));
        ctx.forgetRetired(retirements);
        assertEquals(1, ctx.loadedCount());
        assertThrows(KmsException.class, () -> session.encryptGcm(ha, new byte[12], null, new byte[1]), "a's copy is gone from the HSM");
        assertEquals(17, session.encryptGcm(hb, new byte[12], null, new byte[1]).length, "b stays");
        java.util.List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < Retirements.CAPACITY + 1; i++) {
            many.add("gone-" + i);
        }
        retirements.retire(many);
        ctx.forgetRetired(retirements);
        assertEquals(0, ctx.loadedCount(), "more retired than the ring holds: everything is unloaded, to be unwrapped again when used");
        assertThrows(KmsException.class, () -> session.encryptGcm(hb, new byte[12], null, new byte[1]));
        byte[] otherIv = new byte[12];
        otherIv[0] = 1; // the simulated token refuses a GCM IV used before with the same key
        assertEquals(17, session.encryptGcm(ctx.handle(b, KeySpec.Aliyun_AES_256), otherIv, null, new byte[1]).length);
    }

    @Test
    void publicHandlesAreCachedApartFromPrivateOnes() {
        WorkerContext ctx = new WorkerContext(session, 4);
        BackendSession.Generated g = session.generate(BackendSession.KeyKind.EC, 0, "secp256r1");
        KeyVersion v = new KeyVersion("ec1", "key-ec", Instant.EPOCH, g.wrapped(), g.publicKey());
        long priv = ctx.handle(v, KeySpec.EC_P256);
        long pub = ctx.publicHandle(v, KeySpec.EC_P256);
        assertNotEquals(priv, pub);
        assertEquals(pub, ctx.publicHandle(v, KeySpec.EC_P256));
        assertEquals(2, ctx.loadedCount());
    }

    @ParameterizedTest
    @EnumSource(KeySpec.class)
    void everySpecMapsToTheBackendsKind(KeySpec spec) {
        BackendSession.KeyKind kind = WorkerContext.kindOf(spec);
        assertEquals(spec.kind().name(), kind.name());
    }
}
