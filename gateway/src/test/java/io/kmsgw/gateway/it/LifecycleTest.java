package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyState;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.httpCode;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Key lifecycle as an operator drives it (admin plane) and an application sees it (official SDK). */
class LifecycleTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static Path dir;
    static GatewayServer server;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        client = gw.client();
        dir = gw.dir();
    }

    private static int status(String action, String json) throws Exception {
        return admin(server, action, json).status();
    }

    @Test
    void disabledAndPendingKeysAreRefusedOnTheDataPlane() throws Exception {
        JsonNode created = admin(server, "CreateKey", "{\"Tags\":[{\"TagKey\":\"app\",\"TagValue\":\"orders\"}]}").json().get("KeyMetadata");
        String k = created.get("KeyId").asText();
        assertEquals("orders", created.get("Tags").get("Tag").get(0).get("TagValue").asText());
        String body = "{\"KeyId\":\"" + k + "\"}";
        assertEquals(200, status("DisableKey", body));
        TeaException disabled = teaError(() -> client.encrypt(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1})));
        assertEquals("Rejected.Disabled", disabled.getCode());
        assertEquals(409, httpCode(disabled));
        assertEquals(200, status("EnableKey", body));
        client.encrypt(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1}));

        assertEquals(400, status("ScheduleKeyDeletion", "{\"KeyId\":\"" + k + "\",\"PendingWindowInDays\":\"3\"}"));
        JsonNode pending = admin(server, "ScheduleKeyDeletion", "{\"KeyId\":\"" + k + "\",\"PendingWindowInDays\":\"7\"}").json();
        assertEquals("PendingDeletion", pending.get("KeyMetadata").get("KeyState").asText());
        assertTrue(!pending.get("KeyMetadata").get("DeleteDate").asText().isEmpty());
        TeaException pend = teaError(() -> client.encrypt(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1})));
        assertEquals("Rejected.PendingDeletion", pend.getCode());
        assertEquals(409, httpCode(pend));
        assertEquals(409, status("EnableKey", body), "not allowed while pending deletion");
        assertEquals(200, status("CancelKeyDeletion", body));
        assertEquals(409, status("CancelKeyDeletion", body));
        client.encrypt(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1}));

        assertEquals(200, status("CreateAlias", "{\"AliasName\":\"alias/orders\",\"KeyId\":\"" + k + "\"}"));
        assertEquals(409, status("CreateAlias", "{\"AliasName\":\"alias/orders\",\"KeyId\":\"" + k + "\"}"), "duplicate alias");
        assertEquals(404, status("DeleteAlias", "{\"AliasName\":\"alias/nope\"}"));
        assertEquals(200, status("CreateSecret", "{\"SecretName\":\"uses-k\",\"SecretData\":\"x\",\"EncryptionKeyId\":\"" + k + "\"}"));
        assertEquals(409, status("ScheduleKeyDeletion", "{\"KeyId\":\"" + k + "\",\"PendingWindowInDays\":\"7\"}"),
                "a key that protects a secret");
        JsonNode listed = admin(server, "ListKeys", "{\"Tag\":\"app=orders\",\"PageSize\":\"5\"}").json();
        assertEquals(1, listed.get("TotalCount").asInt());
        assertEquals(k, listed.get("Keys").get("Key").get(0).get("KeyId").asText());
        assertEquals(0, admin(server, "ListKeys", "{\"KeyState\":\"Disabled\"}").json().get("TotalCount").asInt());
    }

    @Test
    void rotationKeepsEncryptOnTheInitialVersion() throws Exception {
        String k = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        RuntimeOptions rt = new RuntimeOptions().setResponseHeaders(List.of("x-kms-migrationkeyversionid"));
        EncryptResponse before = client.encryptWithOptions(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1}), rt);
        assertEquals(200, status("CreateKeyVersion", "{\"KeyId\":\"" + k + "\"}"));
        assertEquals(200, status("UpdateRotationPolicy", "{\"KeyId\":\"" + k + "\",\"EnableAutomaticRotation\":\"true\","
                + "\"RotationInterval\":\"604800s\"}"));
        assertEquals(400, status("UpdateRotationPolicy", "{\"KeyId\":\"" + k + "\",\"EnableAutomaticRotation\":\"true\","
                + "\"RotationInterval\":\"3600s\"}"));
        JsonNode described = admin(server, "DescribeKey", "{\"KeyId\":\"" + k + "\"}").json().get("KeyMetadata");
        assertEquals("Enabled", described.get("AutomaticRotation").asText());
        assertEquals("604800s", described.get("RotationInterval").asText());
        EncryptResponse after = client.encryptWithOptions(new EncryptRequest().setKeyId(k).setPlaintext(new byte[] {1}), rt);
        assertEquals(before.getResponseHeaders().get("x-kms-migrationkeyversionid"), after.getResponseHeaders()
                .get("x-kms-migrationkeyversionid"), "Encrypt keeps the initial version after rotation");
        assertEquals(2, admin(server, "ListKeyVersions", "{\"KeyId\":\"" + k + "\"}").json().get("TotalCount").asInt());
    }
}
