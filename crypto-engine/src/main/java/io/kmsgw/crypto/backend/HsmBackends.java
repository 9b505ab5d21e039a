package io.kmsgw.crypto.backend;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The one place a backend is chosen: by {@link Config#type}, from configuration. */
public final class HsmBackends {
    /** The simulated token (the default). */
    public static final String SIMULATOR = "hsm-sim";
    /** A native PKCS#11 module (SoftHSM2, a vendor HSM), named by {@link Pkcs11}. */
    public static final String PKCS11 = "pkcs11";
    /** Every type {@link #open} knows. */
    public static final List<String> TYPES = List.of(SIMULATOR, PKCS11);

    private HsmBackends() {
    }

    /**
     * How to open a backend. {@code secret} is the HSM secret the token PINs derive from; {@code unsealSecret}
     * (with {@code vault}) is given only when gateways share the instance's master key. Both are cleared by {@link #open}.
     * {@code mayCreateMasterKey} false: a token without the master key is refused, never given a new one (the store holds
     * material wrapped under the old).
     */
    public record Config(String type, Path tokenDir, char[] secret, int pbkdf2Iterations, int maxSessions, char[] unsealSecret,
                         SharedMaster.Vault vault, boolean mayCreateMasterKey, Pkcs11 pkcs11) {
        /** A backend that may create its master key (a token of a new instance). */
        public Config(String type, Path tokenDir, char[] secret, int pbkdf2Iterations, int maxSessions, char[] unsealSecret,
                      SharedMaster.Vault vault) {
            this(type, tokenDir, secret, pbkdf2Iterations, maxSessions, unsealSecret, vault, true, null);
        }

        public Config(String type, Path tokenDir, char[] secret, int pbkdf2Iterations, int maxSessions, char[] unsealSecret,
                      SharedMaster.Vault vault, boolean mayCreateMasterKey) {
            this(type, tokenDir, secret, pbkdf2Iterations, maxSessions, unsealSecret, vault, mayCreateMasterKey, null);
        }
    }

    /** Where the {@link #PKCS11} backend finds its token: the module's library, the token's label (or slot) and the user PIN. */
    public record Pkcs11(String library, String tokenLabel, long slot, char[] pin) {
    }

    /** Opens and logs in to the configured backend; IllegalArgumentException for a type that cannot be opened. */
    public static HsmBackend open(Config c) {
        try {
            return switch (c.type()) {
                case SIMULATOR -> new SimHsmBackend(c.tokenDir(), c.secret(), c.pbkdf2Iterations(), c.maxSessions(),
                        c.unsealSecret() == null ? null : new SharedMaster(c.unsealSecret(), c.vault()), c.mayCreateMasterKey());
                case PKCS11 -> {
                    if (c.pkcs11() == null) {
                        throw new IllegalArgumentException("hsm: the pkcs11 backend needs pkcs11.library, pkcs11.tokenLabel and pkcs11.pinFile");
                    }
                    yield new Pkcs11Backend(c.pkcs11().library(), c.pkcs11().tokenLabel(), c.pkcs11().slot(), c.pkcs11().pin(),
                            c.unsealSecret() == null ? null : new SharedMaster(c.unsealSecret(), c.vault()), c.mayCreateMasterKey());
                }
                default -> throw new IllegalArgumentException("hsm: unknown backend " + c.type() + "; expected one of " + TYPES);
            };
        } finally {
            Arrays.fill(c.secret(), '\0');
            if (c.unsealSecret() != null) {
                Arrays.fill(c.unsealSecret(), '\0');
            }
            if (c.pkcs11() != null) {
                Arrays.fill(c.pkcs11().pin(), '\0');
            }
        }
    }
}
