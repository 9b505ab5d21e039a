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
    protected HsmBackend open(Path tokenDir, String secret) {
        SoftHsm softHsm = SoftHsm.shared();
        String label = SoftHsm.labelFor(tokenDir.toString());
        softHsm.token(label, secret);
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.PKCS11, tokenDir, new char[0], 1000, 16, null, null, true,
                new HsmBackends.Pkcs11(softHsm.library(), label, -1, secret.toCharArray())));
    }
}
