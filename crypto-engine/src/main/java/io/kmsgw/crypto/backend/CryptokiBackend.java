package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@link HsmBackend} over any {@link Cryptoki}: a logged-in management session, the master key (AES-256, token object,
 * sensitive, never extractable, usable only to wrap and unwrap; found by its label or made once), its check value,
 * sealing for shared instances, and one {@link CryptokiSession} per worker. Subclasses open the token: the simulator
 * ({@link SimHsmBackend}) or a native PKCS#11 module ({@link Pkcs11Backend}).
 */
abstract class CryptokiBackend implements HsmBackend, Sealer {
    static final String MASTER_LABEL = "kmsgw-master-key";

    protected final Cryptoki hsm;
    protected final long slot;
    protected final long managementSession;
    private final long masterKey;
    /** Session object for sealing shared bootstrap files; 0 when the master key is not shared. */
    private final long sealKey;

    /**
     * Logs in to {@code slot} with {@code userPin} (cleared here) and finds or makes the master key. On failure the
     * library is closed. {@code where} names the token in messages.
     */
    protected CryptokiBackend(Cryptoki hsm, long slot, char[] userPin, SharedMaster shared, boolean mayCreateMaster, String where) {
        this.hsm = hsm;
        this.slot = slot;
        try {
            managementSession = hsm.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
            try {
                hsm.login(managementSession, CKU_USER, userPin);
            } catch (HsmException e) {
                if (e.ckr() != Ckr.USER_ALREADY_LOGGED_IN) { // another backend of this process logged the token in
                    throw e;
                }
            }
            if (shared == null) {
                long[] found = hsm.findObjects(managementSession, Template.of().set(CKA_LABEL, MASTER_LABEL).set(CKA_TOKEN, true)
                        .set(CKA_CLASS, CKO_SECRET_KEY));
                if (found.length == 0 && !mayCreateMaster) {
                    throw new KmsException(KmsError.UNAVAILABLE, "the HSM token " + where + " holds no kmsgw master key, and the store "
                            + "holds keys wrapped under one: restore the token from the backup the store came from");
                }
                masterKey = found.length > 0 ? found[0] : hsm.generateKey(managementSession, Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                        .set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
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
            if (e.ckr() == Ckr.PIN_INCORRECT || e.ckr() == Ckr.PIN_LOCKED || e.ckr() == Ckr.PIN_INVALID || e.ckr() == Ckr.PIN_LEN_RANGE) {
                throw new KmsException(KmsError.UNAVAILABLE, pinRefused(e));
            }
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM could not be opened (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(userPin, '\0');
        }
    }

    /** The message for a PIN the token refused. */
    protected String pinRefused(HsmException e) {
        return "the HSM secret does not open the token (" + e.getMessage() + ")";
    }

    @Override
    public BackendSession openSession() {
        try {
            return new CryptokiSession(hsm, hsm.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION), masterKey);
        } catch (HsmException e) {
            throw CryptokiSession.map(e);
        }
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
