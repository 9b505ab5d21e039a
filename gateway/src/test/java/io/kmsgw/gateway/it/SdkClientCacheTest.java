package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import io.kmsgw.gateway.server.GatewayServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances, one after the other, on the same port: each has its own CA. The SDK's HTTP layer caches one client,
 * trust settings included, per host:port for the JVM, so tests must make SDK clients through {@link TestGateway#newClient}
 * (this failed with "PKIX path building failed" before it, and once in CI when the kernel handed a test a port an earlier
 * test's gateway had used).
 */
class SdkClientCacheTest {
    @TempDir
    Path dir;

    @Test
    void aNewInstanceOnAnOldPortIsTrustedThroughItsOwnCa() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (String name : new String[] {"first", "second"}) {
            try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir.resolve(name), "openssl",
                    Map.of("port", String.valueOf(port))), Clock.systemUTC())) {
                assertEquals(port, server.port());
                assertEquals(8, TestGateway.sdkClient(server).generateRandom(new GenerateRandomRequest().setLength(8)).getRandom().length,
                        name + " instance");
            }
        }
    }
}
