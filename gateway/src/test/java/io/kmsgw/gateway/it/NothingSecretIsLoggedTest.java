package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With every kmsgw and Netty logger at TRACE, a session of secret-bearing calls (secret values, client-key
 * passwords, plaintexts, data keys, signatures, a tampered ciphertext, a bad password, a forged signature)
 * leaves none of those values in any log event or in the audit files.
 */
class NothingSecretIsLoggedTest {
    @TempDir
    Path dir;

    @Test
    void secretsStayOutOfLogsAndAudit() throws Exception {
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger kmsgw = (Logger) LoggerFactory.getLogger("io.kmsgw");
        Logger netty = (Logger) LoggerFactory.getLogger("io.netty");
        Level kmsgwLevel = kmsgw.getLevel();
        Level nettyLevel = netty.getLevel();
        root.addAppender(events);
        kmsgw.setLevel(Level.TRACE);
        netty.setLevel(Level.DEBUG);
        List<String> secrets = new ArrayList<>();
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl"), Clock.systemUTC())) {
            String secretValue = "canary-secret-value-7f3a";
            secrets.add(secretValue);
            assertEquals(200, TestGateway.admin(server, "CreateSecret",
                    "{\"SecretName\":\"rds-canary\",\"SecretData\":\"" + secretValue + "\"}").status());
            String password = "Canary_pw_9d41";
            secrets.add(password);
            String aap = TestGateway.instance(server).get("QuickStart").get("AapName").asText();
            TestGateway.AdminReply key = TestGateway.admin(server, "CreateClientKey", "{\"AapName\":\"" + aap + "\",\"Password\":\"" + password + "\"}");
            assertEquals(200, key.status());
            secrets.add(key.json().get("PrivateKeyData").asText().substring(0, 64));
            assertEquals(400, TestGateway.admin(server, "CreateClientKey", "{\"AapName\":\"" + aap + "\",\"Password\":\"weak pass canary\"}").status());
            secrets.add("weak pass canary");

            // admin tokens: the bootstrap one, a new one (created, used, revoked, refused), a wrong one
            secrets.add(java.nio.file.Files.readString(Path.of(TestGateway.instance(server).get("AdminTokenFile").asText())).trim());
            TestGateway.AdminReply made = TestGateway.admin(server, "CreateAdminToken", "{\"Role\":\"ReadOnly\"}");
            String adminToken = made.json().get("Token").asText();
            secrets.add(adminToken);
            assertEquals(200, TestGateway.adminAs(TestGateway.instance(server), adminToken, "ListKeys", "{}").status());
            assertEquals(403, TestGateway.adminAs(TestGateway.instance(server), adminToken, "GetSecretValue", "{\"SecretName\":\"rds-canary\"}")
                    .status());
            assertEquals(200, TestGateway.admin(server, "RevokeAdminToken", "{\"TokenId\":\"" + made.json().get("TokenId").asText() + "\"}")
                    .status());
            assertEquals(401, TestGateway.adminAs(TestGateway.instance(server), adminToken, "ListKeys", "{}").status());
            assertEquals(401, TestGateway.adminAs(TestGateway.instance(server), "kmsgw_wrong-token-canary-31c9", "ListKeys", "{}").status());
            secrets.add("wrong-token-canary-31c9");

            Client sdk = TestGateway.sdkClient(server);
            byte[] plaintext = "plaintext-canary-5be2".getBytes(StandardCharsets.UTF_8);
            secrets.add("plaintext-canary-5be2");
            secrets.add(Base64.getEncoder().encodeToString(plaintext));
            EncryptResponse enc = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plaintext));
            assertArrayEquals(plaintext, sdk.decrypt(new DecryptRequest().setKeyId(enc.getKeyId()).setCiphertextBlob(enc.getCiphertextBlob())
                    .setIv(enc.getIv()).setAlgorithm(enc.getAlgorithm())).getPlaintext());
            byte[] tampered = enc.getCiphertextBlob().clone();
            tampered[0] ^= 1;
            TestGateway.teaError(() -> sdk.decrypt(new DecryptRequest().setKeyId(enc.getKeyId()).setCiphertextBlob(tampered)
                    .setIv(enc.getIv()).setAlgorithm(enc.getAlgorithm())));
            byte[] dataKey = sdk.generateDataKey(new GenerateDataKeyRequest().setKeyId("alias/quickstart").setNumberOfBytes(32)).getPlaintext();
            secrets.add(Base64.getEncoder().encodeToString(dataKey));
            secrets.add(HexFormat.of().formatHex(dataKey));
            assertEquals(secretValue, sdk.getSecretValue(new GetSecretValueRequest().setSecretName("rds-canary")).getSecretData());

            // a forged signature: the Authorization value must not be echoed or logged
            byte[] body = io.kmsgw.gateway.protocol.pb.KmsApi.GenerateRandomRequest.newBuilder().setLength(8).build().toByteArray();
            RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
            String head = RawHttps.signedHeaders(info, "GenerateRandom", body);
            String signature = head.replaceAll("(?s).*authorization: Bearer ([^\\r]*).*", "$1");
            String forged = head.replace(signature, signature.substring(0, 40) + (signature.charAt(40) == 'A' ? 'B' : 'A') + signature.substring(41));
            RawHttps.Response r = RawHttps.send(Path.of(TestGateway.instance(server).get("CaFile").asText()), server.port(),
                    "POST / HTTP/1.1\r\nhost: x\r\n" + forged + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n", body);
            assertEquals(401, r.status());
            secrets.add(signature.substring(0, 48));

            // the KMS OpenAPI: an AccessKey's secret, a plaintext and a data key through it, a wrong secret's signature
            TestGateway.AdminReply ak = TestGateway.admin(server, "CreateAccessKey", "{\"AapName\":\"" + aap + "\"}");
            assertEquals(200, ak.status());
            String akSecret = ak.json().get("AccessKeySecret").asText();
            secrets.add(akSecret);
            String caPem = Files.readString(Path.of(TestGateway.instance(server).get("CaFile").asText()));
            TestGateway.dropCachedHttpClient("127.0.0.1:" + server.port());
            com.aliyun.kms20160120.Client openApi = new com.aliyun.kms20160120.Client(new com.aliyun.teaopenapi.models.Config()
                    .setAccessKeyId(ak.json().get("AccessKeyId").asText()).setAccessKeySecret(akSecret).setEndpoint("127.0.0.1:" + server.port())
                    .setProtocol("https").setCa(caPem));
            secrets.add("openapi-plaintext-canary-0c77");
            String blob = openApi.encrypt(new com.aliyun.kms20160120.models.EncryptRequest().setKeyId("alias/quickstart")
                    .setPlaintext("openapi-plaintext-canary-0c77")).getBody().getCiphertextBlob();
            openApi.decrypt(new com.aliyun.kms20160120.models.DecryptRequest().setCiphertextBlob(blob));
            secrets.add(openApi.generateDataKey(new com.aliyun.kms20160120.models.GenerateDataKeyRequest().setKeyId("alias/quickstart"))
                    .getBody().getPlaintext());
            TestGateway.dropCachedHttpClient("127.0.0.1:" + server.port());
            com.aliyun.kms20160120.Client wrong = new com.aliyun.kms20160120.Client(new com.aliyun.teaopenapi.models.Config()
                    .setAccessKeyId(ak.json().get("AccessKeyId").asText()).setAccessKeySecret("wrong-ak-secret-canary-5e1")
                    .setEndpoint("127.0.0.1:" + server.port()).setProtocol("https").setCa(caPem));
            secrets.add("wrong-ak-secret-canary-5e1");
            try {
                wrong.encrypt(new com.aliyun.kms20160120.models.EncryptRequest().setKeyId("alias/quickstart").setPlaintext("openapi-plaintext-canary-0c77"));
                throw new AssertionError("a wrong AccessKey secret was accepted");
            } catch (com.aliyun.tea.TeaException expected) {
                assertEquals("SignatureDoesNotMatch", expected.getCode());
            }
        } finally {
            root.detachAppender(events);
            kmsgw.setLevel(kmsgwLevel);
            netty.setLevel(nettyLevel);
        }
        assertTrue(events.list.size() > 5, "the logs were captured: " + events.list.size() + " events");
        for (ILoggingEvent e : events.list) {
            IThrowableProxy t = e.getThrowableProxy();
            String text = e.getFormattedMessage() + (t == null ? "" : ThrowableProxyUtil.asString(t));
            for (String s : secrets) {
                assertFalse(text.contains(s), "a secret reached the log: " + e.getLoggerName() + " " + e.getLevel());
            }
        }
        try (Stream<Path> files = Files.walk(dir.resolve("audit"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String audit = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String s : secrets) {
                    assertFalse(audit.contains(s), "a secret reached the audit file " + f.getFileName());
                }
            }
        }
    }
}
