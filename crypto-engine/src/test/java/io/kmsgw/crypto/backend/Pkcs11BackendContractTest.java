package io.kmsgw.crypto.backend;

import java.nio.file.Path;

/** The backend contract on SoftHSM2 through the PKCS#11 backend: the same cases as on the simulated token. */
class Pkcs11BackendContractTest extends BackendContract {

    /** SoftHSM2 has no SM2 or SM4. */
    @Override
    protected boolean offersSm() {
        return false;
    }

    @Override
    protected HsmBackend openShared(String name, String unseal, SharedMaster.Vault vault) {
        return open(dir.resolve(name), "token-secret-9", unseal, vault);
    }

    @Override
    protected HsmBackend open(Path tokenDir, String secret) {
        return open(tokenDir, secret, null, null);
    }

    /** A token of its own per directory (made on first use; later opens with another secret present a wrong PIN). */
    private static HsmBackend open(Path tokenDir, String secret, String unseal, SharedMaster.Vault vault) {
        SoftHsm softHsm = SoftHsm.shared();
        String label = SoftHsm.labelFor(tokenDir.toString());
        softHsm.token(label, secret);
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.PKCS11, tokenDir, new char[0], 1000, 16,
                unseal == null ? null : unseal.toCharArray(), vault, true, new HsmBackends.Pkcs11(softHsm.library(), label, -1,
                secret.toCharArray())));
    }
}
