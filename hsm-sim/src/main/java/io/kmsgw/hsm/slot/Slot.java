package io.kmsgw.hsm.slot;

import static io.kmsgw.hsm.api.Pkcs11.CKU_SO;
import static io.kmsgw.hsm.api.Pkcs11.CKU_USER;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.slot.TokenStorage.Derived;
import io.kmsgw.hsm.slot.TokenStorage.TokenMeta;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A slot and its token: initialisation, PINs and the application-wide login state (PKCS#11 keeps one
 * login per token for all sessions). The storage key that seals token objects is in memory only while
 * a user or SO is logged in.
 */
public final class Slot {
    public static final long NOBODY = -1;
    private static final int MAX_PIN_FAILURES = 10;
    private static final byte[] AAD_USER = "kmsgw-storage-key:user".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AAD_SO = "kmsgw-storage-key:so".getBytes(StandardCharsets.US_ASCII);

    private final long id;
    private final TokenStorage storage;
    private final SecureRandom random;
    private TokenMeta meta;
    private SecretKey storageKey;
    private volatile long loggedIn = NOBODY;
    private int userFailures;
    private int soFailures;

    public Slot(long id, TokenStorage storage, SecureRandom random) {
        this.id = id;
        this.storage = storage;
        this.random = random;
        this.meta = storage.loadMeta();
    }

    public long id() {
        return id;
    }

    public TokenStorage storage() {
        return storage;
    }

    public synchronized boolean initialized() {
        return meta != null;
    }

    public synchronized boolean userPinInitialized() {
        return meta != null && meta.userPinSet();
    }

    public synchronized String label() {
        return meta == null ? "" : meta.label();
    }

    public long loggedIn() {
        return loggedIn;
    }

    public boolean userLoggedIn() {
        return loggedIn == CKU_USER;
    }

    /** The storage key while logged in; CKR_USER_NOT_LOGGED_IN otherwise. */
    public synchronized SecretKey storageKey() {
        if (storageKey == null) {
            throw new HsmException(Ckr.USER_NOT_LOGGED_IN);
        }
        return storageKey;
    }

    private static void checkPin(char[] pin) {
        if (pin == null || pin.length < 4 || pin.length > 64) {
            throw new HsmException(Ckr.PIN_LEN_RANGE, "PINs are 4..64 characters");
        }
    }

    /** C_InitToken. Over an initialised token the SO PIN must match; the caller then drops all objects. */
    public synchronized void initToken(char[] soPin, String label) {
        checkPin(soPin);
        if (meta != null) {
            verify(soPin, meta.soSalt(), meta.soVerifier(), meta.iterations(), CKU_SO);
            storage.wipe();
        }
        byte[] keyBytes = new byte[32];
        random.nextBytes(keyBytes);
        byte[] soSalt = storage.newSalt();
        Derived so = storage.derive(soPin, soSalt, storage.iterations());
        TokenMeta m = new TokenMeta(label == null ? "" : label, soSalt, so.verifier(), storage.seal(so.kek(), keyBytes, AAD_SO),
                null, null, null, storage.iterations());
        java.util.Arrays.fill(keyBytes, (byte) 0);
        storage.saveMeta(m);
        meta = m;
        storageKey = null;
        loggedIn = NOBODY;
        userFailures = 0;
        soFailures = 0;
    }

    /** C_Login; returns true when a user login opened the token objects (the caller loads them). */
    public synchronized boolean login(long userType, char[] pin) {
        if (userType != CKU_SO && userType != CKU_USER) {
            throw new HsmException(Ckr.USER_TYPE_INVALID);
        }
        if (meta == null) {
            throw new HsmException(Ckr.TOKEN_NOT_RECOGNIZED);
        }
        if (loggedIn == userType) {
            throw new HsmException(Ckr.USER_ALREADY_LOGGED_IN);
        }
        if (loggedIn != NOBODY) {
            throw new HsmException(Ckr.USER_ANOTHER_ALREADY_LOGGED_IN);
        }
        if (userType == CKU_USER && !meta.userPinSet()) {
            throw new HsmException(Ckr.USER_PIN_NOT_INITIALIZED);
        }
        if (pin == null) {
            throw new HsmException(Ckr.ARGUMENTS_BAD);
        }
        boolean user = userType == CKU_USER;
        Derived d = verify(pin, user ? meta.userSalt() : meta.soSalt(), user ? meta.userVerifier() : meta.soVerifier(),
                meta.iterations(), userType);
        byte[] keyBytes = storage.open(d.kek(), user ? meta.sealedUnderUser() : meta.sealedUnderSo(), user ? AAD_USER : AAD_SO);
        storageKey = new SecretKeySpec(keyBytes, "AES");
        java.util.Arrays.fill(keyBytes, (byte) 0);
        loggedIn = userType;
        return user;
    }

    private Derived verify(char[] pin, byte[] salt, byte[] verifier, int iterations, long userType) {
        boolean user = userType == CKU_USER;
        if ((user ? userFailures : soFailures) >= MAX_PIN_FAILURES) {
            throw new HsmException(Ckr.PIN_LOCKED);
        }
        Derived d = storage.derive(pin, salt, iterations);
        if (!MessageDigest.isEqual(d.verifier(), verifier)) {
            if (user) {
                userFailures++;
            } else {
                soFailures++;
            }
            throw new HsmException(Ckr.PIN_INCORRECT);
        }
        if (user) {
            userFailures = 0;
        } else {
            soFailures = 0;
        }
        return d;
    }

    public synchronized void logout() {
        if (loggedIn == NOBODY) {
            throw new HsmException(Ckr.USER_NOT_LOGGED_IN);
        }
        loggedIn = NOBODY;
        storageKey = null;
    }

    /** C_InitPIN by the logged-in SO: (re)sets the user PIN, resealing the same storage key. */
    public synchronized void initPin(char[] pin) {
        if (loggedIn != CKU_SO) {
            throw new HsmException(Ckr.USER_NOT_LOGGED_IN);
        }
        checkPin(pin);
        byte[] salt = storage.newSalt();
        Derived d = storage.derive(pin, salt, meta.iterations());
        byte[] keyBytes = storageKey.getEncoded();
        TokenMeta m = new TokenMeta(meta.label(), meta.soSalt(), meta.soVerifier(), meta.sealedUnderSo(), salt, d.verifier(),
                storage.seal(d.kek(), keyBytes, AAD_USER), meta.iterations());
        java.util.Arrays.fill(keyBytes, (byte) 0);
        storage.saveMeta(m);
        meta = m;
        userFailures = 0;
    }

    /** C_SetPIN for whoever is logged in. */
    public synchronized void setPin(char[] oldPin, char[] newPin) {
        if (loggedIn == NOBODY) {
            throw new HsmException(Ckr.USER_NOT_LOGGED_IN);
        }
        checkPin(newPin);
        boolean user = loggedIn == CKU_USER;
        verify(oldPin, user ? meta.userSalt() : meta.soSalt(), user ? meta.userVerifier() : meta.soVerifier(), meta.iterations(), loggedIn);
        byte[] salt = storage.newSalt();
        Derived d = storage.derive(newPin, salt, meta.iterations());
        byte[] keyBytes = storageKey.getEncoded();
        byte[] sealed = storage.seal(d.kek(), keyBytes, user ? AAD_USER : AAD_SO);
        java.util.Arrays.fill(keyBytes, (byte) 0);
        TokenMeta m = user
                ? new TokenMeta(meta.label(), meta.soSalt(), meta.soVerifier(), meta.sealedUnderSo(), salt, d.verifier(), sealed, meta.iterations())
                : new TokenMeta(meta.label(), salt, d.verifier(), sealed, meta.userSalt(), meta.userVerifier(), meta.sealedUnderUser(), meta.iterations());
        storage.saveMeta(m);
        meta = m;
    }
}
