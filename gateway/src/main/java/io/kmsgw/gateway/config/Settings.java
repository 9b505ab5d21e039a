package io.kmsgw.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Validated, immutable gateway settings. Built by {@link SettingsLoader} from defaults, the YAML
 * file, environment variables and flags (flag > env > file > default).
 */
public record Settings(
        Path dataDir,
        String bind,
        int port,
        int adminPort,
        List<String> endpointNames,
        String tlsEngine,
        int ioThreads,
        int maxBodyBytes,
        Duration maxClockSkew,
        Duration idleTimeout,
        int engineWorkers,
        int engineQueueCapacity,
        String hsm,
        Path hsmSecretFile,
        int hsmPbkdf2Iterations,
        boolean conscrypt,
        List<String> trustedProxies,
        int maxConnections,
        int maxConnectionsPerIp,
        Duration requestDeadline,
        Duration handshakeTimeout,
        int instanceQps,
        int aapQps,
        String storeUrl,
        String storeUser,
        Path storePasswordFile,
        int storePoolSize,
        Duration storeResync,
        Path unsealSecretFile) {

    /** True when the store is shared PostgreSQL rather than the embedded database in the data dir. */
    public boolean sharedStore() {
        return storeUrl != null;
    }

    /** The HSM secret file: configured, or {@code DATA/hsm/secret}. */
    public Path effectiveHsmSecretFile() {
        return hsmSecretFile != null ? hsmSecretFile : dataDir.resolve("hsm").resolve("secret");
    }
}
