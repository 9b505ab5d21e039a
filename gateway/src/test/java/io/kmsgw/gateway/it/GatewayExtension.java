package io.kmsgw.gateway.it;

import com.aliyun.dkms.gcs.sdk.Client;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One gateway per test class on a fresh data dir, with an official SDK client for its quick-start key:
 * {@code @RegisterExtension static final GatewayExtension gw = new GatewayExtension();}.
 */
final class GatewayExtension implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private GatewayServer server;
    private Client client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("kmsgw-it");
        server = TestGateway.start(dir);
        client = TestGateway.sdkClient(server);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    GatewayServer server() {
        return server;
    }

    Client client() {
        return client;
    }

    Path dir() {
        return dir;
    }
}
