package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
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

    @Spec
    CommandSpec spec;

    /**
     * Every setting has a flag (operations.md): the ones above carry their own help; the rest are added
     * here from {@link SettingsLoader#flagNames()} before parsing.
     */
    public static CommandLine withEverySettingFlag(CommandLine serve) {
        CommandSpec s = serve.getCommandSpec();
        for (String flag : SettingsLoader.flagNames()) {
            if (s.findOption("--" + flag) == null) {
                s.addOption(OptionSpec.builder("--" + flag).paramLabel("VALUE").type(String.class)
                        .description("setting " + flag + " (documented in config/gateway.yaml)").build());
            }
        }
        return serve;
    }

    private static void keepLessFreeHeap() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm =
                    java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (vm.getVMOption("MaxHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.DEFAULT
                    && vm.getVMOption("MinHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.DEFAULT) {
                vm.setVMOption("MinHeapFreeRatio", "10");
                vm.setVMOption("MaxHeapFreeRatio", "30");
            }
        } catch (RuntimeException e) {
            // another JVM: keep its defaults
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (String flag : SettingsLoader.flagNames()) {
            OptionSpec o = spec.findOption("--" + flag);
            if (o != null && o.getValue() != null) {
                flags.put(flag, o.getValue());
            }
        }
        Settings settings;
        try {
            settings = SettingsLoader.forCommand(config, flags);
        } catch (IllegalArgumentException e) {
            System.err.println("kmsgw: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        // Loading the store and the warm-up leave garbage behind (at 100,000 client keys the heap grew to ~1.4 GB for ~200 MB
        // of live data) and G1 only gives memory back after a full collection: one just before the listeners open (not after,
        // where it paused the first requests), keeping less free heap than the JVM's defaults (40-70 %) unless the operator
        // chose otherwise.
        Runnable collect = () -> {
            keepLessFreeHeap();
            System.gc();
        };
        try (GatewayServer server = GatewayServer.start(settings, Clock.systemUTC(), () -> stop.getCount() == 0, collect)) {
            System.out.println(server.readyLine());
            System.out.flush();
            stop.await();
            System.out.println("kmsgw: stopping (draining in-flight requests)");
        }
        return 0;
    }

}
