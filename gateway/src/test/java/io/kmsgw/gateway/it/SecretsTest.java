package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.httpCode;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueResponse;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Secrets: created on the admin plane, read with GetSecretValue through the official SDK over TLS. */
class SecretsTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static Path dir;
    static GatewayServer server;
    static Client client;
    private static final String VALUE = "rds-password-Zq81!x";
    @TempDir
    static Path keys;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        client = gw.client();
        dir = gw.dir();
    }

    @Test
    void stagesVersionsAndDataTypes() throws Exception {
        TestGateway.AdminReply created = admin(server, "CreateSecret", "{\"SecretName\":\"rds-main\",\"SecretData\":\"" + VALUE
                + "\",\"VersionId\":\"v1\",\"ExtendedConfig\":\"{\\\"DBInstanceId\\\":\\\"rm-1\\\"}\"}");
        assertEquals(200, created.status(), created.json().toString());
        String secretKey = created.json().get("EncryptionKeyId").asText();
        assertEquals(secretKey, admin(server, "DescribeKey", "{\"KeyId\":\"alias/kmsgw/secrets\"}").json().get("KeyMetadata")
                .get("KeyId").asText(), "secrets default to the instance's secret key");

        GetSecretValueResponse first = client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main"));
        assertEquals(VALUE, first.getSecretData());
        assertEquals("text", first.getSecretDataType());
        assertEquals("v1", first.getVersionId());
        assertEquals(List.of("ACSCurrent"), first.getVersionStages());
        assertEquals("", first.getExtendedConfig(), "only with FetchExtendedConfig");
        assertTrue(first.getCreateTime().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), first.getCreateTime());
        assertEquals("{\"DBInstanceId\":\"rm-1\"}", client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main")
                .setFetchExtendedConfig(true)).getExtendedConfig());

        assertEquals(200, admin(server, "PutSecretValue", "{\"SecretName\":\"rds-main\",\"SecretData\":\"second\",\"VersionId\":\"v2\"}")
                .status());
        assertEquals("second", client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main")).getSecretData());
        GetSecretValueResponse previous = client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main")
                .setVersionStage("ACSPrevious"));
        assertEquals(VALUE, previous.getSecretData());
        assertEquals(List.of("ACSPrevious"), previous.getVersionStages());
        assertEquals(VALUE, client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main").setVersionId("v1"))
                .getSecretData());
        TeaException disagree = teaError(() -> client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-main")
                .setVersionId("v2").setVersionStage("ACSPrevious")));
        assertEquals("InvalidParameter", disagree.getCode());
        TeaException missing = teaError(() -> client.getSecretValue(new GetSecretValueRequest().setSecretName("rds-none")));
        assertEquals("Forbidden.ResourceNotFound", missing.getCode());
        assertEquals(404, httpCode(missing));

        byte[] bin = HexFormat.of().parseHex("00ff10e0");
        String b64 = Base64.getEncoder().encodeToString(bin);
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"bin-1\",\"SecretData\":\"" + b64
                + "\",\"SecretDataType\":\"binary\"}").status());
        GetSecretValueResponse binary = client.getSecretValue(new GetSecretValueRequest().setSecretName("bin-1"));
        assertEquals("binary", binary.getSecretDataType());
        assertEquals(b64, binary.getSecretData());
        assertEquals(400, admin(server, "CreateSecret", "{\"SecretName\":\"bin-2\",\"SecretData\":\"%%%\",\"SecretDataType\":\"binary\"}")
                .status());
        assertEquals(409, admin(server, "CreateSecret", "{\"SecretName\":\"bin-1\",\"SecretData\":\"x\"}").status());
        JsonNode described = admin(server, "DescribeSecret", "{\"SecretName\":\"rds-main\"}").json();
        assertEquals(2, described.get("VersionIds").size());
        assertEquals("second", admin(server, "GetSecretValue", "{\"SecretName\":\"rds-main\"}").json().get("SecretData").asText());

        // values are sealed at rest
        byte[] needle = VALUE.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("kmsgw.db")).toList()) {
                assertFalse(contains(Files.readAllBytes(f), needle), f + " holds the secret in plaintext");
            }
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void readingASecretNeedsKeyUserOnItsKeyToo() throws Exception {
        String key = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"rds-own\",\"SecretData\":\"x1\",\"EncryptionKeyId\":\""
                + key + "\"}").status());
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"secrets-only\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceSecretUser\"],\"Resources\":[\"secret/rds-*\"]}").status());
        assertEquals(200, admin(server, "CreateApplicationAccessPoint", "{\"Name\":\"reader\",\"Policies\":[\"secrets-only\"]}").status());
        JsonNode ck = admin(server, "CreateClientKey", "{\"AapName\":\"reader\",\"Password\":\"Reader_pw1\"}").json();
        Path json = keys.resolve("reader.json");
        Path pw = keys.resolve("reader.pw");
        Files.writeString(json, "{\"KeyId\":\"" + ck.get("ClientKeyId").asText() + "\",\"PrivateKeyData\":\""
                + ck.get("PrivateKeyData").asText() + "\"}");
        Files.writeString(pw, "Reader_pw1");
        Client reader = TestGateway.sdkClient(server, json, pw);
        TeaException denied = teaError(() -> reader.getSecretValue(new GetSecretValueRequest().setSecretName("rds-own")));
        assertEquals("Forbidden.NoPermission", denied.getCode(), "SecretUser alone is not enough");

        assertEquals(200, admin(server, "UpdatePolicy", "{\"Name\":\"secrets-only\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceSecretUser\",\"RbacPermission/Template/CryptoServiceKeyUser\"],\"Resources\":[\"secret/rds-*\",\"key/"
                + key + "\"]}").status());
        assertEquals("x1", reader.getSecretValue(new GetSecretValueRequest().setSecretName("rds-own")).getSecretData());
    }
}
