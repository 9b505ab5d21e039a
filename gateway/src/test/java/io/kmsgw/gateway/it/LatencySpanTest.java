package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server-side latency spans what a client sees of the server (issue 27): from the request's first byte read to its
 * response's last byte written, with its stages ({@code read}, {@code handle}, {@code write}); and the meters that tell a
 * stalled event loop or a GC pause from the gateway's own work.
 */
class LatencySpanTest {
    private static final long PAUSE_MILLIS = 400;

    @TempDir
    Path dir;

    @Test
    void aRequestWhoseBodyComesLateIsTimedFromItsFirstByte() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl"), Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            Path ca = Path.of(inst.get("CaFile").asText());
            RawHttps.GatewayServerInfo key = RawHttps.GatewayServerInfo.of(inst);
            byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart")
                    .setPlaintext(ByteString.copyFromUtf8("late body")).build().toByteArray();
            String head = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key, "Encrypt", body) + "content-length: "
                    + body.length + "\r\n\r\n";
            try (SSLSocket s = (SSLSocket) AdminCommand.trusting(ca).getSocketFactory().createSocket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(PAUSE_MILLIS); // the headers are in; the body is late, as from a slow client or a slow network
                out.write(body);
                out.flush();
                assertEquals(200, RawHttps.read(s.getInputStream()).status());
            }
            // and one ordinary request, for the stages' lower bound
            assertEquals(200, RawHttps.send(ca, server.port(), head.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nconnection: close\r\n"), body)
                    .status());

            String token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
            System.gc(); // for jvm_gc_pause_seconds
            String text = new String(RawHttps.send(ca, server.adminPort(),
                    "GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + token + "\r\nconnection: close\r\n\r\n", null).body(),
                    StandardCharsets.UTF_8);
            double seconds = PAUSE_MILLIS / 1000.0;
            assertEquals(2.0, MetricsTest.value(text, "kmsgw_request_latency_seconds_count", "api=\"Encrypt\""));
            // before issue 27 the clock started once the whole request had been decoded: the late body did not count
            assertTrue(MetricsTest.value(text, "kmsgw_request_latency_seconds_sum", "api=\"Encrypt\"") >= seconds,
                    "the latency includes the wait for the body");
            assertTrue(MetricsTest.value(text, "kmsgw_request_latency_seconds_max", "api=\"Encrypt\"") >= seconds);
            assertTrue(MetricsTest.value(text, "kmsgw_request_stage_seconds_sum", "stage=\"read\"") >= seconds, "in the read stage");
            assertTrue(MetricsTest.value(text, "kmsgw_request_stage_seconds_sum", "stage=\"handle\"") < seconds, "not in handling");
            assertEquals(2.0, MetricsTest.value(text, "kmsgw_request_stage_seconds_count", "stage=\"write\""), "both written");
            assertTrue(MetricsTest.value(text, "kmsgw_event_loop_delay_seconds_count", null) > 0, "the event loops are probed");
            assertTrue(MetricsTest.value(text, "jvm_gc_pause_seconds_count", null) >= 1, "GC pauses are metered");
        }
    }

    /**
     * A response the client is slow to take is timed when its last byte reaches the socket. Kept-alive responses are
     * written without a promise of their own; one still pending after its flush is timed by an empty write queued behind
     * it. Here a client with a 4 KB receive buffer sends 12 MB worth of Encrypt requests without reading, waits, then reads:
     * the responses that waited in the gateway's outbound buffer must carry that wait. 12 MB is well past what the kernel
     * lets a loopback socket buffer hold by default (tcp_wmem's maximum: 4 MB on Debian).
     */
    @Test
    void aResponseTheClientIsSlowToTakeIsTimedWhenItIsWritten() throws Exception {
        int requests = 2048;
        long waitMillis = 1000;
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl"), Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            Path ca = Path.of(inst.get("CaFile").asText());
            RawHttps.GatewayServerInfo key = RawHttps.GatewayServerInfo.of(inst);
            byte[] plaintext = new byte[6144];
            new java.util.Random(27).nextBytes(plaintext);
            byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart").setPlaintext(ByteString.copyFrom(plaintext))
                    .build().toByteArray();
            byte[] head = ("POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key, "Encrypt", body) + "content-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            java.net.Socket plain = new java.net.Socket();
            plain.setReceiveBufferSize(4096);
            plain.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5000);
            try (SSLSocket s = (SSLSocket) AdminCommand.trusting(ca).getSocketFactory().createSocket(plain, "127.0.0.1", server.port(), true)) {
                s.setSoTimeout(30_000);
                OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                for (int i = 0; i < requests; i++) {
                    out.write(head);
                    out.write(body);
                    if (i % 8 == 7) {
                        out.flush();
                        Thread.sleep(2); // a few at a time: the sequencer holds at most 32 waiting requests per connection
                    }
                }
                out.flush();
                Thread.sleep(waitMillis); // nothing read yet: what does not fit the socket buffers waits in the gateway
                java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                for (int i = 0; i < requests; i++) {
                    assertEquals(200, RawHttps.read(in).status(), "response " + i);
                }
            }
            String token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
            String text = new String(RawHttps.send(ca, server.adminPort(),
                    "GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + token + "\r\nconnection: close\r\n\r\n", null).body(),
                    StandardCharsets.UTF_8);
            assertEquals(requests, MetricsTest.value(text, "kmsgw_request_latency_seconds_count", "api=\"Encrypt\""), "every one timed");
            double max = MetricsTest.value(text, "kmsgw_request_latency_seconds_max", "api=\"Encrypt\"");
            assertTrue(max >= waitMillis / 2000.0, "the slowest response includes the client's wait: " + max + " s");
            assertTrue(MetricsTest.value(text, "kmsgw_request_stage_seconds_sum", "stage=\"write\"") >= waitMillis / 2000.0, "in the write stage");
        }
    }
}
