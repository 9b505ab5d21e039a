package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.CryptokiProvider;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import java.nio.file.Path;

/**
 * {@link HsmBackend} over the simulated token in a directory. On first use it initialises the token (SO and user PIN
 * derived from one HSM secret); {@link CryptokiBackend} does the rest.
 */
public final class SimHsmBackend extends CryptokiBackend {
    private static final long SLOT = 0;

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
        this(opened(dir, secret, iterations, maxSessions, shared, mayCreateMaster), secret, shared, mayCreateMaster, dir);
    }

    private SimHsmBackend(Cryptoki hsm, char[] secret, SharedMaster shared, boolean mayCreateMaster, Path dir) {
        super(hsm, SLOT, userPin(secret), shared, mayCreateMaster, dir.toString());
    }

    /** The token opened, initialised on first use (token and user PIN). */
    private static Cryptoki opened(Path dir, char[] secret, int iterations, int maxSessions, SharedMaster shared, boolean mayCreateMaster) {
        if (!mayCreateMaster && shared == null && !java.nio.file.Files.exists(dir.resolve("slot-0").resolve("token.bin"))) {
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM token " + dir.resolve("slot-0") + " is missing, and the store holds keys "
                    + "wrapped under its master key: restore the token from the backup the store came from");
        }
        Cryptoki hsm = CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 1, maxSessions, iterations));
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
            return hsm;
        } catch (HsmException e) {
            hsm.close();
            if (e.ckr() == io.kmsgw.hsm.api.Ckr.PIN_INCORRECT || e.ckr() == io.kmsgw.hsm.api.Ckr.PIN_LOCKED) {
                throw new KmsException(KmsError.UNAVAILABLE, "the HSM secret does not open the token (" + e.getMessage() + ")");
            }
            throw new KmsException(KmsError.UNAVAILABLE, "the HSM could not be opened (" + e.getMessage() + ")");
        } finally {
            java.util.Arrays.fill(so, '\0');
            java.util.Arrays.fill(user, '\0');
        }
    }

    /** A fresh copy of the user PIN; {@link CryptokiBackend} uses it once, then it is garbage (see the caller's secret). */
    private static char[] userPin(char[] secret) {
        return pin("user:", secret);
    }

    private static char[] pin(String prefix, char[] secret) {
        char[] p = new char[prefix.length() + secret.length];
        prefix.getChars(0, prefix.length(), p, 0);
        System.arraycopy(secret, 0, p, prefix.length(), secret.length);
        return p;
    }

    @Override
    public String name() {
        return "hsm-sim";
    }
}
