package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.admin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.backup.Backup;
import io.kmsgw.gateway.cli.BackupCommand;
import io.kmsgw.gateway.cli.RestoreCommand;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** An encrypted backup of a running gateway, restored into a new data dir, still decrypts old ciphertext. */
class BackupRestoreTest {
    @TempDir
    Path work;

    @Test
    void aRestoredInstanceDecryptsOldCiphertext() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path file = work.resolve("kmsgw.backup");
        Path pw = work.resolve("backup.pw");
        Files.writeString(pw, "correct horse battery staple");
        byte[] pt = "kept across backup and restore".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc;
        JsonNode before;
        JsonNode accessKey;
        byte[] material = new byte[32];
        new java.security.SecureRandom().nextBytes(material);
        String byok;
        EncryptResponse byokEnc;
        try (GatewayServer server = TestGateway.start(a)) {
            before = TestGateway.instance(server);
            enc = TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(pt));
            byok = ImportKeyMaterialTest.externalKeyWith(before, material);
            byokEnc = TestGateway.sdkClient(server).encrypt(new EncryptRequest().setKeyId(byok).setPlaintext(pt));
            assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"db\",\"SecretData\":\"pa55\"}").status());
            accessKey = admin(server, "CreateAccessKey", "{\"AapName\":\"quickstart\"}").json();
            // online: the gateway keeps running while the backup is taken
            assertEquals(0, new CommandLine(new BackupCommand()).execute("--data-dir", a.toString(), "--out", file.toString(),
                    "--password-file", pw.toString()));
        }
        List<String> names = Backup.create(a, work.resolve("names.backup"), "correct horse battery staple".toCharArray(), false);
        assertTrue(names.contains("kmsgw.db") && names.contains("hsm/slot-0/objects.bin") && names.contains("admin.token"), names.toString());
        assertFalse(names.contains("hsm/secret"), "the HSM secret stays out unless asked for");
        assertTrue(names.stream().noneMatch(n -> n.startsWith("clientKey_")), "one-time client key deliveries stay out");
        byte[] raw = Files.readAllBytes(file);
        assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains("BEGIN"), "the archive is encrypted");

        Path wrong = work.resolve("wrong.pw");
        Files.writeString(wrong, "not the right password");
        assertEquals(1, new CommandLine(new RestoreCommand()).execute("--in", file.toString(), "--data-dir", b.toString(),
                "--password-file", wrong.toString()));
        assertEquals(0, new CommandLine(new RestoreCommand()).execute("--in", file.toString(), "--data-dir", b.toString(),
                "--password-file", pw.toString()));
        assertEquals(1, new CommandLine(new RestoreCommand()).execute("--in", file.toString(), "--data-dir", b.toString(),
                "--password-file", pw.toString()), "never over an existing data dir");

        // without the HSM secret the restored token does not open
        Exception refused = assertThrows(Exception.class, () -> TestGateway.start(b).close());
        assertTrue(io.kmsgw.gateway.Main.oneLine(refused).contains("secret") && io.kmsgw.gateway.Main.oneLine(refused).contains("missing"),
                io.kmsgw.gateway.Main.oneLine(refused));
        assertFalse(Files.exists(b.resolve("hsm/secret")), "no new secret was made up");
        Files.copy(a.resolve("hsm/secret"), b.resolve("hsm/secret"));

        try (GatewayServer restored = TestGateway.start(b)) {
            JsonNode after = TestGateway.instance(restored);
            assertEquals(before.get("InstanceId"), after.get("InstanceId"));
            assertEquals(Files.readString(Path.of(before.get("CaFile").asText())), Files.readString(Path.of(after.get("CaFile").asText())));
            JsonNode qs = before.get("QuickStart");
            Client client = TestGateway.sdkClient(restored, Path.of(qs.get("ClientKeyFile").asText()), Path.of(qs.get("PasswordFile").asText()));
            assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(enc.getKeyId()).setCiphertextBlob(enc.getCiphertextBlob())
                    .setIv(enc.getIv())).getPlaintext());
            assertEquals("pa55", client.getSecretValue(new GetSecretValueRequest().setSecretName("db")).getSecretData());
            // an imported key survives, and still takes only its own material
            assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(byok).setCiphertextBlob(byokEnc.getCiphertextBlob())
                    .setIv(byokEnc.getIv())).getPlaintext());
            byte[] other = material.clone();
            other[0] ^= 1;
            assertEquals(400, ImportKeyMaterialTest.importInto(after, byok, other).status());
            assertEquals(200, ImportKeyMaterialTest.importInto(after, byok, material).status());
            // an AccessKey survives too: its sealed secret opens under the restored master key
            TestGateway.dropCachedHttpClient("127.0.0.1:" + restored.port());
            com.aliyun.kms20160120.Client openApi = new com.aliyun.kms20160120.Client(new com.aliyun.teaopenapi.models.Config()
                    .setAccessKeyId(accessKey.get("AccessKeyId").asText()).setAccessKeySecret(accessKey.get("AccessKeySecret").asText())
                    .setEndpoint("127.0.0.1:" + restored.port()).setProtocol("https").setCa(Files.readString(Path.of(after.get("CaFile").asText()))));
            assertEquals("after restore", openApi.decrypt(new com.aliyun.kms20160120.models.DecryptRequest().setCiphertextBlob(
                    openApi.encrypt(new com.aliyun.kms20160120.models.EncryptRequest().setKeyId("alias/quickstart").setPlaintext("after restore"))
                            .getBody().getCiphertextBlob())).getBody().getPlaintext());
        }
    }
}
