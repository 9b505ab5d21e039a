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
        Duration warmup,
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
        long openApiMaxNonces,
        String storeUrl,
        String storeUser,
        Path storePasswordFile,
        int storePoolSize,
        Duration storeResync,
        Path unsealSecretFile,
        Audit audit,
        AdminPlane admin,
        Pkcs11 pkcs11) {

    /**
     * The {@code pkcs11} HSM backend's module: its shared library, the token (by label, or by slot when the label is null),
     * and the file holding the user PIN. Null for the simulator.
     */
    public record Pkcs11(Path library, String tokenLabel, Long slot, Path pinFile) {
    }

    /**
     * The admin plane's own limits: open connections in all and per source address (more are closed at accept), how long a
     * TLS handshake may take, how long a request may take to arrive whole after its first byte, how long an idle connection
     * stays open, and the largest body (413 beyond).
     */
    public record AdminPlane(int maxConnections, int maxConnectionsPerIp, Duration handshakeTimeout, Duration requestDeadline,
                             Duration idleTimeout, int maxBodyBytes) {
    }

    /**
     * How the audit is kept: {@code maxBytes} (0 = unbounded) for its files and store rows together, {@code retentionDays}
     * (0 = forever), its sinks ({@code file}, {@code stdout}, {@code syslog}) and the syslog peer ({@code udp://HOST:PORT} or
     * {@code tcp://HOST:PORT}).
     */
    public record Audit(long maxBytes, int retentionDays, List<String> sinks, String syslogAddress) {
    }

    /** True when the store is shared PostgreSQL rather than the embedded database in the data dir. */
    public boolean sharedStore() {
        return storeUrl != null;
    }

    /** The HSM secret file: configured, or {@code DATA/hsm/secret}. */
    public Path effectiveHsmSecretFile() {
        return hsmSecretFile != null ? hsmSecretFile : dataDir.resolve("hsm").resolve("secret");
    }
}
