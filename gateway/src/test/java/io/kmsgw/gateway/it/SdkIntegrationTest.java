package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.httpCode;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.models.Config;
import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.DecryptResponse;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.dkms.gcs.sdk.models.SignRequest;
import com.aliyun.tea.Tea;
import com.aliyun.tea.TeaException;
import com.aliyun.tea.TeaRequest;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official KMS Instance SDK (com.aliyun:alibabacloud-dkms-gcs-sdk 0.5.2) against a real gateway
 * over TLS on loopback, trusting the instance CA file (never ignoreSSL), with the quick-start client key.
 */
class SdkIntegrationTest {
    @TempDir
    static Path dir;
    static GatewayServer server;
    static Client client;
    /** Applied by the SDK's (JVM-wide) request interceptor after signing: the way to tamper with a signed request. */
    static volatile UnaryOperator<TeaRequest> tamper;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.start(dir);
        client = TestGateway.sdkClient(server);
        client.addRequestInterceptor((ctx, attrs) -> {
            UnaryOperator<TeaRequest> t = tamper;
            return t == null ? ctx.teaRequest() : t.apply(ctx.teaRequest());
        });
    }

    @AfterAll
    static void stop() {
        tamper = null;
        server.close();
    }

    private static TeaException withTamper(UnaryOperator<TeaRequest> t, org.junit.jupiter.api.function.Executable call) {
        tamper = t;
        try {
            return teaError(call);
        } finally {
            tamper = null;
        }
    }

    @Test
    void encryptDecryptRoundTripWithAlias() throws Exception {
        byte[] pt = "hello, kmsgw".getBytes(StandardCharsets.UTF_8);
        byte[] aad = "order-42".getBytes(StandardCharsets.UTF_8);
        RuntimeOptions rt = new RuntimeOptions().setResponseHeaders(List.of("x-kms-migrationkeyversionid"));
        EncryptResponse enc = client.encryptWithOptions(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(pt).setAad(aad), rt);
        String keyId = TestGateway.instance(server).get("QuickStart").get("KeyId").asText();
        assertEquals(keyId, enc.getKeyId(), "responses carry the key id, not the alias");
        assertEquals("AES_GCM", enc.getAlgorithm());
        assertEquals(12, enc.getIv().length);
        assertEquals(pt.length + 16, enc.getCiphertextBlob().length);
        assertNotNull(enc.getRequestId());
        String version = enc.getResponseHeaders().get("x-kms-migrationkeyversionid");
        assertNotNull(version, "Encrypt carries x-kms-migrationkeyversionid");
        assertEquals(36, version.length());

        DecryptResponse dec = client.decrypt(new DecryptRequest().setKeyId(keyId).setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv()).setAad(aad).setAlgorithm("AES_GCM"));
        assertArrayEquals(pt, dec.getPlaintext());
        assertEquals(keyId, dec.getKeyId());
        assertNotEquals(enc.getRequestId(), dec.getRequestId(), "every response has its own RequestId");

        TeaException wrongAad = teaError(() -> client.decrypt(new DecryptRequest().setKeyId(keyId)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()).setAad("other".getBytes(StandardCharsets.UTF_8))));
        assertEquals("InvalidParameter", wrongAad.getCode());
        assertEquals(400, httpCode(wrongAad));
    }

    @Test
    void generateDataKeyThenDecryptGivesTheSamePlaintext() throws Exception {
        GenerateDataKeyResponse dk = client.generateDataKey(new GenerateDataKeyRequest().setKeyId("alias/quickstart"));
        assertEquals(32, dk.getPlaintext().length, "NumberOfBytes defaults to 32");
        assertEquals("AES_GCM", dk.getAlgorithm());
        DecryptResponse dec = client.decrypt(new DecryptRequest().setKeyId(dk.getKeyId()).setCiphertextBlob(dk.getCiphertextBlob())
                .setIv(dk.getIv()));
        assertArrayEquals(dk.getPlaintext(), dec.getPlaintext());
        GenerateDataKeyResponse big = client.generateDataKey(new GenerateDataKeyRequest().setKeyId("alias/quickstart").setNumberOfBytes(1024));
        assertEquals(1024, big.getPlaintext().length);
    }

    @Test
    void generateRandomBounds() throws Exception {
        assertEquals(1, client.generateRandom(new GenerateRandomRequest().setLength(1)).getRandom().length);
        assertEquals(64, client.generateRandom(new GenerateRandomRequest().setLength(64)).getRandom().length);
        for (int bad : new int[] {0, 65}) {
            TeaException e = teaError(() -> client.generateRandom(new GenerateRandomRequest().setLength(bad)));
            assertEquals("InvalidParameter", e.getCode(), "Length " + bad);
            assertEquals(400, httpCode(e));
        }
    }

    @Test
    void tamperedBodyIsRefusedByContentSha256() {
        TeaException e = withTamper(r -> {
            try {
                byte[] body = r.body.readAllBytes();
                body[body.length - 1] ^= 1;
                r.body = Tea.toReadable(body);
                return r;
            } catch (java.io.IOException ex) {
                throw new IllegalStateException(ex);
            }
        }, () -> client.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1, 2, 3})));
        assertEquals("InvalidParam", e.getCode());
        assertTrue(e.getMessage().contains("The Param Content-SHA256 is invalid."), e.getMessage());
        assertEquals(400, httpCode(e));
    }

    @Test
    void wrongSignatureIs401() {
        TeaException e = withTamper(r -> {
            String auth = r.headers.get("authorization");
            char c = auth.charAt(20);
            r.headers.put("authorization", auth.substring(0, 20) + (c == 'A' ? 'B' : 'A') + auth.substring(21));
            return r;
        }, () -> client.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1})));
        assertEquals("SignatureNotMatch", e.getCode());
        assertEquals(401, httpCode(e));
    }

    @Test
    void dateSixteenMinutesOffIsTooSkewed() {
        String skewed = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(16));
        TeaException e = withTamper(r -> {
            r.headers.put("date", skewed);
            return r;
        }, () -> client.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1})));
        assertEquals("RequestTimeTooSkewed", e.getCode());
        assertEquals(400, httpCode(e));
    }

    @Test
    void unknownClientKeyIdIs404() throws Exception {
        JsonNode qs = TestGateway.instance(server).get("QuickStart");
        JsonNode keyFile = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(qs.get("ClientKeyFile").asText()).toFile());
        char[] password = Files.readString(Path.of(qs.get("PasswordFile").asText())).toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(Base64.getDecoder().decode(keyFile.get("PrivateKeyData").asText())), password);
        PrivateKey pk = (PrivateKey) ks.getKey(Collections.list(ks.aliases()).get(0), password);
        Config config = new Config();
        config.setProtocol("https");
        config.setAccessKeyId("KAAP.00000000-0000-4000-8000-000000000000");
        config.setPrivateKey(Base64.getEncoder().encodeToString(pk.getEncoded()));
        config.setEndpoint("127.0.0.1:" + server.port());
        config.setCaFilePath(TestGateway.instance(server).get("CaFile").asText());
        Client stranger = TestGateway.newClient(config);
        TeaException e = teaError(() -> stranger.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1})));
        assertEquals("Unauthorized", e.getCode());
        assertEquals(404, httpCode(e));
        assertTrue(e.getMessage().contains("KAAP.00000000-0000-4000-8000-000000000000"), e.getMessage());
    }

    @Test
    void missingKeyAndUnservedApiGiveClearErrors() {
        TeaException missing = teaError(() -> client.encrypt(new EncryptRequest().setKeyId("key-00000000-0000-4000-8000-000000000000")
                .setPlaintext(new byte[] {1})));
        assertEquals("Forbidden.KeyNotFound", missing.getCode());
        assertEquals(404, httpCode(missing));
        TeaException sign = teaError(() -> client.sign(new SignRequest().setKeyId("alias/quickstart").setMessage(new byte[] {1})));
        assertEquals("UnsupportedOperation", sign.getCode(), "an AES key cannot sign");
        assertEquals(400, httpCode(sign));
        TeaException badAlg = teaError(() -> client.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(new byte[] {1})
                .setAlgorithm("AES_XTS")));
        assertEquals("InvalidParameter", badAlg.getCode());
        assertTrue(badAlg.getMessage().contains("AES_XTS"), badAlg.getMessage());
    }
}
