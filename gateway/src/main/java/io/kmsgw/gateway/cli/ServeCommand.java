package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code serve}: runs the gateway until SIGTERM/SIGINT, then drains and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway (bootstraps an empty data dir).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file (default config/gateway.yaml when present)")
    Path config;
    @Option(names = "--data-dir", description = "data directory (default ./data)")
    String dataDir;
    @Option(names = "--port", description = "data-plane port (0 = any free port; default 8443)")
    String port;
    @Option(names = "--admin-port", description = "admin-plane port (0 = any free port; default 8444)")
    String adminPort;
    @Option(names = "--bind", description = "listen address (default 127.0.0.1)")
    String bind;
    @Option(names = "--tls-engine", description = "openssl | jdk | bcjsse (default openssl, falls back to jdk)")
    String tlsEngine;
    @Option(names = "--endpoint-names", description = "extra names/IPs for the server certificate, comma-separated")
    String endpointNames;
    @Option(names = "--engine-workers", description = "crypto workers (0 = number of cores)")
    String engineWorkers;
    @Option(names = "--hsm-secret-file", description = "file holding the HSM secret (default DATA/hsm/secret)")
    String hsmSecretFile;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        put(flags, "data-dir", dataDir);
        put(flags, "port", port);
        put(flags, "admin-port", adminPort);
        put(flags, "bind", bind);
        put(flags, "tls-engine", tlsEngine);
        put(flags, "endpoint-names", endpointNames);
        put(flags, "engine-workers", engineWorkers);
        put(flags, "hsm-secret-file", hsmSecretFile);
        Path cfg = config;
        if (cfg == null && Files.exists(Path.of("config", "gateway.yaml"))) {
            cfg = Path.of("config", "gateway.yaml");
        }
        Settings settings;
        try {
            settings = SettingsLoader.load(cfg, System.getenv(), flags);
        } catch (IllegalArgumentException e) {
            System.err.println("kmsgw: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (GatewayServer server = GatewayServer.start(settings, Clock.systemUTC())) {
            System.out.println(server.readyLine());
            System.out.flush();
            stop.await();
            System.out.println("kmsgw: stopping (draining in-flight requests)");
        }
        return 0;
    }

    private static void put(Map<String, String> flags, String name, String value) {
        if (value != null) {
            flags.put(name, value);
        }
    }
}
