package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.SimHsm;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.nio.file.Path;

/**
 * {@link HsmBackend} over the simulated token. On first use it initialises the token (SO and user PIN
 * derived from one HSM secret) and generates the master key: AES-256, token object, sensitive, never
 * extractable, usable only to wrap and unwrap.
 */
public final class SimHsmBackend implements HsmBackend {
    static final String MASTER_LABEL = "kmsgw-master-key";
    private static final long SLOT = 0;
    private static final Mechanism KWP = Mechanism.of(CKM_AES_KEY_WRAP_KWP);

    private final Cryptoki hsm;
    private final long managementSession;
    private final long masterKey;

    /**
     * @param dir        where the token lives
     * @param secret     the HSM secret (PINs are derived from it); the caller clears its copy
     * @param iterations PBKDF2 iterations for the PINs
     */
    public SimHsmBackend(Path dir, char[] secret, int iterations, int maxSessions) {
        hsm = SimHsm.initialize(new SimHsm.Options(dir, 1, maxSessions, iterations));
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
            long[] found = hsm.findObjects(managementSession, Template.of().set(CKA_LABEL, MASTER_LABEL).set(CKA_TOKEN, true));
            masterKey = found.length > 0 ? found[0] : hsm.generateKey(managementSession, Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                    .set(CKA_TOKEN, true).set(CKA_LABEL, MASTER_LABEL).set(CKA_VALUE_LEN, 32L)
                    .set(CKA_WRAP, true).set(CKA_UNWRAP, true).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false)
                    .set(CKA_MODIFIABLE, false));
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
            return new Session(hsm.openSession(SLOT, CKF_SERIAL_SESSION | CKF_RW_SESSION));
        } catch (HsmException e) {
            throw map(e);
        }
    }

    @Override
    public String name() {
        return "hsm-sim";
    }

    @Override
    public void close() {
        try {
            hsm.close();
        } catch (HsmException ignored) {
            // already finalised
        }
    }

    static KmsException map(HsmException e) {
        return switch (e.ckr()) {
            case ENCRYPTED_DATA_INVALID, ENCRYPTED_DATA_LEN_RANGE -> KmsException.decryptionFailed();
            case DEVICE_ERROR, SESSION_COUNT -> new KmsException(KmsError.UNAVAILABLE, "The HSM is temporarily unavailable.");
            default -> new KmsException(KmsError.INTERNAL, "HSM call failed: " + e.getMessage());
        };
    }

    private final class Session implements BackendSession {
        private final long handle;

        Session(long handle) {
            this.handle = handle;
        }

        @Override
        public byte[] generateWrappedSymmetricKey(int bytes) {
            long k = 0;
            try {
                k = hsm.generateKey(handle, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, (long) bytes)
                        .set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, true));
                return hsm.wrapKey(handle, KWP, masterKey, k);
            } catch (HsmException e) {
                throw map(e);
            } finally {
                if (k != 0) {
                    hsm.destroyObject(handle, k);
                }
            }
        }

        @Override
        public long loadSymmetricKey(byte[] wrapped) {
            try {
                return hsm.unwrapKey(handle, KWP, masterKey, wrapped, Template.of().set(CKA_CLASS, CKO_SECRET_KEY)
                        .set(CKA_KEY_TYPE, CKK_AES).set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false)
                        .set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true));
            } catch (HsmException e) {
                throw map(e);
            }
        }

        @Override
        public void unload(long key) {
            try {
                hsm.destroyObject(handle, key);
            } catch (HsmException ignored) {
                // already gone with its session
            }
        }

        @Override
        public byte[] encryptGcm(long key, byte[] iv, byte[] aad, byte[] plaintext) {
            try {
                hsm.encryptInit(handle, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(iv, aad, 128)), key);
                return hsm.encrypt(handle, plaintext);
            } catch (HsmException e) {
                throw map(e);
            }
        }

        @Override
        public byte[] decryptGcm(long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag) {
            try {
                hsm.decryptInit(handle, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(iv, aad, 128)), key);
                return hsm.decrypt(handle, ciphertextAndTag);
            } catch (HsmException e) {
                throw map(e);
            }
        }

        @Override
        public void random(byte[] out) {
            hsm.generateRandom(handle, out);
        }

        @Override
        public void close() {
            try {
                hsm.closeSession(handle);
            } catch (HsmException ignored) {
                // library already finalised
            }
        }
    }
}
