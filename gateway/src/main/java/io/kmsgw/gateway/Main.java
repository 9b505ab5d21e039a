package io.kmsgw.gateway;

import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar kmsgw.jar serve|admin|backup|restore|health …}. */
@Command(name = "kmsgw", mixinStandardHelpOptions = true, version = "kmsgw 0.1.0",
        description = "Self-hosted KMS instance gateway (dkms-gcs-0.2).",
        subcommands = {ServeCommand.class, AdminCommand.class, io.kmsgw.gateway.cli.BackupCommand.class,
                io.kmsgw.gateway.cli.RestoreCommand.class, io.kmsgw.gateway.cli.HealthCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // before anything logs: KMSGW_LOG_FORMAT=json selects the JSON-lines configuration
        if ("json".equalsIgnoreCase(System.getenv("KMSGW_LOG_FORMAT")) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        CommandLine cl = new CommandLine(new Main());
        ServeCommand.withEverySettingFlag(cl.getSubcommands().get("serve"));
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("kmsgw: " + oneLine(ex));
            return 1;
        });
        int code = cl.execute(args);
        System.exit(code);
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
