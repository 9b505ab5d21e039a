package io.kmsgw.crypto.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession.KeyKind;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backend contract on the simulated token, plus what only a shared-master backend does: sealing. */
class SimHsmBackendContractTest extends BackendContract {

    @Override
    protected HsmBackend open(Path tokenDir, String secret) {
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, tokenDir, secret.toCharArray(), 1000, 16, null, null));
    }

    /** A vault in memory, as the shared store keeps it. */
    private static SharedMaster.Vault vault() {
        AtomicReference<byte[]> kept = new AtomicReference<>();
        return new SharedMaster.Vault() {
            @Override
            public byte[] load() {
                return kept.get();
            }

            @Override
            public byte[] keepIfAbsent(byte[] wrapped) {
                kept.compareAndSet(null, wrapped);
                return kept.get();
            }
        };
    }

    private HsmBackend shared(String name, String unseal, SharedMaster.Vault vault) {
        return track(HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve(name), "token-secret-9".toCharArray(), 1000,
                8, unseal.toCharArray(), vault)));
    }

    @Test
    void aBackendWithItsOwnMasterKeyDoesNotSeal() {
        assertTrue(backend.sealer().isEmpty());
    }

    @Test
    void gatewaysSharingAMasterKeyOpenEachOthersKeysAndSeals() {
        SharedMaster.Vault vault = vault();
        HsmBackend a = shared("a", "unseal-secret-0123456789", vault);
        HsmBackend b = shared("b", "unseal-secret-0123456789", vault);
        byte[] wrapped = track(a.openSession()).generate(KeyKind.AES, 256, null).wrapped();
        BackendSession sb = track(b.openSession());
        long k = sb.load(KeyKind.AES, wrapped);
        assertEquals(17, sb.encryptGcm(k, new byte[12], null, new byte[1]).length, "b uses a key a made");

        Sealer sa = a.sealer().orElseThrow();
        byte[] sealed = sa.seal("admin token".getBytes(), "file:admin.token".getBytes());
        assertArrayEquals("admin token".getBytes(), b.sealer().orElseThrow().unseal(sealed, "file:admin.token".getBytes()));
        KmsException wrongName = assertThrows(KmsException.class, () -> sa.unseal(sealed, "file:other".getBytes()));
        assertEquals(KmsError.DECRYPTION_FAILED, wrongName.error());
        assertEquals(KmsError.DECRYPTION_FAILED, assertThrows(KmsException.class, () -> sa.unseal(new byte[10], new byte[0])).error());
        assertFalse(java.util.Arrays.equals(sealed, sa.seal("admin token".getBytes(), "file:admin.token".getBytes())), "a fresh IV");
    }

    @Test
    void aWrongUnsealSecretRefusesToStart() {
        SharedMaster.Vault vault = vault();
        shared("first", "unseal-secret-0123456789", vault);
        assertThrows(KmsException.class, () -> shared("second", "another-unseal-secret-00", vault));
        assertThrows(KmsException.class, () -> shared("third", "too-short", vault));
    }

    @Test
    void theFactoryKnowsItsTypesAndClearsTheSecrets() {
        char[] secret = "factory-secret-01".toCharArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HsmBackends.open(
                new HsmBackends.Config("vendor-x", dir.resolve("x"), secret, 1000, 4, null, null)));
        assertTrue(e.getMessage().contains("vendor-x") && e.getMessage().contains("hsm-sim"), e.getMessage());
        assertArrayEquals(new char[secret.length], secret, "the HSM secret is cleared even when the open fails");
        assertThrows(IllegalArgumentException.class, () -> HsmBackends.open(new HsmBackends.Config(HsmBackends.PKCS11, dir.resolve("p"),
                "x".toCharArray(), 1000, 4, null, null)));
    }

    @Test
    void aWrongHsmSecretDoesNotOpenTheToken() {
        assertThrows(RuntimeException.class, () -> open(dir.resolve("hsm"), "not-the-secret-0001"));
    }
}
