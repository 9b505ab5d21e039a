package io.kmsgw.gateway.it;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The gateway a fuzz test drives, started on first use rather than before the class: under
 * {@code JAZZER_FUZZ=1} classes loaded before the first input get no coverage instrumentation, and a
 * gateway started up front would leave the fuzzer blind to the code it is meant to explore.
 */
@SuppressWarnings("try") // the loopback allowance is held, not used
final class FuzzGateway implements AutoCloseable {
    private Path dir;
    private GatewayServer server;
    private JsonNode instance;

    synchronized GatewayServer server() throws Exception {
        if (server == null) {
            dir = Files.createTempDirectory("kmsgw-fuzz");
            try (SilentCloseable loopback = loopbackOnly()) {
                server = TestGateway.start(dir);
            }
            instance = TestGateway.instance(server);
        }
        return server;
    }

    synchronized JsonNode instance() throws Exception {
        server();
        return instance;
    }

    Path caFile() throws Exception {
        return Path.of(instance().get("CaFile").asText());
    }

    /** A fuzz input read as: first byte picks one of {@code choices}, the rest is a request body. */
    record Picked(String choice, byte[] body) {
        static Picked from(byte[] input, String[] choices) {
            return input.length == 0 ? null
                    : new Picked(choices[(input[0] & 0xff) % choices.length], java.util.Arrays.copyOfRange(input, 1, input.length));
        }
    }

    /** Jazzer's SSRF detector flags every connection; the tests (and the gateway) may only reach loopback. */
    static SilentCloseable loopbackOnly() {
        return BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
    }

    @Override
    public synchronized void close() throws Exception {
        if (server != null) {
            server.close();
            server = null;
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
