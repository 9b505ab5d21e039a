package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.kms.secretsmanager.client.SecretCacheClient;
import com.aliyuncs.kms.secretsmanager.client.SecretCacheClientBuilder;
import com.aliyuncs.kms.secretsmanager.client.exception.CacheSecretException;
import com.aliyuncs.kms.secretsmanager.client.model.DKmsConfig;
import com.aliyuncs.kms.secretsmanager.client.service.BaseSecretManagerClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The secrets-manager client ({@code com.aliyun:alibabacloud-secretsmanager-client}) in its KMS-instance mode (client key
 * file, password, endpoint, CA file), unmodified: it fetches through the transfer client's GetSecretValue with
 * FetchExtendedConfig, caches, and refreshes.
 */
class SecretsManagerClientTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
    }

    static SecretCacheClient cacheClient(Path clientKeyFile, Path passwordFile, String stage) throws Exception {
        JsonNode inst = TestGateway.instance(server);
        DKmsConfig c = new DKmsConfig();
        c.setRegionId("kmsgw-test");
        c.setProtocol("https");
        c.setEndpoint(inst.get("Endpoint").asText());
        c.setClientKeyFile(clientKeyFile.toString());
        c.setPassword(Files.readString(passwordFile, StandardCharsets.UTF_8));
        c.setCaFilePath(inst.get("CaFile").asText());
        c.setIgnoreSslCerts(false);
        TestGateway.dropCachedHttpClient(c.getEndpoint());
        SecretCacheClientBuilder b = SecretCacheClientBuilder.newCacheClientBuilder(BaseSecretManagerClientBuilder.standard().addDKmsConfig(c)
                .build());
        if (stage != null) {
            b = b.withCacheStage(stage);
        }
        return b.build();
    }

    @Test
    void getsRefreshesAndReadsStages() throws Exception {
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"sm-db\",\"SecretData\":\"v1-password\",\"VersionId\":\"v1\"}")
                .status());
        JsonNode qs = TestGateway.instance(server).get("QuickStart");
        Path keyFile = Path.of(qs.get("ClientKeyFile").asText());
        Path pwFile = Path.of(qs.get("PasswordFile").asText());
        try (SecretCacheClient cache = cacheClient(keyFile, pwFile, null)) {
            assertEquals("v1-password", cache.getStringValue("sm-db"));
            assertEquals("v1", cache.getSecretInfo("sm-db").getVersionId());

            assertEquals(200, admin(server, "PutSecretValue", "{\"SecretName\":\"sm-db\",\"SecretData\":\"v2-password\",\"VersionId\":\"v2\"}")
                    .status());
            assertEquals("v1-password", cache.getStringValue("sm-db"), "cached until refreshed");
            assertTrue(cache.refreshNow("sm-db"));
            assertEquals("v2-password", cache.getStringValue("sm-db"), "the refresh fetches the new ACSCurrent");
        }
        try (SecretCacheClient previous = cacheClient(keyFile, pwFile, "ACSPrevious")) {
            assertEquals("v1-password", previous.getStringValue("sm-db"), "the ACSPrevious stage");
        }
        try (SecretCacheClient cache = cacheClient(keyFile, pwFile, null)) {
            assertThrows(CacheSecretException.class, () -> cache.getSecretInfo("sm-none"), "an absent secret is an error, not null");
        }
    }

    @Test
    void aSecretOutsideThePolicyIsRefused() throws Exception {
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"other-db\",\"SecretData\":\"not yours\"}").status());
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"app-db\",\"SecretData\":\"yours\"}").status());
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"sm-policy\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceSecretUser\",\"RbacPermission/Template/CryptoServiceKeyUser\"],\"Resources\":[\"secret/app-*\",\"key/*\"]}")
                .status());
        assertEquals(200, admin(server, "CreateApplicationAccessPoint", "{\"Name\":\"sm-app\",\"Policies\":[\"sm-policy\"]}").status());
        TestGateway.AdminReply created = admin(server, "CreateClientKey", "{\"AapName\":\"sm-app\",\"Password\":\"Passw0rd_sm\"}");
        Path[] files = TestGateway.clientKeyFiles(created, gw.dir(), "sm-app", "Passw0rd_sm");
        try (SecretCacheClient cache = cacheClient(files[0], files[1], null)) {
            assertEquals("yours", cache.getStringValue("app-db"));
            CacheSecretException refused = assertThrows(CacheSecretException.class, () -> cache.getSecretInfo("other-db"));
            assertTrue(String.valueOf(refused.getCause()).contains("Forbidden.NoPermission") || refused.toString()
                    .contains("Forbidden.NoPermission"), refused.toString());
        }
    }
}
