package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.DataDirVerifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verify}: walks an instance as {@code serve} would open it (same config file, environment and flags; the embedded
 * store in the data dir, or the shared PostgreSQL store with this replica's token) and prints one line per problem; exit 0
 * only when all is well.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify an instance: every key version unwraps and round-trips "
        + "in the HSM, secrets decrypt, aliases and policies point at things that exist, client key certificates and audit files "
        + "parse. Changes nothing; safe while the gateway runs. Reads the same config file, KMSGW_* variables and flags as serve.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file (default config/gateway.yaml when present)")
    Path config;
    @Option(names = "--data-dir", description = "data directory (default ./data)")
    String dataDir;
    @Option(names = "--hsm-secret-file", description = "the HSM secret (default DATA/hsm/secret)")
    String hsmSecretFile;
    @Option(names = "--hsm", description = "HSM backend (default hsm-sim)")
    String hsm;
    @Option(names = "--hsm-pbkdf2-iterations", description = "as configured for serve (default 100000)")
    String hsmPbkdf2Iterations;
    @Option(names = "--store-url", description = "the shared PostgreSQL store (jdbc:postgresql://...); default the embedded store")
    String storeUrl;
    @Option(names = "--store-user", description = "PostgreSQL user")
    String storeUser;
    @Option(names = "--store-password-file", description = "file holding the PostgreSQL password")
    String storePasswordFile;
    @Option(names = "--unseal-secret-file", description = "the instance's unseal secret (shared store)")
    String unsealSecretFile;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        put(flags, "data-dir", dataDir);
        put(flags, "hsm-secret-file", hsmSecretFile);
        put(flags, "hsm", hsm);
        put(flags, "hsm-pbkdf2-iterations", hsmPbkdf2Iterations);
        put(flags, "store-url", storeUrl);
        put(flags, "store-user", storeUser);
        put(flags, "store-password-file", storePasswordFile);
        put(flags, "unseal-secret-file", unsealSecretFile);
        Settings settings;
        try {
            settings = SettingsLoader.forCommand(config, flags);
        } catch (IllegalArgumentException e) {
            System.err.println("kmsgw verify: " + e.getMessage());
            return 2;
        }
        DataDirVerifier.Result r = DataDirVerifier.verify(settings, line -> System.err.println("kmsgw verify: " + line));
        return Verdict.print("verify", r, "ok", "");
    }

    private static void put(Map<String, String> flags, String name, String value) {
        if (value != null) {
            flags.put(name, value);
        }
    }
}
