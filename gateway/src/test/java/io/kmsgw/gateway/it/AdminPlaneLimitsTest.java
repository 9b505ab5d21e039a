package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The data plane's defences on the admin plane: connection caps, handshake timeout, request deadline, idle timeout, body cap. */
class AdminPlaneLimitsTest {
    @TempDir
    Path dir;

    private GatewayServer start(Map<String, String> flags) throws Exception {
        return GatewayServer.start(TestGateway.settings(dir.resolve("g"), "openssl", flags), Clock.systemUTC());
    }

    @Test
    void perIpConnectionCap() throws Exception {
        try (GatewayServer server = start(Map.of("admin-max-connections-per-ip", "3"))) {
            HostileClientsTest.assertCap(server, server.adminPort(), List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"), "127.0.0.1",
                    "127.0.0.1");
        }
    }

    @Test
    void globalConnectionCap() throws Exception {
        try (GatewayServer server = start(Map.of("admin-max-connections", "3"))) {
            HostileClientsTest.assertCap(server, server.adminPort(), List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), "127.0.0.4",
                    "127.0.0.5");
            String metrics = new String(RawHttps.send(ca(server), server.adminPort(), "GET /metrics HTTP/1.1\r\nhost: x\r\n"
                    + "authorization: Bearer " + token(server) + "\r\nconnection: close\r\n\r\n", null).body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("kmsgw_connections_refused_total{plane=\"admin\"} 1.0"), metrics.lines()
                    .filter(l -> l.startsWith("kmsgw_connections")).toList().toString());
        }
    }

    @Test
    void aSlowBodyWithoutATokenIsCutAtTheDeadline() throws Exception {
        try (GatewayServer server = start(Map.of("admin-request-deadline-seconds", "1"))) {
            SSLContext ctx = AdminCommand.trusting(ca(server));
            try (SSLSocket slow = HostileClientsTest.tlsFrom(ctx, "127.0.0.2", server.adminPort())) {
                OutputStream out = slow.getOutputStream();
                out.write("POST /admin/v1/ListKeys HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long start = System.nanoTime();
                boolean closed = false;
                for (int i = 0; i < 40 && !closed; i++) {
                    try {
                        out.write('{');
                        out.flush();
                    } catch (IOException e) {
                        closed = true;
                        break;
                    }
                    assertEquals(200, TestGateway.admin(server, "DescribeInstance", "{}").status(), "an honest call meanwhile");
                    Thread.sleep(100);
                    slow.setSoTimeout(50);
                    try {
                        closed = slow.getInputStream().read() < 0;
                    } catch (java.net.SocketTimeoutException e) {
                        // still open
                    } catch (IOException e) {
                        closed = true;
                    }
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(closed, "the slow request was cut off");
                assertTrue(ms < 3000, "at the 1 s deadline plus slack, took " + ms + " ms");
            }
        }
    }

    @Test
    void stalledHandshakesAndIdleConnectionsAreClosed() throws Exception {
        try (GatewayServer server = start(Map.of("admin-handshake-timeout-seconds", "1", "admin-idle-timeout-seconds", "1"))) {
            List<Socket> half = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.adminPort()), 5000);
                s.setSoTimeout(5000);
                if (i % 2 == 0) {
                    s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
                }
                half.add(s);
            }
            SSLSocket idle = HostileClientsTest.tlsFrom(AdminCommand.trusting(ca(server)), "127.0.0.1", server.adminPort());
            long start = System.nanoTime();
            for (Socket s : half) {
                assertTrue(HostileClientsTest.closedByServer(s), "a stalled handshake is closed");
                s.close();
            }
            assertTrue(HostileClientsTest.closedByServer(idle), "an idle connection is closed");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 4000, "after the 1 s timeouts plus slack, took " + ms + " ms");
        }
    }

    @Test
    void aBodyOverTheCapIs413() throws Exception {
        try (GatewayServer server = start(Map.of("admin-max-body-bytes", "2048"))) {
            byte[] body = ("{\"Description\":\"" + "x".repeat(4000) + "\"}").getBytes(StandardCharsets.US_ASCII);
            RawHttps.Response r = RawHttps.send(ca(server), server.adminPort(), "POST /admin/v1/CreateKey HTTP/1.1\r\nhost: x\r\n"
                    + "authorization: Bearer " + token(server) + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length
                    + "\r\n\r\n", body);
            assertEquals(413, r.status());
            assertEquals(1, TestGateway.admin(server, "ListKeys", "{}").json().get("TotalCount").asInt(), "no key was made");
        }
    }

    /** Another address holds its whole per-address cap with idle and slow connections: the console and the CLI still work. */
    @Test
    void theConsoleAndTheCliWorkWhileAnotherAddressAttacks() throws Exception {
        try (GatewayServer server = start(Map.of("admin-max-connections-per-ip", "4", "admin-request-deadline-seconds", "2"))) {
            SSLContext ctx = AdminCommand.trusting(ca(server));
            List<SSLSocket> attack = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SSLSocket s = HostileClientsTest.tlsFrom(ctx, "127.0.0.2", server.adminPort());
                s.getOutputStream().write("POST /admin/v1/ListKeys HTTP/1.1\r\nhost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                attack.add(s);
            }
            boolean fifthRefused;
            try (SSLSocket fifth = HostileClientsTest.tlsFrom(ctx, "127.0.0.2", server.adminPort())) {
                fifthRefused = fifth.getInputStream().read() < 0;
            } catch (IOException e) {
                fifthRefused = true;
            }
            assertTrue(fifthRefused, "the attacker's fifth connection is closed at accept");
            RawHttps.Response page = RawHttps.sendFrom("127.0.0.1", ca(server), server.adminPort(),
                    "GET /console/ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
            assertEquals(200, page.status(), "the console loads");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = new CommandLine(new AdminCommand().printTo(new PrintStream(out), System.err)).execute("list-keys", "--data-dir",
                    dir.resolve("g").toString());
            assertEquals(0, code);
            JsonNode keys = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toByteArray());
            assertEquals(1, keys.get("TotalCount").asInt(), "the CLI answers");
            for (SSLSocket s : attack) {
                s.close();
            }
        }
    }

    private static Path ca(GatewayServer server) throws Exception {
        return Path.of(TestGateway.instance(server).get("CaFile").asText());
    }

    private static String token(GatewayServer server) throws Exception {
        return Files.readString(Path.of(TestGateway.instance(server).get("AdminTokenFile").asText())).trim();
    }
}
