package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kmsgw.gateway.cli.HealthCommand;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code health}, the container health check: 0 while the gateway is ready or alive, 1 once it is gone or before it started. */
class HealthCommandTest {
    @TempDir
    Path dir;

    private int health(String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "--data-dir";
        args[1] = dir.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return new CommandLine(new HealthCommand()).execute(args);
    }

    @Test
    void answersForTheGatewayInItsDataDir() throws Exception {
        assertEquals(1, health(), "no instance.json yet");
        GatewayServer server = TestGateway.start(dir);
        try {
            assertEquals(0, health());
            assertEquals(0, health("--live"));
        } finally {
            server.close();
        }
        assertEquals(1, health(), "nothing listens any more");
        assertEquals(1, health("--live"));
    }
}
