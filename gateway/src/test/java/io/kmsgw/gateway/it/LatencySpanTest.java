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
}
