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

    @Override
    protected HsmBackend openShared(String name, String unseal, SharedMaster.Vault vault) {
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve(name), "token-secret-9".toCharArray(), 1000,
                8, unseal.toCharArray(), vault));
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

}
