package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.httpCode;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.Main;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Application access through the official SDK over TLS: standard creation (rule → policy → AAP → client
 * key via the CLI), enforcement of role, resource and source address, rotation with the audit log, and
 * expiry. The admin plane is driven over HTTPS, the client key files are the ones the CLI wrote.
 */
class AccessIntegrationTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path out;
    static GatewayServer server;
    static String app1KeyId;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.start(dir);
        JsonNode k = admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}").json().get("KeyMetadata");
        app1KeyId = k.get("KeyId").asText();
        assertEquals(200, admin(server, "CreateAlias", "{\"AliasName\":\"alias/app-1\",\"KeyId\":\"" + app1KeyId + "\"}").status());
        String other = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        assertEquals(200, admin(server, "CreateAlias", "{\"AliasName\":\"alias/other\",\"KeyId\":\"" + other + "\"}").status());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs the CLI in-process: {@code admin <args> --data-dir DIR}; returns the exit code. */
    private static int cli(String... args) {
        String[] full = Stream.concat(Stream.of(args), Stream.of("--data-dir", dir.toString())).toArray(String[]::new);
        return new CommandLine(new AdminCommand()).execute(full);
    }

    /** Creates a client key for {@code aap} through the CLI (--password-file, --out) and returns its files. */
    private static Path[] cliClientKey(String aap, String password) throws Exception {
        Path pw = out.resolve(aap + "-" + System.nanoTime() + ".pw");
        Files.writeString(pw, password);
        List<Path> before;
        try (Stream<Path> s = Files.list(out)) {
            before = s.toList();
        }
        assertEquals(0, cli("create-client-key", "--aap-name", aap, "--password-file", pw.toString(), "--out", out.toString()));
        try (Stream<Path> s = Files.list(out)) {
            Path json = s.filter(p -> !before.contains(p) && p.getFileName().toString().matches("clientKey_KAAP\\..*\\.json"))
                    .findFirst().orElseThrow();
            Path pwFile = Path.of(json.toString().replace(".json", "_Password.txt"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(json)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pwFile)));
            return new Path[] {json, pwFile};
        }
    }

    private static String keyIdOf(Path clientKeyJson) {
        String name = clientKeyJson.getFileName().toString();
        return name.substring("clientKey_".length(), name.length() - ".json".length());
    }

    @Test
    void standardCreationEnforcesRoleResourceAndSource() throws Exception {
        assertEquals(0, cli("create-network-rule", "--name", "office", "--type", "Private", "--source-private-ip", "[\"127.0.0.1/32\"]"));
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"app-policy\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceKeyUser\"],\"Resources\":[\"key/alias/app-*\"],\"AccessControlRules\":\"{\\\"NetworkRules\\\":"
                + "[\\\"office\\\"]}\"}").status());
        assertEquals(0, cli("create-application-access-point", "--name", "app", "--policies", "[\"app-policy\"]"));
        Path[] files = cliClientKey("app", "Passw0rd_app");
        Client client = TestGateway.sdkClient(server, files[0], files[1]);

        byte[] pt = "standard creation".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId("alias/app-1").setPlaintext(pt));
        assertEquals(app1KeyId, enc.getKeyId());
        assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId("alias/app-1").setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv())).getPlaintext());

        TeaException otherKey = teaError(() -> client.encrypt(new EncryptRequest().setKeyId("alias/other").setPlaintext(pt)));
        assertEquals("Forbidden.NoPermission", otherKey.getCode());
        assertEquals(403, httpCode(otherKey));
        assertTrue(otherKey.getMessage().contains("This operation for \"alias/other\" is forbidden by permission system."),
                otherKey.getMessage());
        TeaException missing = teaError(() -> client.encrypt(new EncryptRequest().setKeyId("alias/app-missing").setPlaintext(pt)));
        assertEquals("Forbidden.KeyNotFound", missing.getCode(), "inside the policy, an absent key is 404");
        TeaException secret = teaError(() -> client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main")));
        assertEquals("Forbidden.NoPermission", secret.getCode());
        assertEquals(403, httpCode(secret));

        // from 127.0.0.2, the same signed request is refused by the network rule
        RawHttps.GatewayServerInfo key = RawHttps.GatewayServerInfo.fromFiles(files[0], files[1]);
        byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/app-1")
                .setPlaintext(com.google.protobuf.ByteString.copyFromUtf8("x")).build().toByteArray();
        String head = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key, "Encrypt", body) + "content-length: " + body.length
                + "\r\nconnection: close\r\n\r\n";
        Path ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
        RawHttps.Response fromOther = RawHttps.sendFrom("127.0.0.2", ca, server.port(), head, body);
        assertEquals(403, fromOther.status());
        assertEquals("Forbidden.NoPermission", KmsApi.Error.parseFrom(fromOther.body()).getErrorCode());
        RawHttps.Response fromOffice = RawHttps.sendFrom("127.0.0.1", ca, server.port(), head, body);
        assertEquals(200, fromOffice.status(), "control: the same request from the allowed address");

        // narrowing the policy applies to the very next request
        assertEquals(200, admin(server, "UpdatePolicy", "{\"Name\":\"app-policy\",\"Resources\":[\"key/alias/none-*\"]}").status());
        assertEquals("Forbidden.NoPermission",
                teaError(() -> client.encrypt(new EncryptRequest().setKeyId("alias/app-1").setPlaintext(pt))).getCode());
        assertEquals(200, admin(server, "UpdatePolicy", "{\"Name\":\"app-policy\",\"Resources\":[\"key/alias/app-*\"]}").status());
        client.encrypt(new EncryptRequest().setKeyId("alias/app-1").setPlaintext(pt));
    }

    @Test
    void rotationShowsTheOldKeyInTheAuditAndDeletionIsImmediate() throws Exception {
        Path pw = out.resolve("rot.pw");
        Files.writeString(pw, "Rotate_me1");
        assertEquals(0, cli("quick-create", "--aap-name", "rot", "--password-file", pw.toString(), "--out", out.toString()));
        Path[] first;
        try (Stream<Path> s = Files.list(out)) {
            Path json = s.filter(p -> p.getFileName().toString().matches("clientKey_KAAP\\..*\\.json")).filter(p -> {
                String id = keyIdOf(p);
                return aapOf(id).equals("rot");
            }).findFirst().orElseThrow();
            first = new Path[] {json, Path.of(json.toString().replace(".json", "_Password.txt"))};
        }
        Client old = TestGateway.sdkClient(server, first[0], first[1]);
        for (int i = 0; i < 3; i++) {
            old.generateRandom(new GenerateRandomRequest().setLength(8));
        }
        old.encrypt(new EncryptRequest().setKeyId("alias/app-1").setPlaintext(new byte[] {1}));

        Path[] second = cliClientKey("rot", "Rotate_me2");
        Client fresh = TestGateway.sdkClient(server, second[0], second[1]);
        fresh.encrypt(new EncryptRequest().setKeyId("alias/other").setPlaintext(new byte[] {2}));

        String oldId = keyIdOf(first[0]);
        JsonNode entries = waitForAudit(oldId, 4);
        assertEquals(4, entries.size());
        for (JsonNode e : entries) {
            assertEquals(oldId, e.get("ClientKeyId").asText());
            assertEquals("rot", e.get("AapName").asText());
            assertEquals("127.0.0.1", e.get("ClientIp").asText());
            assertTrue(e.get("UserAgent").asText().contains("kms-gcs-java-sdk-version"), e.get("UserAgent").asText());
            assertEquals("OK", e.get("ResultCode").asText());
            assertTrue(e.get("LatencyMicros").asLong() > 0);
        }
        assertEquals("Encrypt", entries.get(0).get("ApiName").asText(), "newest first");
        assertEquals("key/" + app1KeyId, entries.get(0).get("Resource").asText());
        String line = String.join("\n", Files.readAllLines(dir.resolve("audit").resolve("audit-000001.jsonl")));
        assertTrue(line.contains(oldId));
        assertFalse(line.contains("Rotate_me"), "no password in the audit");

        // the audit query through the CLI alias
        assertEquals(0, cli("audit", "--client-key-id", oldId, "--since", Instant.now().minusSeconds(3600).toString()));

        assertEquals(200, admin(server, "DeleteClientKey", "{\"ClientKeyId\":\"" + oldId + "\"}").status());
        TeaException refused = teaError(() -> old.generateRandom(new GenerateRandomRequest().setLength(8)));
        assertEquals("ClientKeyInactive", refused.getCode());
        assertEquals(401, httpCode(refused));
        assertTrue(refused.getMessage().contains("was deleted"), refused.getMessage());
        fresh.generateRandom(new GenerateRandomRequest().setLength(8));
        JsonNode listed = admin(server, "ListClientKeys", "{\"AapName\":\"rot\"}").json();
        assertEquals(1, listed.get("TotalCount").asInt());
        assertTrue(listed.get("ClientKeys").get(0).get("DaysLeft").asInt() >= 5 * 365 - 1);
        JsonNode deleted = admin(server, "GetClientKey", "{\"ClientKeyId\":\"" + oldId + "\"}").json();
        assertTrue(deleted.has("DeletionDate"));
        assertTrue(deleted.get("PublicKeyData").asText().startsWith("-----BEGIN CERTIFICATE-----"));
        // the refused call is audited too
        assertEquals("ClientKeyInactive", waitForAudit(oldId, 5).get(0).get("ResultCode").asText());
    }

    private static String aapOf(String clientKeyId) {
        try {
            JsonNode k = TestGateway.admin(server, "GetClientKey", "{\"ClientKeyId\":\"" + clientKeyId + "\"}").json();
            return k.path("AapName").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode waitForAudit(String clientKeyId, int atLeast) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode entries;
        do {
            entries = TestGateway.admin(server, "QueryAuditLog", "{\"ClientKeyId\":\"" + clientKeyId + "\"}").json().get("Entries");
            if (entries.size() >= atLeast) {
                return entries;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("audit has " + entries.size() + " entries for " + clientKeyId + ", expected " + atLeast);
    }

    @Test
    void aClientKeyStopsAtItsNotAfter() throws Exception {
        assertEquals(200, admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"short\",\"Password\":\"Short_l1ved\"}").status());
        Instant notAfter = Instant.now().plusSeconds(3);
        Instant notBefore = notAfter.minusSeconds(86_400);
        TestGateway.AdminReply created = admin(server, "CreateClientKey", "{\"AapName\":\"short\",\"Password\":\"Short_l1ved\","
                + "\"NotBefore\":\"" + notBefore + "\",\"NotAfter\":\"" + notAfter + "\"}");
        assertEquals(200, created.status(), created.json().toString());
        Path[] files = TestGateway.clientKeyFiles(created, out, "short", "Short_l1ved");
        Client client = TestGateway.sdkClient(server, files[0], files[1]);
        client.generateRandom(new GenerateRandomRequest().setLength(4));
        Thread.sleep(Math.max(0, notAfter.toEpochMilli() - System.currentTimeMillis()) + 1100);
        TeaException expired = teaError(() -> client.generateRandom(new GenerateRandomRequest().setLength(4)));
        assertEquals("ClientKeyInactive", expired.getCode());
        assertEquals(401, httpCode(expired));
        assertTrue(expired.getMessage().contains("expired at"), expired.getMessage());
    }

    @Test
    void validationNamesTheParameter() throws Exception {
        record Case(String action, String json, int status, String mustContain) {
        }
        for (Case c : List.of(
                new Case("CreateNetworkRule", "{\"Name\":\"r1\",\"SourcePrivateIp\":[\"10.0.0.0/33\"]}", 400, "SourcePrivateIp"),
                new Case("CreateNetworkRule", "{\"Name\":\"r1\",\"SourcePrivateIp\":[\"intranet.example\"]}", 400, "SourcePrivateIp"),
                new Case("CreateNetworkRule", "{\"Name\":\"r1\",\"Type\":\"Public\",\"SourcePrivateIp\":[\"10.0.0.1\"]}", 400, "Type"),
                new Case("CreateNetworkRule", "{\"Name\":\"bad name!\",\"SourcePrivateIp\":[\"10.0.0.1\"]}", 400, "Name"),
                new Case("CreatePolicy", "{\"Name\":\"p1\",\"Permissions\":[\"RbacPermission/Template/CryptoServiceKeyUser\"],"
                        + "\"Resources\":[\"keys/*\"]}", 400, "Resources"),
                new Case("CreatePolicy", "{\"Name\":\"p1\",\"Permissions\":[\"RbacPermission/Template/CryptoServiceKeyUser\"],"
                        + "\"Resources\":[\"key/*/x\"]}", 400, "Resources"),
                new Case("CreatePolicy", "{\"Name\":\"p1\",\"Permissions\":[\"Admin\"],\"Resources\":[\"key/*\"]}", 400, "Permissions"),
                new Case("CreatePolicy", "{\"Name\":\"p1\",\"Permissions\":[\"RbacPermission/Template/CryptoServiceKeyUser\"],"
                        + "\"Resources\":[\"key/*\"],\"AccessControlRules\":{\"NetworkRules\":[\"nope\"]}}", 400, "nope"),
                new Case("CreateApplicationAccessPoint", "{\"Name\":\"a1\",\"Policies\":[\"missing\"]}", 400, "missing"),
                new Case("CreateApplicationAccessPoint", "{\"Name\":\"a1\",\"Policies\":[\"a\",\"b\",\"c\",\"d\"]}", 400, "1 to 3"),
                new Case("CreateClientKey", "{\"AapName\":\"nobody\",\"Password\":\"Passw0rd_1\"}", 404, "nobody"),
                new Case("QuickCreateApplicationAccessPoint", "{\"AapName\":\"weak\",\"Password\":\"password\"}", 400, "Password"),
                new Case("DeleteClientKey", "{\"ClientKeyId\":\"KAAP.none\"}", 404, "KAAP.none"))) {
            TestGateway.AdminReply r = admin(server, c.action(), c.json());
            assertEquals(c.status(), r.status(), c.action() + " " + c.json() + " -> " + r.json());
            assertTrue(r.json().get("Message").asText().contains(c.mustContain()), r.json().toString());
        }
        assertEquals(200, admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"val\",\"Password\":\"Passw0rd_v\"}").status());
        TestGateway.AdminReply oneSided = admin(server, "CreateClientKey", "{\"AapName\":\"val\",\"Password\":\"Passw0rd_v\","
                + "\"NotBefore\":\"2026-01-01T00:00:00Z\"}");
        assertEquals(400, oneSided.status());
        TestGateway.AdminReply tooLong = admin(server, "CreateClientKey", "{\"AapName\":\"val\",\"Password\":\"Passw0rd_v\","
                + "\"NotBefore\":\"2026-01-01T00:00:00Z\",\"NotAfter\":\"2031-01-02T00:00:00Z\"}");
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.json().get("Message").asText().contains("1 day and 5 years"));
        TestGateway.AdminReply tooShort = admin(server, "CreateClientKey", "{\"AapName\":\"val\",\"Password\":\"Passw0rd_v\","
                + "\"NotBefore\":\"2026-01-01T00:00:00Z\",\"NotAfter\":\"2026-01-01T12:00:00Z\"}");
        assertEquals(400, tooShort.status());
        // quick creation takes the same validity (the console asks for one year); default 5 years
        Instant from = Instant.parse("2026-11-23T00:00:00Z");
        TestGateway.AdminReply oneYear = admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"quick1y\",\"Password\":"
                + "\"Passw0rd_q\",\"NotBefore\":\"" + from + "\",\"NotAfter\":\"2027-11-23T00:00:00Z\"}");
        assertEquals(200, oneYear.status(), oneYear.json().toString());
        assertEquals("2027-11-23T00:00:00Z", oneYear.json().get("NotAfter").asText());
        TestGateway.AdminReply quickTooLong = admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"quick6y\",\"Password\":"
                + "\"Passw0rd_q\",\"NotBefore\":\"" + from + "\",\"NotAfter\":\"2032-11-24T00:00:00Z\"}");
        assertEquals(400, quickTooLong.status());
        assertEquals(404, admin(server, "DescribeApplicationAccessPoint", "{\"Name\":\"quick6y\"}").status(), "nothing half-made");
        // in-use deletions are conflicts
        assertEquals(200, admin(server, "CreateNetworkRule", "{\"Name\":\"used\",\"SourcePrivateIp\":\"[\\\"10.1.0.0/16\\\"]\"}").status());
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"uses\",\"Permissions\":\"[\\\"RbacPermission/Template/"
                + "CryptoServiceSecretUser\\\"]\",\"Resources\":[\"secret/rds-*\"],\"AccessControlRules\":{\"NetworkRules\":[\"used\"]}}")
                .status());
        assertEquals(409, admin(server, "DeleteNetworkRule", "{\"Name\":\"used\"}").status());
        assertEquals(409, admin(server, "DeletePolicy", "{\"Name\":\"val\"}").status());
        assertEquals(409, admin(server, "CreatePolicy", "{\"Name\":\"uses\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceKeyUser\"],\"Resources\":[\"key/*\"]}").status());
        assertEquals(200, admin(server, "DeletePolicy", "{\"Name\":\"uses\"}").status());
        assertEquals(200, admin(server, "DeleteNetworkRule", "{\"Name\":\"used\"}").status());
        assertEquals(404, admin(server, "DescribeNetworkRule", "{\"Name\":\"used\"}").status());
        // a one-line CLI error, exit 1
        assertEquals(1, cli("delete-policy", "--name", "val"));
        assertTrue(Main.oneLine(new RuntimeException("a\nb")).indexOf('\n') < 0);
    }
}
