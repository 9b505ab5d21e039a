package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit on a running gateway: admin calls are records without values, each client key's last use is listed, the
 * storage it takes is shown, and the stdout and syslog sinks carry the same records (syslog to listeners on loopback).
 */
class AuditIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PLAIN = "audited".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void adminCallsAreRecordsWithTheirCredentialAndResourceButNoValue() throws Exception {
        String value = "sup3r-secret-value-" + System.nanoTime();
        try (GatewayServer server = TestGateway.start(dir.resolve("data"))) {
            assertEquals(200, TestGateway.admin(server, "CreateSecret", "{\"SecretName\":\"db-pass\",\"SecretData\":\"" + value + "\"}").status());
            assertEquals(200, TestGateway.admin(server, "GetSecretValue", "{\"SecretName\":\"db-pass\"}").status());
            String keyId = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}").json().get("KeyMetadata").get("KeyId")
                    .asText();
            assertEquals(404, TestGateway.admin(server, "DescribeKey", "{\"KeyId\":\"key-absent\"}").status());
            TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN));

            JsonNode admin = awaitEntries(server, "{\"Plane\":\"admin\",\"Limit\":100}", 4);
            List<String> seen = new ArrayList<>();
            for (JsonNode e : admin) {
                assertEquals("admin", e.get("Plane").asText(), e.toString());
                assertEquals("admin.token", e.get("AdminTokenId").asText(), e.toString());
                assertFalse(e.has("ClientKeyId"), e.toString());
                assertEquals("127.0.0.1", e.get("ClientIp").asText());
                seen.add(e.get("ApiName").asText() + " " + e.get("Resource").asText() + " " + e.get("ResultCode").asText());
            }
            assertTrue(seen.contains("CreateSecret db-pass OK"), seen.toString());
            assertTrue(seen.contains("GetSecretValue db-pass OK"), seen.toString());
            assertTrue(seen.contains("CreateKey " + keyId + " OK"), "a created key is named by its new id: " + seen);
            assertTrue(seen.contains("DescribeKey key-absent Forbidden.KeyNotFound") || seen.stream().anyMatch(s -> s.startsWith(
                    "DescribeKey key-absent ") && !s.endsWith(" OK")), seen.toString());

            JsonNode data = TestGateway.admin(server, "QueryAuditLog", "{\"Plane\":\"data\"}").json().get("Entries");
            for (JsonNode e : data) {
                assertFalse(e.has("Plane"), "data-plane records are written as before: " + e);
            }
            assertEquals(400, TestGateway.admin(server, "QueryAuditLog", "{\"Plane\":\"both\"}").status());
        }
        try (Stream<Path> files = Files.list(dir.resolve("data/audit"))) {
            for (Path f : files.toList()) {
                assertFalse(Files.readString(f).contains(value), "no secret value in " + f);
            }
        }
    }

    private static JsonNode awaitEntries(GatewayServer server, String query, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode entries = TestGateway.admin(server, "QueryAuditLog", query).json().get("Entries");
            if (entries.size() >= atLeast || System.nanoTime() > deadline) {
                assertTrue(entries.size() >= atLeast, entries.toString());
                return entries;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void clientKeysShowTheirLastUseAndTheInstanceItsStorage() throws Exception {
        try (GatewayServer server = TestGateway.start(dir.resolve("data"))) {
            Client sdk = TestGateway.sdkClient(server);
            for (int i = 0; i < 3; i++) {
                sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode key;
            do {
                Thread.sleep(50);
                key = TestGateway.admin(server, "ListClientKeys", "{\"AapName\":\"quickstart\"}").json().get("ClientKeys").get(0);
            } while ((!key.has("RequestCount") || key.get("RequestCount").asLong() < 3) && System.nanoTime() < deadline);
            assertEquals(3, key.get("RequestCount").asLong(), key.toString());
            assertEquals("127.0.0.1", key.get("LastUsedIp").asText());
            assertEquals("Encrypt", key.get("LastUsedApi").asText());
            assertTrue(java.time.Instant.parse(key.get("LastUsedTime").asText()).isAfter(java.time.Instant.now().minusSeconds(60)));

            JsonNode history = TestGateway.admin(server, "DescribeInstanceHistory", "{}").json();
            assertEquals(10, history.get("IntervalSeconds").asInt(), history.toString());
            assertEquals(256L << 20, history.get("AuditMaxBytes").asLong());
            assertTrue(history.get("Samples").isArray(), history.toString()); // the first sample comes 10 s after start
            JsonNode storage = TestGateway.admin(server, "DescribeInstance", "{}").json().get("Storage");
            assertEquals(256L << 20, storage.get("AuditMaxBytes").asLong(), storage.toString());
            assertEquals(90, storage.get("AuditRetentionDays").asInt());
            assertEquals("file", storage.get("AuditSinks").asText());
            assertTrue(storage.get("AuditBytes").asLong() > 0, storage.toString());
            assertTrue(storage.get("DataDirFreeBytes").asLong() > 0 && storage.get("DataDirTotalBytes").asLong() >= storage.get(
                    "DataDirFreeBytes").asLong(), storage.toString());
            String metrics = metrics(server);
            for (String m : List.of("kmsgw_audit_disk_bytes ", "kmsgw_audit_max_bytes ", "kmsgw_data_dir_free_bytes ",
                    "kmsgw_audit_oldest_record_seconds ", "kmsgw_audit_pruned_bytes_total ")) {
                assertTrue(metrics.contains(m), m + " in the metrics");
            }
        }
    }

    @Test
    void theSyslogSinkSendsEachRecordOverTcpAndRequestsDoNotWaitForADeadPeer() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir.resolve("data"), "openssl", Map.of("audit-sinks", "file,syslog",
                    "audit-syslog-address", "tcp://127.0.0.1:" + port)), Clock.systemUTC())) {
                Client sdk = TestGateway.sdkClient(server);
                String requestId = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN)).getRequestId();
                listener.setSoTimeout(10_000);
                try (Socket peer = listener.accept()) {
                    peer.setSoTimeout(10_000);
                    DataInputStream in = new DataInputStream(peer.getInputStream());
                    String message = nextFrameWith(in, requestId);
                    assertTrue(message.startsWith("<110>1 20"), message);
                    assertTrue(message.contains(" kmsgw " + ProcessHandle.current().pid() + " audit - {\"Time\":"), message);
                    JsonNode record = JSON.readTree(message.substring(message.indexOf('{')));
                    assertEquals("Encrypt", record.get("ApiName").asText());
                }
            }
        }
        // a peer that is gone: requests are still answered, the records it missed are counted
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir.resolve("data2"), "openssl", Map.of("audit-sinks", "file,syslog",
                "audit-syslog-address", "tcp://127.0.0.1:" + dead)), Clock.systemUTC())) {
            Client sdk = TestGateway.sdkClient(server);
            for (int i = 0; i < 20; i++) {
                sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String metrics;
            do {
                Thread.sleep(100);
                metrics = metrics(server);
            } while (!metrics.matches("(?s).*kmsgw_audit_syslog_dropped_total [1-9].*") && System.nanoTime() < deadline);
            assertTrue(metrics.matches("(?s).*kmsgw_audit_syslog_dropped_total [1-9].*"), "dropped records are counted");
            assertEquals(20, TestGateway.admin(server, "QueryAuditLog", "{\"Plane\":\"data\"}").json().get("Entries").size(),
                    "the file and store still keep every record");
        }
    }

    /** The admin plane's /metrics text, with the instance's token. */
    private static String metrics(GatewayServer server) throws Exception {
        JsonNode inst = TestGateway.instance(server);
        String token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
        return new String(RawHttps.send(Path.of(inst.get("CaFile").asText()), server.adminPort(), "GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                + "authorization: Bearer " + token + "\r\nconnection: close\r\n\r\n", new byte[0]).body(), StandardCharsets.UTF_8);
    }

    /** Reads octet-counted frames (RFC 6587) until one contains {@code needle}. */
    private static String nextFrameWith(DataInputStream in, String needle) throws Exception {
        while (true) {
            StringBuilder len = new StringBuilder();
            int c;
            while ((c = in.read()) != ' ') {
                assertTrue(c >= '0' && c <= '9', "an octet count, got " + c);
                len.append((char) c);
            }
            byte[] msg = new byte[Integer.parseInt(len.toString())];
            in.readFully(msg);
            String s = new String(msg, StandardCharsets.UTF_8);
            if (s.contains(needle)) {
                return s;
            }
        }
    }

    @Test
    void theSyslogSinkSendsOneDatagramPerRecordOverUdp() throws Exception {
        try (DatagramSocket listener = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            listener.setSoTimeout(10_000);
            try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir.resolve("data"), "openssl", Map.of("audit-sinks", "syslog",
                    "audit-syslog-address", "udp://127.0.0.1:" + listener.getLocalPort())), Clock.systemUTC())) {
                String requestId = TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN))
                        .getRequestId();
                byte[] buf = new byte[65_536];
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        listener.receive(p);
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("no datagram with " + requestId);
                    }
                    String s = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                    if (s.contains(requestId)) {
                        assertTrue(s.startsWith("<110>1 "), s);
                        assertFalse(s.endsWith("\n"), "one record, no line end: " + s);
                        break;
                    }
                }
                assertFalse(Files.exists(dir.resolve("data/audit/audit-000001.jsonl")), "the file sink is off");
                assertEquals(1, TestGateway.admin(server, "QueryAuditLog", "{\"Plane\":\"data\"}").json().get("Entries").size(),
                        "the store still keeps the record");
            }
        }
    }

    @Test
    void theStdoutSinkWritesTheSameLinesToStandardOutput() throws Exception {
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "serve",
                "--data-dir", data.toString(), "--port", "0", "--admin-port", "0", "--engine-workers", "2", "--hsm-pbkdf2-iterations", "1000",
                "--audit-sinks", "file,stdout", "--warmup-seconds", "0")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException gone) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            String line;
            do {
                line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null, "serve got ready");
            } while (!line.startsWith("kmsgw ready:"));
            JsonNode inst = JSON.readTree(data.resolve("instance.json").toFile());
            String requestId = TestGateway.sdkClient(inst).encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN))
                    .getRequestId();
            do {
                line = lines.poll(10, TimeUnit.SECONDS);
                assertTrue(line != null, "the record on stdout");
            } while (!line.contains(requestId));
            JsonNode record = JSON.readTree(line);
            assertEquals("Encrypt", record.get("ApiName").asText());
            String inFile;
            try (Stream<String> file = Files.lines(data.resolve("audit/audit-000001.jsonl"))) {
                inFile = file.filter(l -> l.contains(requestId)).findFirst().orElseThrow();
            }
            assertEquals(inFile, line, "the same line as the file");
        } finally {
            p.destroy();
            assertEquals(0, p.waitFor(), "SIGTERM ends serve cleanly");
        }
    }
}
