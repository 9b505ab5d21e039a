package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protocol.idleTimeoutSeconds}: a data-plane connection that sends nothing for that long is closed; one that keeps
 * sending requests stays open however long it lives.
 */
class IdleConnectionTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("idle-timeout-seconds", "1")),
                Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            Path ca = Path.of(inst.get("CaFile").asText());
            RawHttps.GatewayServerInfo key = RawHttps.GatewayServerInfo.of(inst);
            byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart").setPlaintext(ByteString.copyFromUtf8("idle"))
                    .build().toByteArray();
            byte[] request = ("POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key, "Encrypt", body) + "content-length: "
                    + body.length + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
            try (SSLSocket busy = open(ca, server.port()); SSLSocket idle = open(ca, server.port())) {
                InputStream busyIn = new BufferedInputStream(busy.getInputStream());
                InputStream idleIn = new BufferedInputStream(idle.getInputStream());
                send(idle.getOutputStream(), request);
                assertEquals(200, RawHttps.read(idleIn).status());
                long idleSince = System.nanoTime();
                java.util.concurrent.CompletableFuture<Long> closed = java.util.concurrent.CompletableFuture.supplyAsync(() -> closedAt(idleIn));
                // the busy connection: a request every 300 ms for 2.4 s, past twice the idle timeout
                for (int i = 0; i < 8; i++) {
                    send(busy.getOutputStream(), request);
                    assertEquals(200, RawHttps.read(busyIn).status(), "request " + i + " on the busy connection");
                    Thread.sleep(300);
                }
                long closedAfterMillis = (closed.get(10, java.util.concurrent.TimeUnit.SECONDS) - idleSince) / 1_000_000;
                assertTrue(closedAfterMillis >= 900, "not before the idle timeout: " + closedAfterMillis + " ms");
                assertTrue(closedAfterMillis < 2_000, "soon after it: " + closedAfterMillis + " ms");
                send(busy.getOutputStream(), request);
                assertEquals(200, RawHttps.read(busyIn).status(), "the busy connection is still open");
            }
        }
    }

    private static SSLSocket open(Path ca, int port) throws Exception {
        SSLSocket s = (SSLSocket) AdminCommand.trusting(ca).getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static void send(OutputStream out, byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }

    /** Reads until the connection ends (end of stream, or the reset of a closed TLS connection); returns when. */
    private static long closedAt(InputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing is expected; a stray byte would still end in the close
            }
        } catch (IOException closed) {
            // a reset or a TLS close is the end too
        }
        return System.nanoTime();
    }
}
