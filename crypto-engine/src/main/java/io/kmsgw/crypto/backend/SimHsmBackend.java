package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.CryptokiProvider;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@link HsmBackend} over the simulated token. On first use it initialises the token (SO and user PIN
 * derived from one HSM secret) and generates the master key: AES-256, token object, sensitive, never
 * extractable, usable only to wrap and unwrap.
 */
public final class SimHsmBackend implements HsmBackend, Sealer {
    static final String MASTER_LABEL = "kmsgw-master-key";
    private static final long SLOT = 0;

    private final Cryptoki hsm;
    private final long managementSession;
    private final long masterKey;
    /** Session object for sealing shared bootstrap files; 0 when the master key is not shared. */
    private final long sealKey;

    /**
     * @param dir        where the token lives
     * @param secret     the HSM secret (PINs are derived from it); the caller clears its copy
     * @param iterations PBKDF2 iterations for the PINs
     */
    public SimHsmBackend(Path dir, char[] secret, int iterations, int maxSessions) {
        this(dir, secret, iterations, maxSessions, null);
    }

    /**
     * @param shared when not null, the master key is the instance's shared one (see {@link SharedMaster}),
     *               and {@link #seal}/{@link #unseal} work under a key derived from its unseal secret
     */
    public SimHsmBackend(Path dir, char[] secret, int iterations, int maxSessions, SharedMaster shared) {
        this(dir, secret, iterations, maxSessions, shared, true);
    }

    /**
     * @param mayCreateMaster false when the caller's store holds material wrapped under a master key: a token that is
     *                        missing or has no master key is then refused with UNAVAILABLE, never given a new key
     */
    public SimHsmBackend(Path dir, char[] secret, int iterations, int maxSessions, SharedMaster shared, boolean mayCreateMaster) {
        if (!mayCreateMaster && shared == null && !java.nio.file.Files.exists(dir.resolve("slot-0").resolve("token.bin"))) {
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM token " + dir.resolve("slot-0") + " is missing, and the store holds keys "
                    + "wrapped under its master key: restore the token from the backup the store came from");
        }
        hsm = CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 1, maxSessions, iterations));
        char[] so = pin("so:", secret);
        char[] user = pin("user:", secret);
        try {
            if (!hsm.getSlotInfo(SLOT).tokenInitialized()) {
                hsm.initToken(SLOT, so, "kmsgw");
            }
            if (!hsm.getSlotInfo(SLOT).userPinInitialized()) {
                long s = hsm.openSession(SLOT, CKF_SERIAL_SESSION | CKF_RW_SESSION);
                hsm.login(s, CKU_SO, so);
                hsm.initPin(s, user);
                hsm.logout(s);
                hsm.closeSession(s);
            }
            managementSession = hsm.openSession(SLOT, CKF_SERIAL_SESSION | CKF_RW_SESSION);
            hsm.login(managementSession, CKU_USER, user);
            if (shared == null) {
                long[] found = hsm.findObjects(managementSession, Template.of().set(CKA_LABEL, MASTER_LABEL).set(CKA_TOKEN, true));
                if (found.length == 0 && !mayCreateMaster) {
                    throw new KmsException(KmsError.UNAVAILABLE, "the HSM token in " + dir + " holds no kmsgw master key, and the store "
                            + "holds keys wrapped under one: restore the token from the backup the store came from");
                }
                masterKey = found.length > 0 ? found[0] : hsm.generateKey(managementSession, Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                        .set(CKA_TOKEN, true).set(CKA_LABEL, MASTER_LABEL).set(CKA_VALUE_LEN, 32L)
                        .set(CKA_WRAP, true).set(CKA_UNWRAP, true).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false)
                        .set(CKA_MODIFIABLE, false));
                sealKey = 0;
            } else {
                masterKey = shared.join(hsm, managementSession);
                sealKey = shared.sealKey(hsm, managementSession);
            }
        } catch (KmsException e) {
            hsm.close();
            throw e;
        } catch (HsmException e) {
            hsm.close();
            if (e.ckr() == Ckr.PIN_INCORRECT || e.ckr() == Ckr.PIN_LOCKED) {
                throw new KmsException(KmsError.UNAVAILABLE, "the HSM secret does not open the token (" + e.getMessage() + ")");
            }
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM could not be opened (" + e.getMessage() + ")");
        } finally {
            java.util.Arrays.fill(so, '\0');
            java.util.Arrays.fill(user, '\0');
        }
    }

    private static char[] pin(String prefix, char[] secret) {
        char[] p = new char[prefix.length() + secret.length];
        prefix.getChars(0, prefix.length(), p, 0);
        System.arraycopy(secret, 0, p, prefix.length(), secret.length);
        return p;
    }

    @Override
    public BackendSession openSession() {
        try {
            return new CryptokiSession(hsm, hsm.openSession(SLOT, CKF_SERIAL_SESSION | CKF_RW_SESSION), masterKey);
        } catch (HsmException e) {
            throw CryptokiSession.map(e);
        }
    }

    @Override
    public String name() {
        return "hsm-sim";
    }

    @Override
    public synchronized boolean healthy() {
        try {
            // a cheap call on the management session; it fails once that session or the token is gone
            return hsm.findObjects(managementSession, Template.of().set(CKA_TOKEN, true).set(CKA_WRAP, true)).length > 0;
        } catch (HsmException e) {
            return false;
        }
    }

    /** First 8 bytes of a fixed all-zero AES-256 key wrapped (AES-KWP, deterministic) under the master key, in the HSM. */
    @Override
    public synchronized String masterKeyCheck() {
        try {
            long zero = hsm.createObject(managementSession, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
                    .set(CKA_VALUE, new byte[32]).set(CKA_TOKEN, false).set(CKA_EXTRACTABLE, true).set(CKA_SENSITIVE, false));
            try {
                byte[] wrapped = hsm.wrapKey(managementSession, Mechanism.of(CKM_AES_KEY_WRAP_KWP), masterKey, zero);
                return HexFormat.of().formatHex(wrapped, 0, 8);
            } finally {
                hsm.destroyObject(managementSession, zero);
            }
        } catch (HsmException e) {
            throw CryptokiSession.map(e);
        }
    }

    @Override
    public java.util.Optional<Sealer> sealer() {
        return sealKey == 0 ? java.util.Optional.empty() : java.util.Optional.of(this);
    }

    /**
     * Seals a small file for the other gateways of a shared instance: AES-256-GCM in the HSM under a key
     * derived from the unseal secret; {@code aad} binds it to its name. Output: 12-byte IV, ciphertext, tag.
     */
    @Override
    public synchronized byte[] seal(byte[] plaintext, byte[] aad) {
        requireShared();
        byte[] iv = new byte[12];
        try {
            hsm.generateRandom(managementSession, iv);
            hsm.encryptInit(managementSession, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(iv, aad, 128)), sealKey);
            byte[] ct = hsm.encrypt(managementSession, plaintext);
            byte[] out = Arrays.copyOf(iv, 12 + ct.length);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return out;
        } catch (HsmException e) {
            throw CryptokiSession.map(e);
        }
    }

    /** Opens what {@link #seal} produced; a wrong unseal secret, name or a tampered blob is DECRYPTION_FAILED. */
    @Override
    public synchronized byte[] unseal(byte[] sealed, byte[] aad) {
        requireShared();
        if (sealed.length < 12 + 16) {
            throw KmsException.decryptionFailed();
        }
        try {
            hsm.decryptInit(managementSession, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(Arrays.copyOf(sealed, 12), aad, 128)),
                    sealKey);
            return hsm.decrypt(managementSession, Arrays.copyOfRange(sealed, 12, sealed.length));
        } catch (HsmException e) {
            throw CryptokiSession.map(e);
        }
    }

    private void requireShared() {
        if (sealKey == 0) {
            throw new IllegalStateException("sealing needs a shared master key (an unseal secret)");
        }
    }

    @Override
    public void close() {
        try {
            hsm.close();
        } catch (HsmException ignored) {
            // already finalised
        }
    }
}
