package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateways of one instance on a real PostgreSQL server: each has its own data dir and HSM,
 * they share the store and the unseal secret. The official SDK, given one gateway's CA file and client
 * key, works against any of them.
 */
class ReplicasTest {
    @TempDir
    Path dir;
    private Map<String, String> shared;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void instance() throws Exception {
        Path unseal = dir.resolve("unseal.secret");
        Files.writeString(unseal, "unseal-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-0123456789");
        shared = Map.of("store-url", PostgresServer.shared().newDatabase(), "store-user", PostgresServer.shared().user(),
                "unseal-secret-file", unseal.toString());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    private GatewayServer gateway(String name) throws Exception {
        GatewayServer g = GatewayServer.start(TestGateway.settings(dir.resolve(name), "openssl", shared), Clock.systemUTC());
        running.add(g);
        return g;
    }

    /** The quick-start SDK setup of {@code first} (its client key files and CA file) pointed at {@code other}'s endpoint. */
    private static Client sdkAt(JsonNode first, JsonNode other) throws Exception {
        ObjectNode inst = first.deepCopy();
        inst.put("Endpoint", other.get("Endpoint").asText());
        return TestGateway.sdkClient(inst);
    }

    @Test
    void gatewaysShareOneInstanceAndAKeyMadeOnOneWorksOnTheOther() throws Exception {
        GatewayServer a = gateway("a");
        GatewayServer b = gateway("b");
        JsonNode instA = TestGateway.instance(a);
        JsonNode instB = TestGateway.instance(b);
        assertEquals(a.instanceId(), b.instanceId());
        assertEquals(Files.readString(Path.of(instA.get("CaFile").asText())), Files.readString(Path.of(instB.get("CaFile").asText())),
                "one CA file for the whole instance");
        assertEquals(Files.readString(Path.of(instA.get("AdminTokenFile").asText())),
                Files.readString(Path.of(instB.get("AdminTokenFile").asText())));
        assertNotEquals(Files.readString(dir.resolve("a/hsm/secret")), Files.readString(dir.resolve("b/hsm/secret")),
                "each gateway has its own HSM");

        TestGateway.AdminReply created = TestGateway.admin(instA, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\",\"KeyUsage\":\"ENCRYPT/DECRYPT\"}");
        assertEquals(200, created.status());
        String keyId = created.json().get("KeyMetadata").get("KeyId").asText();
        Client onB = sdkAt(instA, instB);
        Client onA = TestGateway.sdkClient(instA);
        byte[] plain = "made on A, used on B".getBytes(StandardCharsets.UTF_8);
        EncryptResponse sealed = eventually(() -> onB.encrypt(new EncryptRequest().setKeyId(keyId).setPlaintext(plain)));
        assertArrayEquals(plain, onA.decrypt(new DecryptRequest().setKeyId(keyId).setCiphertextBlob(sealed.getCiphertextBlob())
                .setIv(sealed.getIv()).setAlgorithm(sealed.getAlgorithm())).getPlaintext());

        assertEquals(200, TestGateway.admin(instB, "CreateSecret", "{\"SecretName\":\"rds-shared\",\"SecretData\":\"s3cr3t-v1\","
                + "\"VersionId\":\"v1\"}").status());
        assertEquals("s3cr3t-v1", eventually(() -> onA.getSecretValue(new GetSecretValueRequest().setSecretName("rds-shared")))
                .getSecretData());
        assertEquals(200, TestGateway.admin(instA, "DisableKey", "{\"KeyId\":\"" + keyId + "\"}").status());
        TeaException disabled = eventually(() -> TestGateway.teaError(() -> onB.encrypt(new EncryptRequest().setKeyId(keyId)
                .setPlaintext(plain))));
        assertEquals("Rejected.Disabled", disabled.getCode(), "B follows the key's state");

        assertEquals(200, readyz(instB, b));
        // the store becomes unreachable: B says so at /readyz (a load balancer stops sending it traffic), and recovers
        String db = shared.get("store-url").substring(shared.get("store-url").lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(PostgresServer.shared().url("postgres"), "kmsgw", null);
             Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
            assertEquals(503, eventually(() -> expect(503, readyz(instB, b)), 20));
            st.execute("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
            assertEquals(200, eventually(() -> expect(200, readyz(instB, b)), 20));
        }
    }

    private static int readyz(JsonNode inst, GatewayServer g) throws Exception {
        return RawHttps.send(Path.of(inst.get("CaFile").asText()), g.adminPort(),
                "GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null).status();
    }

    private static int expect(int wanted, int got) {
        if (got != wanted) {
            throw new IllegalStateException("got " + got + ", waiting for " + wanted);
        }
        return got;
    }

    /**
     * Admin tokens on two replicas: a token made on one works on the other; a revocation or expiry seen on one is refused by
     * the other at its very next request (checked against the store, not waiting for the notification); the last Admin
     * token stays, whichever replica is asked.
     */
    @Test
    void adminTokensRevokeAndExpireOnEveryReplicaAtTheNextRequest() throws Exception {
        io.kmsgw.crypto.MovableClock clock = new io.kmsgw.crypto.MovableClock(java.time.Instant.now());
        GatewayServer a = GatewayServer.start(TestGateway.settings(dir.resolve("a"), "openssl", shared), clock);
        running.add(a);
        GatewayServer b = GatewayServer.start(TestGateway.settings(dir.resolve("b"), "openssl", shared), clock);
        running.add(b);
        JsonNode instA = TestGateway.instance(a);
        JsonNode instB = TestGateway.instance(b);
        String boot = Files.readString(Path.of(instA.get("AdminTokenFile").asText())).trim();

        TestGateway.AdminReply ro = TestGateway.adminAs(instA, boot, "CreateAdminToken", "{\"Role\":\"ReadOnly\"}");
        String readOnly = ro.json().get("Token").asText();
        assertEquals(200, eventually(() -> expect(200, TestGateway.adminAs(instB, readOnly, "ListKeys", "{}").status())),
                "made on A, used on B");
        assertEquals(200, TestGateway.adminAs(instA, readOnly, "ListKeys", "{}").status(), "A has it in memory too");

        assertEquals(200, TestGateway.adminAs(instB, boot, "RevokeAdminToken", "{\"TokenId\":\"" + ro.json().get("TokenId").asText()
                + "\"}").status());
        TestGateway.AdminReply onA = TestGateway.adminAs(instA, readOnly, "ListKeys", "{}"); // no wait: the very next request
        assertEquals(401, onA.status(), onA.json().toString());
        assertEquals("AdminTokenRevoked", onA.json().get("Code").asText());

        TestGateway.AdminReply m = TestGateway.adminAs(instB, boot, "CreateAdminToken", "{\"Role\":\"Auditor\",\"ExpiresInDays\":1}");
        String auditor = m.json().get("Token").asText();
        assertEquals(200, eventually(() -> expect(200, TestGateway.adminAs(instA, auditor, "QueryAuditLog", "{}").status())));
        clock.advance(java.time.Duration.ofDays(1).plusSeconds(1));
        assertEquals("AdminTokenExpired", TestGateway.adminAs(instA, auditor, "QueryAuditLog", "{}").json().get("Code").asText());
        assertEquals("AdminTokenExpired", TestGateway.adminAs(instB, auditor, "QueryAuditLog", "{}").json().get("Code").asText());

        // the shared bootstrap token can go once another Admin exists; the last Admin stays, asked on either replica
        TestGateway.AdminReply admin2 = TestGateway.adminAs(instA, boot, "CreateAdminToken", "{\"Role\":\"Admin\"}");
        String second = admin2.json().get("Token").asText();
        assertEquals(200, eventually(() -> expect(200, TestGateway.adminAs(instB, second, "RevokeAdminToken",
                "{\"TokenId\":\"admin.token\"}").status())));
        assertEquals("AdminTokenRevoked", TestGateway.adminAs(instA, boot, "ListKeys", "{}").json().get("Code").asText());
        TestGateway.AdminReply last = TestGateway.adminAs(instA, second, "RevokeAdminToken", "{\"TokenId\":\""
                + admin2.json().get("TokenId").asText() + "\"}");
        assertEquals(409, last.status(), last.json().toString());
        assertEquals(200, TestGateway.adminAs(instB, second, "ListAdminTokens", "{}").status());
    }

    @Test
    void keyMaterialImportedOnOneGatewayServesOnTheOtherAndItsDeletionReachesIt() throws Exception {
        GatewayServer a = gateway("a");
        GatewayServer b = gateway("b");
        JsonNode instA = TestGateway.instance(a);
        JsonNode instB = TestGateway.instance(b);
        byte[] material = new byte[32];
        new java.security.SecureRandom().nextBytes(material);
        // the token from A, the import on B: the token's sealed wrapping key opens under the shared master key
        String keyId = TestGateway.admin(instB, "CreateKey", "{\"Origin\":\"EXTERNAL\"}").json().at("/KeyMetadata/KeyId").asText();
        TestGateway.AdminReply params = eventually(() -> {
            TestGateway.AdminReply r = TestGateway.admin(instA, "GetParametersForImport", "{\"KeyId\":\"" + keyId
                    + "\",\"WrappingAlgorithm\":\"RSAES_OAEP_SHA_1\"}");
            assertEquals(200, r.status(), r.json().toString());
            return r;
        });
        TestGateway.AdminReply imported = TestGateway.admin(instB, "ImportKeyMaterial", "{\"KeyId\":\"" + keyId
                + "\",\"EncryptedKeyMaterial\":\"" + ImportKeyMaterialTest.wrap(params.json(), "SHA-1", material)
                + "\",\"ImportToken\":\"" + params.json().get("ImportToken").asText() + "\"}");
        assertEquals(200, imported.status(), imported.json().toString());
        Client onA = TestGateway.sdkClient(instA);
        byte[] plain = "imported on B, used on A".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc = eventually(() -> onA.encrypt(new EncryptRequest().setKeyId(keyId).setPlaintext(plain)));
        javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(material, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, enc.getIv()));
        assertArrayEquals(plain, gcm.doFinal(enc.getCiphertextBlob()), "A encrypts under the material imported on B");

        assertEquals(200, TestGateway.admin(instB, "DeleteKeyMaterial", "{\"KeyId\":\"" + keyId + "\"}").status());
        TeaException pending = eventually(() -> TestGateway.teaError(() -> onA.decrypt(new DecryptRequest().setKeyId(keyId)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()))));
        assertEquals("Rejected.PendingImport", pending.getCode(), "A follows the deletion");
        // through A: other material is refused by the shared check value, the same material brings the ciphertext back
        byte[] other = material.clone();
        other[5] ^= 1;
        assertEquals(400, ImportKeyMaterialTest.importInto(instA, keyId, other).status());
        assertEquals(200, ImportKeyMaterialTest.importInto(instA, keyId, material).status());
        assertArrayEquals(plain, eventually(() -> sdkAt(instA, instB).decrypt(new DecryptRequest().setKeyId(keyId)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()))).getPlaintext(), "B opens it again");
    }

    @Test
    void aClientKeyDeletedOnOneGatewayIsRefusedByTheOtherWithinASecond() throws Exception {
        GatewayServer a = gateway("a");
        GatewayServer b = gateway("b");
        JsonNode instA = TestGateway.instance(a);
        TestGateway.AdminReply created = TestGateway.admin(instA, "CreateClientKey", "{\"AapName\":\"quickstart\",\"Password\":\"Rotat3d_key\"}");
        assertEquals(200, created.status(), created.json().toString());
        String id = created.json().get("ClientKeyId").asText();
        Path[] files = TestGateway.clientKeyFiles(created, dir, "rotated", "Rotat3d_key");
        Client onB = TestGateway.sdkClient(b, files[0], files[1]);
        eventually(() -> onB.generateRandom(new GenerateRandomRequest().setLength(8)));

        assertEquals(200, TestGateway.admin(instA, "DeleteClientKey", "{\"ClientKeyId\":\"" + id + "\"}").status());
        long deleted = System.nanoTime();
        TeaException refused = null;
        while (refused == null && System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(5)) {
            try {
                onB.generateRandom(new GenerateRandomRequest().setLength(8));
            } catch (Exception e) {
                refused = TestGateway.teaError(() -> {
                    throw e;
                });
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted);
        assertTrue(refused != null && millis < 1000, "B refused the deleted client key after " + millis + " ms");
        assertEquals(401, TestGateway.httpCode(refused), refused.getCode());
        System.out.printf("client key deleted on A, refused by B after %d ms%n", millis);
    }

    /**
     * An AccessKey made on A signs KMS OpenAPI requests on B (its secret was sealed on A under the shared master key and opens
     * on B), a ciphertext made through A's OpenAPI opens through B's, a request A served is a replay to B, and a deletion on A
     * is refused by B within a second.
     */
    @Test
    void anAccessKeyMadeOnOneGatewayWorksOnTheOtherUntilDeletedThere() throws Exception {
        GatewayServer a = gateway("a");
        GatewayServer b = gateway("b");
        JsonNode instA = TestGateway.instance(a);
        TestGateway.AdminReply ak = TestGateway.admin(instA, "CreateAccessKey", "{\"AapName\":\"quickstart\"}");
        assertEquals(200, ak.status(), ak.json().toString());
        String id = ak.json().get("AccessKeyId").asText();
        String secret = ak.json().get("AccessKeySecret").asText();
        String caPem = Files.readString(Path.of(instA.get("CaFile").asText()));
        com.aliyun.kms20160120.Client onA = openApi(a, id, secret, caPem);
        com.aliyun.kms20160120.Client onB = openApi(b, id, secret, caPem);
        String blob = onA.encrypt(new com.aliyun.kms20160120.models.EncryptRequest().setKeyId("alias/quickstart").setPlaintext("replicated"))
                .getBody().getCiphertextBlob();
        assertEquals("replicated", eventually(() -> onB.decrypt(new com.aliyun.kms20160120.models.DecryptRequest().setCiphertextBlob(blob))
                .getBody().getPlaintext()));

        // the replay window is the instance's: a request served by A is refused by B, and a fresh one is served by B
        java.util.Map<String, String> p = new java.util.HashMap<>(java.util.Map.of("Action", "Encrypt", "Version", "2016-01-20",
                "Format", "JSON", "AccessKeyId", id, "SignatureMethod", "HMAC-SHA1", "SignatureVersion", "1.0",
                "SignatureNonce", java.util.UUID.randomUUID().toString(), "Timestamp",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), "KeyId", "alias/quickstart",
                "Plaintext", "once"));
        p.put("Signature", com.aliyun.openapiutil.Client.getRPCSignature(new java.util.HashMap<>(p), "GET", secret));
        StringBuilder q = new StringBuilder("/?");
        p.forEach((k, v) -> q.append(io.kmsgw.gateway.auth.AcsSignatures.percentEncode(k)).append('=')
                .append(io.kmsgw.gateway.auth.AcsSignatures.percentEncode(v)).append('&'));
        String head = "GET " + q + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
        Path ca = Path.of(instA.get("CaFile").asText());
        assertEquals(200, RawHttps.send(ca, a.port(), head, null).status());
        RawHttps.Response replayed = RawHttps.send(ca, b.port(), head, null);
        assertEquals(400, replayed.status());
        assertEquals("SignatureNonceUsed", new ObjectMapper().readTree(replayed.body()).get("Code").asText());
        assertEquals("replicated", onB.decrypt(new com.aliyun.kms20160120.models.DecryptRequest().setCiphertextBlob(blob))
                .getBody().getPlaintext());

        assertEquals(200, TestGateway.admin(instA, "DeleteAccessKey", "{\"AccessKeyId\":\"" + id + "\"}").status());
        long deleted = System.nanoTime();
        String code = null;
        while (code == null && System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(5)) {
            try {
                onB.encrypt(new com.aliyun.kms20160120.models.EncryptRequest().setKeyId("alias/quickstart").setPlaintext("x"));
            } catch (TeaException e) {
                code = e.getCode();
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted);
        assertEquals("InvalidAccessKeyId.NotFound", code);
        assertTrue(millis < 1000, "B refused the deleted AccessKey after " + millis + " ms");
        System.out.printf("AccessKey deleted on A, refused by B after %d ms%n", millis);
    }

    private static com.aliyun.kms20160120.Client openApi(GatewayServer g, String id, String secret, String caPem) throws Exception {
        TestGateway.dropCachedHttpClient("127.0.0.1:" + g.port());
        return new com.aliyun.kms20160120.Client(new com.aliyun.teaopenapi.models.Config().setAccessKeyId(id).setAccessKeySecret(secret)
                .setEndpoint("127.0.0.1:" + g.port()).setProtocol("https").setCa(caPem));
    }

    @Test
    void killingOneGatewayUnderLoadLeavesTheOtherServingWithEveryAcknowledgedWrite() throws Exception {
        List<String> flags = new ArrayList<>();
        shared.forEach((k, v) -> flags.addAll(List.of("--" + k, v)));
        Process a = KillUnderLoadTest.serve(dir.resolve("a"), flags.toArray(String[]::new));
        try {
            JsonNode instA = new ObjectMapper().readTree(dir.resolve("a/instance.json").toFile());
            GatewayServer b = gateway("b");
            JsonNode instB = TestGateway.instance(b);
            ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
            Map<String, String> secretVersions = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<EncryptResponse> sealedOnA = new ConcurrentLinkedQueue<>();
            Map<EncryptResponse, byte[]> plaintexts = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger secretCount = new AtomicInteger();
            List<Thread> load = new ArrayList<>();
            load.add(KillUnderLoadTest.loop(stop, () -> {
                TestGateway.AdminReply r = TestGateway.admin(instA, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\",\"KeyUsage\":\"ENCRYPT/DECRYPT\"}");
                if (r.status() == 200) {
                    keys.add(r.json().get("KeyMetadata").get("KeyId").asText());
                }
            }));
            load.add(KillUnderLoadTest.loop(stop, () -> {
                String name = "rds-" + secretCount.incrementAndGet();
                TestGateway.AdminReply r = TestGateway.admin(instA, "CreateSecret",
                        "{\"SecretName\":\"" + name + "\",\"SecretData\":\"v1-" + name + "\",\"VersionId\":\"v1\"}");
                if (r.status() == 200) {
                    secretVersions.put(name, "v1-" + name);
                }
            }));
            Client onA = TestGateway.sdkClient(instA);
            load.add(KillUnderLoadTest.loop(stop, () -> {
                byte[] plain = new byte[32];
                ThreadLocalRandom.current().nextBytes(plain);
                EncryptResponse r = onA.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain));
                plaintexts.put(r, plain);
                sealedOnA.add(r);
            }));
            Client onB = sdkAt(instA, instB);
            AtomicInteger servedByB = new AtomicInteger();
            AtomicInteger failedOnB = new AtomicInteger();
            Thread bLoad = KillUnderLoadTest.loop(stop, () -> {
                try {
                    onB.generateRandom(new GenerateRandomRequest().setLength(16));
                    servedByB.incrementAndGet();
                } catch (Exception e) {
                    failedOnB.incrementAndGet();
                }
            });
            Thread.sleep(2000 + ThreadLocalRandom.current().nextInt(1000));
            a.destroyForcibly(); // SIGKILL
            assertTrue(a.waitFor(10, TimeUnit.SECONDS));
            int servedAtKill = servedByB.get();
            Thread.sleep(1000);
            stop.set(true);
            for (Thread t : load) {
                t.join(30_000);
            }
            bLoad.join(30_000);
            assertTrue(keys.size() >= 2 && secretVersions.size() >= 2 && sealedOnA.size() >= 5,
                    "the kill landed under load: " + keys.size() + " keys, " + secretVersions.size() + " secrets, " + sealedOnA.size()
                            + " encrypts acknowledged");
            assertTrue(servedByB.get() > servedAtKill, "B kept serving after A died");
            assertEquals(0, failedOnB.get(), "no request to B failed");

            for (String key : keys) {
                assertEquals(200, eventually(() -> describe(instB, key)), "key " + key);
            }
            for (Map.Entry<String, String> e : secretVersions.entrySet()) {
                assertEquals(e.getValue(), eventually(() -> onB.getSecretValue(new GetSecretValueRequest().setSecretName(e.getKey())))
                        .getSecretData(), e.getKey());
            }
            for (EncryptResponse s : sealedOnA) {
                assertArrayEquals(plaintexts.get(s), onB.decrypt(new DecryptRequest().setKeyId(s.getKeyId())
                        .setCiphertextBlob(s.getCiphertextBlob()).setIv(s.getIv()).setAlgorithm(s.getAlgorithm())).getPlaintext());
            }
            System.out.printf("A killed under load: %d keys, %d secrets, %d ciphertexts acknowledged by A, all served by B; "
                    + "B answered %d requests meanwhile, none failed%n", keys.size(), secretVersions.size(), sealedOnA.size(),
                    servedByB.get());
        } finally {
            a.destroyForcibly();
        }
    }

    private static int describe(JsonNode inst, String keyId) throws Exception {
        int status = TestGateway.admin(inst, "DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").status();
        if (status != 200) {
            throw new IllegalStateException("DescribeKey " + keyId + " answered " + status);
        }
        return status;
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    /** Retries a call for up to 5 s: the other gateway learns of a change a few milliseconds after it commits. */
    private static <T> T eventually(Call<T> call) throws Exception {
        return eventually(call, 5);
    }

    private static <T> T eventually(Call<T> call, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return call.run();
            } catch (Exception | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
