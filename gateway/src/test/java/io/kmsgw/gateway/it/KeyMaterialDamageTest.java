package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.tea.TeaException;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key whose stored material no longer unwraps answers a distinct error naming its version, not InternalFailure, and
 * every other key keeps working.
 */
class KeyMaterialDamageTest {
    @TempDir
    Path dir;

    @Test
    void aDamagedKeyIsRefusedDistinctlyAndTheOthersKeepWorking() throws Exception {
        Path data = dir.resolve("data");
        String damaged;
        String version;
        try (GatewayServer server = TestGateway.start(data)) {
            var created = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}").json().get("KeyMetadata");
            damaged = created.get("KeyId").asText();
            version = created.get("PrimaryKeyVersion").asText();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = '" + damaged + "'");
        }
        try (GatewayServer server = TestGateway.start(data)) {
            Client sdk = TestGateway.sdkClient(server);
            byte[] plain = "still here".getBytes(StandardCharsets.UTF_8);
            TeaException e = assertThrows(TeaException.class, () -> sdk.encryptWithOptions(new EncryptRequest().setKeyId(damaged)
                    .setPlaintext(plain), new RuntimeOptions()));
            assertEquals("Rejected.KeyMaterialUnavailable", e.getCode(), e.getMessage());
            assertTrue(e.getMessage().contains(version), e.getMessage());
            var ok = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain));
            assertTrue(ok.getCiphertextBlob().length > plain.length, "other keys keep working");
            TeaException again = assertThrows(TeaException.class, () -> sdk.encrypt(new EncryptRequest().setKeyId(damaged)
                    .setPlaintext(plain)));
            assertEquals("Rejected.KeyMaterialUnavailable", again.getCode(), "the same answer every time");
        }
    }

    @Test
    void aKeyRowThatCannotBeReadStopsOnlyThatKey() throws Exception {
        Path data = dir.resolve("data");
        String damaged;
        try (GatewayServer server = TestGateway.start(data)) {
            damaged = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}").json().get("KeyMetadata").get("KeyId")
                    .asText();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE kms_key SET key_spec = 'Aliyun_AES_25\u0007' WHERE key_id = '" + damaged + "'");
        }
        var verified = io.kmsgw.gateway.server.DataDirVerifier.verify(data, null, line -> { });
        assertEquals(java.util.List.of("key " + damaged + ": its stored row cannot be read"), verified.problems());
        try (GatewayServer server = TestGateway.start(data)) {
            Client sdk = TestGateway.sdkClient(server);
            byte[] plain = "x".getBytes(StandardCharsets.UTF_8);
            TeaException e = assertThrows(TeaException.class, () -> sdk.encrypt(new EncryptRequest().setKeyId(damaged).setPlaintext(plain)));
            assertEquals("Rejected.KeyMaterialUnavailable", e.getCode(), e.getMessage());
            assertTrue(e.getMessage().contains("stored row cannot be read"), e.getMessage());
            assertTrue(sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain)).getCiphertextBlob().length > 0);
        }
    }

    @Test
    void aClientKeyWhoseStoredCertificateCannotBeReadIsRefusedDistinctly() throws Exception {
        Path data = dir.resolve("data");
        String damaged;
        Path[] files;
        try (GatewayServer server = TestGateway.start(data)) {
            TestGateway.AdminReply created = TestGateway.admin(server, "CreateClientKey",
                    "{\"AapName\":\"quickstart\",\"Password\":\"Damag3d_later\"}");
            assertEquals(200, created.status(), created.json().toString());
            damaged = created.json().get("ClientKeyId").asText();
            files = TestGateway.clientKeyFiles(created, dir, "damaged", "Damag3d_later");
            TestGateway.sdkClient(server, files[0], files[1]).generateRandom(
                    new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(4));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE client_key SET certificate_pem = replace(certificate_pem, 'MII', 'M#I') WHERE client_key_id = '"
                    + damaged + "'");
        }
        var verified = io.kmsgw.gateway.server.DataDirVerifier.verify(data, null, line -> { });
        assertEquals(1, verified.problems().size(), verified.problems().toString());
        assertTrue(verified.problems().get(0).contains(damaged), verified.problems().toString());
        try (GatewayServer server = TestGateway.start(data)) {
            Client client = TestGateway.sdkClient(server, files[0], files[1]);
            TeaException e = TestGateway.teaError(() -> client.generateRandom(
                    new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(4)));
            assertEquals("ClientKeyUnavailable", e.getCode(), e.getMessage());
            assertEquals(401, TestGateway.httpCode(e));
            assertTrue(e.getMessage().contains(damaged) && e.getMessage().contains("cannot be read"), e.getMessage());
            assertTrue(TestGateway.sdkClient(server).generateRandom(new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(4))
                    .getRandom().length == 4, "the other client keys keep working");
        }
    }
}
