package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.SlotInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Debian's SoftHSM2 ({@code apt-get install softhsm2}) for tests: its configuration at {@code $SOFTHSM2_CONF} (the build
 * sets it to {@code target/softhsm2.conf}) and its tokens in {@code target/softhsm-tokens}, emptied once per JVM; tokens are
 * initialised through kmsgw's own binding. No SoftHSM2, no test: it fails, naming what to install.
 */
public final class SoftHsm {
    /** Where Debian installs the module; {@code KMSGW_SOFTHSM_LIB} overrides. */
    public static final String DEFAULT_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
    private static final String SO_PIN = "so-pin-0000";
    private static SoftHsm shared;

    private final String library;
    private final Path conf;

    private SoftHsm(String library, Path conf) {
        this.library = library;
        this.conf = conf;
    }

    /** The module, configured for this JVM (its token directory emptied the first time). */
    public static synchronized SoftHsm shared() {
        if (shared == null) {
            String lib = System.getenv().getOrDefault("KMSGW_SOFTHSM_LIB", DEFAULT_LIBRARY);
            if (!Files.exists(Path.of(lib))) {
                throw new IllegalStateException("SoftHSM2 is not installed (" + lib + " is missing): apt-get install softhsm2, or point "
                        + "KMSGW_SOFTHSM_LIB at libsofthsm2.so");
            }
            String confEnv = System.getenv("SOFTHSM2_CONF");
            if (confEnv == null) {
                throw new IllegalStateException("SOFTHSM2_CONF is not set: run the tests through Maven (it sets target/softhsm2.conf)");
            }
            Path conf = Path.of(confEnv).toAbsolutePath();
            Path tokens = conf.resolveSibling("softhsm-tokens");
            try {
                if (Files.exists(tokens)) {
                    try (Stream<Path> all = Files.walk(tokens)) {
                        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
                Files.createDirectories(tokens);
                Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                        + "slots.removable = false\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shared = new SoftHsm(lib, conf);
        }
        return shared;
    }

    public String library() {
        return library;
    }

    /** The configuration file a separate process needs as {@code SOFTHSM2_CONF}. */
    public Path conf() {
        return conf;
    }

    /** A token labelled {@code label} with user PIN {@code pin}, initialised now unless it exists. */
    public synchronized void token(String label, String pin) {
        try (NativeCryptoki hsm = NativeCryptoki.open(library)) {
            long free = -1;
            for (long s : hsm.getSlotList(true)) {
                SlotInfo info = hsm.getSlotInfo(s);
                if (info.tokenInitialized() && info.tokenLabel().equals(label)) {
                    return;
                }
                if (!info.tokenInitialized() && free < 0) {
                    free = s;
                }
            }
            if (free < 0) {
                throw new IllegalStateException("SoftHSM2 offers no free slot");
            }
            hsm.initToken(free, SO_PIN.toCharArray(), label);
            for (long s : hsm.getSlotList(true)) {
                if (hsm.getSlotInfo(s).tokenLabel().equals(label)) {
                    long session = hsm.openSession(s, CKF_SERIAL_SESSION | CKF_RW_SESSION);
                    hsm.login(session, CKU_SO, SO_PIN.toCharArray());
                    hsm.initPin(session, pin.toCharArray());
                    hsm.logout(session);
                    hsm.closeSession(session);
                    return;
                }
            }
            throw new IllegalStateException("the token " + label + " was initialised but is not listed");
        }
    }

    /** Where the tokens live (moving it away is how a test makes the tokens vanish from the module). */
    public Path tokensDir() {
        return conf.resolveSibling("softhsm-tokens");
    }

    /**
     * C_Finalize on the module this process loaded, as a reset would: every session of every user in the process is gone,
     * and calls fail with CKR_CRYPTOKI_NOT_INITIALIZED until someone initialises it again.
     */
    public void finalizeModule() {
        NativeCryptoki.finalizeModule(library);
    }

    /** C_CloseAllSessions on the token labelled {@code label}: its sessions end and the token logs out. */
    public void closeAllSessions(String label) {
        try (NativeCryptoki hsm = NativeCryptoki.open(library)) {
            for (long s : hsm.getSlotList(true)) {
                if (hsm.getSlotInfo(s).tokenLabel().equals(label)) {
                    hsm.closeAllSessions(s);
                    return;
                }
            }
            throw new IllegalStateException("no token " + label);
        }
    }

    /** A label of at most 32 characters for {@code key} (a test's token directory, say). */
    public static String labelFor(String key) {
        try {
            return "kmsgw-" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
