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
    /** The user PIN, kept to log in again after the token logged out (all sessions closed, a device reset); cleared by close. */
    private final char[] pin;
    private final SharedMaster shared;
    private final String where;
    /** The management session and what lives in it; replaced together when the session is lost. Guarded by this. */
    protected volatile long managementSession;
    private volatile long masterKey;
    /** Session object for sealing shared bootstrap files; 0 when the master key is not shared. */
    private volatile long sealKey;
    private long lastAttachNanos;
    /** {@link #generation()} when the master key's handle was found. */
    private volatile long attachedGeneration;

    /**
     * Logs in to {@code slot} with {@code userPin} (cleared here; a copy is kept for logging in again, cleared by {@link #close})
     * and finds or makes the master key. On failure the library is closed. {@code where} names the token in messages.
     */
    protected CryptokiBackend(Cryptoki hsm, long slot, char[] userPin, SharedMaster shared, boolean mayCreateMaster, String where) {
        this.hsm = hsm;
        this.slot = slot;
        this.pin = userPin.clone();
        Arrays.fill(userPin, '\0');
        this.shared = shared;
        this.where = where;
        try {
            attach(mayCreateMaster);
        } catch (KmsException e) {
            Arrays.fill(pin, '\0');
            hsm.close();
            throw e;
        } catch (HsmException e) {
            Arrays.fill(pin, '\0');
            hsm.close();
            if (e.ckr() == Ckr.PIN_INCORRECT || e.ckr() == Ckr.PIN_LOCKED || e.ckr() == Ckr.PIN_INVALID || e.ckr() == Ckr.PIN_LEN_RANGE) {
                throw new KmsException(KmsError.UNAVAILABLE, pinRefused(e));
            }
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM could not be opened (" + e.getMessage() + ")");
        }
    }

    /** Opens the management session, logs in (unless the token already is), and finds, makes or joins the master key. */
    private void attach(boolean mayCreateMaster) {
        long session = hsm.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        long master;
        long seal = 0;
        try {
            login(session);
            if (shared == null) {
                long[] found = hsm.findObjects(session, Template.of().set(CKA_LABEL, MASTER_LABEL).set(CKA_TOKEN, true)
                        .set(CKA_CLASS, CKO_SECRET_KEY));
                if (found.length == 0 && !mayCreateMaster) {
                    throw new KmsException(KmsError.UNAVAILABLE, "the HSM token " + where + " holds no kmsgw master key, and the store "
                            + "holds keys wrapped under one: restore the token from the backup the store came from");
                }
                master = found.length > 0 ? found[0] : hsm.generateKey(session, Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                        .set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
                        .set(CKA_TOKEN, true).set(CKA_LABEL, MASTER_LABEL).set(CKA_VALUE_LEN, 32L)
                        .set(CKA_WRAP, true).set(CKA_UNWRAP, true).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false)
                        .set(CKA_MODIFIABLE, false));
            } else {
                master = shared.join(hsm, session);
                seal = shared.sealKey(hsm, session);
            }
        } catch (HsmException | KmsException e) {
            try {
                hsm.closeSession(session); // a failed attach (repeated by readiness while the HSM is down) leaves no session behind
            } catch (HsmException gone) {
                // the HSM is what failed
            }
            throw e;
        }
        managementSession = session;
        masterKey = master;
        sealKey = seal;
        attachedGeneration = generation();
        lastAttachNanos = System.nanoTime();
    }

    /** C_Login as the user; a token already logged in (by another session of this process) is fine. */
    private void login(long session) {
        try {
            hsm.login(session, CKU_USER, pin);
        } catch (HsmException e) {
            if (e.ckr() != Ckr.USER_ALREADY_LOGGED_IN) {
                throw e;
            }
        }
    }

    /**
     * After the management session was lost: a new one, logged in again, with the master key found (or, shared, joined)
     * again. At most every half second; false when the HSM still does not answer.
     */
    private boolean reattach(HsmException cause) {
        if (System.nanoTime() - lastAttachNanos < 500_000_000L) {
            return false;
        }
        lastAttachNanos = System.nanoTime();
        try {
            hsm.closeSession(managementSession);
        } catch (HsmException gone) {
            // it is what was lost
        }
        try {
            beforeReattach(cause);
            attach(false);
            org.slf4j.LoggerFactory.getLogger(CryptokiBackend.class).info("HSM {}: a new management session after {}", where,
                    cause.getMessage());
            return true;
        } catch (HsmException | KmsException e) {
            org.slf4j.LoggerFactory.getLogger(CryptokiBackend.class).warn("HSM {}: no new management session yet ({})", where, e.getMessage());
            return false;
        }
    }

    /** How many times the library was initialised again; object handles of an earlier generation are stale. */
    protected long generation() {
        return 0;
    }

    /** A subclass's chance to bring the module back first (a native module that was finalised is initialised again). */
    protected void beforeReattach(HsmException cause) {
    }

    /** The token, as messages name it. */
    protected String where() {
        return where;
    }

    /** The message for a PIN the token refused. */
    protected String pinRefused(HsmException e) {
        return "the HSM secret does not open the token (" + e.getMessage() + ")";
    }

    @Override
    public BackendSession openSession() {
        try {
            long session = hsm.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
            try {
                login(session); // the token may have logged out since (all its sessions were closed)
                boolean current = attachedGeneration == generation() && usable(session, masterKey);
                if (!current && !(healthy() && attachedGeneration == generation() && usable(session, masterKey))) {
                    // the master key's handle died with the management session (or the token's login): healthy() attaches anew
                    throw new HsmException(Ckr.KEY_HANDLE_INVALID, "the master key is not reachable yet");
                }
            } catch (HsmException e) {
                try {
                    hsm.closeSession(session);
                } catch (HsmException gone) {
                    // the HSM is what failed
                }
                throw e;
            }
            return new CryptokiSession(hsm, session, masterKey);
        } catch (HsmException e) {
            // whatever the code, no session means no HSM for now: 503, and the caller tries again later
            throw new KmsException(KmsError.UNAVAILABLE, "The HSM does not open a session now (" + e.getMessage() + ").");
        }
    }

    /** A cheap call on the management session; when it finds the session lost, a new one is attached (see {@link #reattach}). */
    @Override
    public synchronized boolean healthy() {
        try {
            return probe();
        } catch (HsmException e) {
            if (!CryptokiSession.sessionLost(e.ckr()) || !reattach(e)) {
                return false;
            }
            try {
                return probe();
            } catch (HsmException again) {
                return false;
            }
        }
    }

    /** Whether {@code key} is a live handle, seen from {@code session}. */
    private boolean usable(long session, long key) {
        try {
            return hsm.getAttributeValue(session, key, CKA_CLASS).has(CKA_CLASS);
        } catch (HsmException e) {
            return false;
        }
    }

    private boolean probe() {
        return hsm.findObjects(managementSession, Template.of().set(CKA_TOKEN, true).set(CKA_WRAP, true)).length > 0;
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
        Arrays.fill(pin, '\0');
        try {
            hsm.close();
        } catch (HsmException ignored) {
            // already finalised
        }
    }
}
