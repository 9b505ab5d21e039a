package io.kmsgw.crypto.backend;

import java.nio.file.Path;

/** The backend contract on SoftHSM2 through the PKCS#11 backend: the same cases as on the simulated token. */
class Pkcs11BackendContractTest extends BackendContract {

    /** Sessions opened, used and closed (their keys with them) while other threads sign in theirs, as replaced sessions are. */
    @org.junit.jupiter.api.Test
    void sessionsComeAndGoWhileOthersSign() throws Exception {
        BackendSession.Generated rsa = session.generate(BackendSession.KeyKind.RSA, 2048, null);
        byte[] aes = session.generate(BackendSession.KeyKind.AES, 256, null).wrapped();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong signed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong cycled = new java.util.concurrent.atomic.AtomicLong();
        java.util.List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean signer = t < 2;
            Thread th = new Thread(() -> {
                try {
                    if (signer) {
                        try (BackendSession s = backend.openSession()) {
                            long k = s.load(BackendSession.KeyKind.RSA, rsa.wrapped());
                            while (!stop.get()) {
                                s.sign(k, BackendSession.SignScheme.RSA_PKCS1, "SHA-256", new byte[32]);
                                signed.incrementAndGet();
                            }
                        }
                    } else {
                        while (!stop.get()) {
                            try (BackendSession s = backend.openSession()) { // its keys die with it, as a lost session's do
                                long k = s.load(BackendSession.KeyKind.RSA, rsa.wrapped());
                                s.sign(k, BackendSession.SignScheme.RSA_PKCS1, "SHA-256", new byte[32]);
                                s.encryptGcm(s.load(BackendSession.KeyKind.AES, aes), new byte[12], null, new byte[16]);
                            }
                            cycled.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            threads.add(th);
        }
        Thread.sleep(2000);
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
        }
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), failures);
        org.junit.jupiter.api.Assertions.assertTrue(signed.get() > 10 && cycled.get() > 10, signed + " signed, " + cycled + " cycled");
    }

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
