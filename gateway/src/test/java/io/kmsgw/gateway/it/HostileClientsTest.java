package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.dkms.gcs.sdk.models.SignRequest;
import com.aliyun.tea.TeaException;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and greedy clients: connection caps, slowloris, request quotas — honest clients keep working. */
class HostileClientsTest {
    @TempDir
    Path dir;

    private static SSLSocket tls(SSLContext ctx, int port) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    @Test
    void perIpConnectionCap() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("max-connections-per-ip", "3")),
                Clock.systemUTC())) {
            SSLContext ctx = AdminCommand.trusting(Path.of(TestGateway.instance(server).get("CaFile").asText()));
            List<SSLSocket> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                open.add(tls(ctx, server.port()));
            }
            boolean refused;
            try (SSLSocket fourth = tls(ctx, server.port())) {
                refused = fourth.getInputStream().read() < 0;
            } catch (IOException e) {
                refused = true;
            }
            assertTrue(refused, "the fourth connection from one address is closed at accept");
            open.remove(0).close();
            Thread.sleep(200);
            try (SSLSocket again = tls(ctx, server.port())) {
                assertTrue(again.isConnected(), "a freed slot can be used again");
            }
            for (SSLSocket s : open) {
                s.close();
            }
        }
    }

    @Test
    void slowlorisIsCutOffWhileAnHonestClientWorks() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("request-deadline-seconds", "1")),
                Clock.systemUTC())) {
            SSLContext ctx = AdminCommand.trusting(Path.of(TestGateway.instance(server).get("CaFile").asText()));
            Client honest = TestGateway.sdkClient(server);
            try (SSLSocket slow = tls(ctx, server.port())) {
                OutputStream out = slow.getOutputStream();
                long start = System.nanoTime();
                boolean closed = false;
                byte[] headers = "POST / HTTP/1.1\r\nhost: x\r\nx-kms-apiname: Encrypt\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
                long honestWorst = 0;
                for (int i = 0; i < headers.length && !closed; i++) {
                    try {
                        out.write(headers[i]);
                        out.flush();
                    } catch (IOException e) {
                        closed = true;
                        break;
                    }
                    long t = System.nanoTime();
                    honest.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1}));
                    honestWorst = Math.max(honestWorst, System.nanoTime() - t);
                    Thread.sleep(150);
                }
                if (!closed) {
                    slow.setSoTimeout(3000);
                    try {
                        closed = slow.getInputStream().read() < 0;
                    } catch (IOException e) {
                        closed = true;
                    }
                }
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertTrue(closed, "the slow request was cut off");
                assertTrue(seconds <= 4, "within the deadline plus slack, took " + seconds + " s");
                assertTrue(honestWorst < 2_000_000_000L, "honest requests stayed fast: worst " + honestWorst / 1_000_000 + " ms");
            }
        }
    }

    @Test
    void instanceQuotaAnswersThrottling() throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("instance-qps", "5")),
                Clock.systemUTC())) {
            RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
            Path ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
            byte[] body = KmsApi.GenerateRandomRequest.newBuilder().setLength(8).build().toByteArray();
            int ok = 0;
            int throttled = 0;
            for (int i = 0; i < 25; i++) {
                String head = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "GenerateRandom", body) + "content-length: "
                        + body.length + "\r\nconnection: close\r\n\r\n";
                RawHttps.Response r = RawHttps.send(ca, server.port(), head, body);
                if (r.status() == 200) {
                    ok++;
                } else {
                    KmsApi.Error e = KmsApi.Error.parseFrom(r.body());
                    assertEquals(429, r.status());
                    assertEquals("Rejected.Throttling", e.getErrorCode());
                    assertEquals("QPS Limit Exceeded.", e.getErrorMessage());
                    throttled++;
                }
            }
            assertTrue(throttled > 0, "over the quota some requests are refused");
            assertTrue(ok >= 5, "the quota's worth still passes: " + ok);
        }
    }
    @Test
    void engineSaturationAnswers429AtOnceAndRecovers() throws Exception {
        // one crypto worker behind the smallest queue (2 slots), and 24 clients asking for RSA-4096 signatures at once
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl",
                Map.of("engine-workers", "1", "engine-queue-capacity", "2")), Clock.systemUTC())) {
            String key = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"RSA_4096\",\"KeyUsage\":\"SIGN/VERIFY\"}")
                    .json().get("KeyMetadata").get("KeyId").asText();
            int clients = 24;
            List<Client> sdk = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Client c = TestGateway.sdkClient(server);
                c.generateRandom(new GenerateRandomRequest().setLength(8)); // connection up, so the burst is all signing
                sdk.add(c);
            }
            RuntimeOptions noRetry = new RuntimeOptions().setAutoretry(false);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest("saturate".getBytes(StandardCharsets.UTF_8));
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                for (Client c : sdk) {
                    outcomes.add(pool.submit(() -> {
                        go.await();
                        try {
                            c.signWithOptions(new SignRequest().setKeyId(key).setAlgorithm("RSA_PKCS1_SHA_256").setMessage(digest)
                                    .setMessageType("DIGEST"), noRetry);
                            return "ok";
                        } catch (Exception e) {
                            TeaException te = TestGateway.teaError(() -> {
                                throw e;
                            });
                            return TestGateway.httpCode(te) + " " + te.getCode() + " " + te.getMessage();
                        }
                    }));
                }
                go.countDown();
                int ok = 0;
                int throttled = 0;
                for (Future<String> f : outcomes) {
                    String o = f.get(60, TimeUnit.SECONDS); // answered, never parked in a growing queue
                    if (o.equals("ok")) {
                        ok++;
                    } else {
                        assertTrue(o.startsWith("429 Rejected.Throttling ") && o.contains("Concurrency Limit Exceeded."),
                                "a saturated engine refuses with the protocol's throttling answer, not the quota's: " + o);
                        throttled++;
                    }
                }
                assertTrue(ok >= 1, "the worker kept signing: " + ok + " ok");
                assertTrue(throttled >= 1, "a full queue refuses instead of growing: " + throttled + " refused of " + clients);
            } finally {
                pool.shutdownNow();
            }
            // once the burst is over, the same engine serves again
            assertTrue(sdk.get(0).signWithOptions(new SignRequest().setKeyId(key).setAlgorithm("RSA_PKCS1_SHA_256").setMessage(digest)
                    .setMessageType("DIGEST"), noRetry).getSignature().length == 512);
        }
    }
}
