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
}
