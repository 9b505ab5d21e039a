package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.server.DataDirVerifier;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kmsgw verify}: a healthy data dir verifies; each kind of damage is one line naming what is damaged. */
class VerifyTest {
    @TempDir
    Path tmp;
    private Path dir;
    private String keyId;
    private String ecKeyId;

    @BeforeEach
    void instance() throws Exception {
        dir = tmp.resolve("data");
        try (GatewayServer server = TestGateway.start(dir)) {
            keyId = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}").json().get("KeyMetadata").get("KeyId")
                    .asText();
            ecKeyId = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"EC_P256\"}").json().get("KeyMetadata").get("KeyId").asText();
            TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_SM4\"}");
            TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"HMAC_256\"}");
            assertEquals(200, TestGateway.admin(server, "CreateSecret", "{\"SecretName\":\"db\",\"SecretData\":\"v1\",\"EncryptionKeyId\":\""
                    + keyId + "\"}").status());
            TestGateway.sdkClient(server).generateRandom(new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(8));
        }
    }

    private void sql(String update) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate(update);
        }
    }

    private DataDirVerifier.Result verify() throws Exception {
        return DataDirVerifier.verify(dir, null, line -> { });
    }

    private void assertOneProblem(String... words) throws Exception {
        DataDirVerifier.Result r = verify();
        assertEquals(1, r.problems().size(), r.problems().toString());
        for (String w : words) {
            assertTrue(r.problems().get(0).contains(w), "'" + w + "' in " + r.problems());
        }
    }

    @Test
    void aHealthyDataDirVerifies() throws Exception {
        DataDirVerifier.Result r = verify();
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(r.summary().startsWith("5 keys (5 versions), 1 aliases, 1 secrets (1 versions): all verified"), r.summary());
    }

    @Test
    void keyMaterialThatDoesNotUnwrapIsNamed() throws Exception {
        sql("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = '" + ecKeyId + "'");
        assertOneProblem("key " + ecKeyId, "does not unwrap");
    }

    @Test
    void aDamagedKeyNamesTheSecretsItProtectsToo() throws Exception {
        sql("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = '" + keyId + "'");
        DataDirVerifier.Result r = verify();
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith("key " + keyId), r.problems().toString());
        assertTrue(r.problems().get(1).startsWith("secret db version"), r.problems().toString());
    }

    @Test
    void aSecretThatDoesNotDecryptIsNamed() throws Exception {
        sql("UPDATE kms_secret_version SET ciphertext = zeroblob(18)");
        assertOneProblem("secret db version", "does not decrypt");
    }

    @Test
    void anAliasToAMissingKeyIsNamed() throws Exception {
        sql("INSERT INTO kms_alias (alias_name, key_id) VALUES ('alias/dangling', 'key-gone')");
        assertOneProblem("alias alias/dangling", "key-gone");
    }

    @Test
    void aDamagedAuditLineIsNamed() throws Exception {
        Path audit;
        try (java.util.stream.Stream<Path> s = Files.list(dir.resolve("audit"))) {
            audit = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        Files.writeString(audit, "{\"truncated\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertOneProblem("audit " + audit.getFileName(), "not a record");
    }

    @Test
    void aMissingTokenIsNamed() throws Exception {
        Files.move(dir.resolve("hsm/slot-0"), tmp.resolve("slot-0.saved"));
        assertOneProblem("HSM token", "missing");
    }

    @Test
    void verifyInstanceWalksARunningGateway() throws Exception {
        try (GatewayServer server = TestGateway.start(dir)) {
            TestGateway.AdminReply ok = TestGateway.admin(server, "VerifyInstance", "{}");
            assertEquals(200, ok.status(), ok.json().toString());
            assertTrue(ok.json().get("Ok").asBoolean(), ok.json().toString());
            assertEquals(0, ok.json().get("Problems").size());
            assertTrue(ok.json().get("Summary").asText().startsWith("5 keys"), ok.json().toString());
            var checks = TestGateway.admin(server, "DescribeInstance", "{}").json().get("StartChecks");
            assertEquals("quick_check ok; takes a write", checks.get("Store").asText(), checks.toString());
            String recorded;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("kmsgw.db")); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT check_value FROM kms_master_key")) {
                assertTrue(rs.next());
                recorded = rs.getString(1);
            }
            assertEquals("check value " + recorded + " is the store's", checks.get("MasterKey").asText());
            sql("INSERT INTO kms_alias (alias_name, key_id) VALUES ('alias/dangling', 'key-gone')"); // beside the running gateway
            TestGateway.AdminReply bad = TestGateway.admin(server, "VerifyInstance", "{}");
            assertTrue(!bad.json().get("Ok").asBoolean(), bad.json().toString());
            assertTrue(bad.json().get("Problems").get(0).asText().startsWith("alias alias/dangling"), bad.json().toString());
        }
    }

    @Test
    void theCommandExitsZeroOnlyWhenAllIsWell() throws Exception {
        assertEquals(0, run().exitValue());
        sql("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = '" + ecKeyId + "'");
        Process p = run();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("PROBLEM key " + ecKeyId), out);
        assertTrue(out.contains("kmsgw verify: 1 problem"), out);
    }

    private Process run() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "verify",
                "--data-dir", dir.toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return p;
    }
}
