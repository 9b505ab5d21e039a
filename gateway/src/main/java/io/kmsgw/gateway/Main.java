package io.kmsgw.gateway;

import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.cli.ServeCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar kmsgw.jar serve|admin|backup|restore|health …}. */
@Command(name = "kmsgw", mixinStandardHelpOptions = true, version = "kmsgw 0.1.0",
        description = "Self-hosted KMS instance gateway (dkms-gcs-0.2).")
public final class Main implements Runnable {
    /** The subcommands, built lazily: picocli reflects over each one it is given, which costs start time. */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("admin", AdminCommand::new);
        COMMANDS.put("backup", io.kmsgw.gateway.cli.BackupCommand::new);
        COMMANDS.put("restore", io.kmsgw.gateway.cli.RestoreCommand::new);
        COMMANDS.put("health", io.kmsgw.gateway.cli.HealthCommand::new);
        COMMANDS.put("verify", io.kmsgw.gateway.cli.VerifyCommand::new);
        COMMANDS.put("completion", io.kmsgw.gateway.cli.CompletionCommand::new);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        leakDetectionOffUnlessAsked(System.getProperties());
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("kmsgw: " + oneLine(ex));
            return 1;
        });
        int code = cl.execute(args);
        System.exit(code);
    }

    /**
     * Netty's default leak detection samples about one buffer in 128 and records a stack trace for each:
     * ~2 % of the gateway's CPU under Encrypt load (async-profiler). It is a debugging aid, so the jar turns
     * it off unless the operator chose a level ({@code -Dio.netty.leakDetection.level=simple}); the tests
     * run with {@code paranoid}. Must run before any Netty class loads.
     */
    static void leakDetectionOffUnlessAsked(Properties props) {
        if (props.getProperty("io.netty.leakDetection.level") == null && props.getProperty("io.netty.leakDetectionLevel") == null) {
            props.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }

    /** The command line with {@code first}'s subcommand only when {@code first} names one (help lists them all otherwise). */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        COMMANDS.forEach((name, make) -> {
            if (first == null || !COMMANDS.containsKey(first) || first.equals(name)) {
                cl.addSubcommand(name, make.get());
            }
        });
        if (cl.getSubcommands().containsKey("serve")) {
            ServeCommand.withEverySettingFlag(cl.getSubcommands().get("serve"));
        }
        return cl;
    }

    /** A failure as one line: the message chain without stack frames. */
    public static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
        Throwable c = t.getCause();
        while (c != null && c != t) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
            t = c;
            c = c.getCause();
        }
        return sb.toString().replace('\n', ' ');
    }
}
