package io.kmsgw.hsm.api;

import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * A Cryptoki library that can be opened by name, found with {@link ServiceLoader}: the way callers reach a
 * token without naming its implementation (the simulator registers itself as {@value #SIMULATOR}).
 */
public interface CryptokiProvider {
    /** The simulated token's provider name. */
    String SIMULATOR = "hsm-sim";

    /** Where the library keeps its tokens, how many slots, the session cap per slot and the PIN KDF cost. */
    record Options(Path dataDir, int slots, int maxSessionsPerSlot, int pbkdf2Iterations) {
    }

    String name();

    /** C_Initialize. */
    Cryptoki open(Options options);

    /** Opens the library registered as {@code name}; IllegalArgumentException when none is. */
    static Cryptoki open(String name, Options options) {
        for (CryptokiProvider p : ServiceLoader.load(CryptokiProvider.class, CryptokiProvider.class.getClassLoader())) {
            if (p.name().equals(name)) {
                return p.open(options);
            }
        }
        throw new IllegalArgumentException("no Cryptoki library named " + name + " is on the class path");
    }
}
