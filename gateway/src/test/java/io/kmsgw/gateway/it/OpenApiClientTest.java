package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.admin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aliyun.kms20160120.Client;
import com.aliyun.kms20160120.models.AsymmetricDecryptRequest;
import com.aliyun.kms20160120.models.AsymmetricEncryptRequest;
import com.aliyun.kms20160120.models.AsymmetricSignRequest;
import com.aliyun.kms20160120.models.AsymmetricVerifyRequest;
import com.aliyun.kms20160120.models.DecryptRequest;
import com.aliyun.kms20160120.models.EncryptRequest;
import com.aliyun.kms20160120.models.GenerateDataKeyRequest;
import com.aliyun.kms20160120.models.GenerateDataKeyWithoutPlaintextRequest;
import com.aliyun.kms20160120.models.GetPublicKeyRequest;
import com.aliyun.kms20160120.models.GetSecretValueRequest;
import com.aliyun.kms20160120.models.ReEncryptRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The KMS OpenAPI (2016-01-20) front door driven by the official {@code com.aliyun:kms20160120} client, unmodified, with
 * {@code setCa} and the instance endpoint: V3 (ACS3-HMAC-SHA256, the client's default) and RPC V1 ({@code
 * signatureAlgorithm "v2"}), authorized by the same AAPs as client keys.
 */
class OpenApiClientTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static GatewayServer server;
    static String caPem;
    static String aes;
    static String accessKeyId;
    static String accessKeySecret;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        JsonNode inst = TestGateway.instance(server);
        caPem = Files.readString(Path.of(inst.get("CaFile").asText()));
        aes = inst.get("QuickStart").get("KeyId").asText();
        assertEquals(200, admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"oapi\",\"Password\":\"pw-oapi-123\"}").status());
        TestGateway.AdminReply ak = admin(server, "CreateAccessKey", "{\"AapName\":\"oapi\"}");
        assertEquals(200, ak.status(), ak.json().toString());
        accessKeyId = ak.json().get("AccessKeyId").asText();
        accessKeySecret = ak.json().get("AccessKeySecret").asText();
    }

    /** The client as its README builds it, pointed at the gateway: endpoint, AccessKey, and the instance CA as {@code ca}. */
    static Client client(String id, String secret, String signatureAlgorithm) throws Exception {
        Config c = new Config().setAccessKeyId(id).setAccessKeySecret(secret).setEndpoint("127.0.0.1:" + server.port())
                .setProtocol("https").setCa(caPem);
        if (signatureAlgorithm != null) {
            c.setSignatureAlgorithm(signatureAlgorithm);
        }
        TestGateway.dropCachedHttpClient("127.0.0.1:" + server.port());
        return new Client(c);
    }

    static Client v3() throws Exception {
        return client(accessKeyId, accessKeySecret, null);
    }

    static Client v1() throws Exception {
        return client(accessKeyId, accessKeySecret, "v2");
    }

    @Test
    void encryptThenDecryptWithAndWithoutContextOverV3AndV1() throws Exception {
        for (Client c : new Client[] {v3(), v1()}) {
            for (Map<String, String> context : java.util.Arrays.<Map<String, String>>asList(null, Map.of("order", "42", "app", "shop"))) {
                String text = "hello, 世界 & friends=1 " + (context == null ? "plain" : "ctx");
                var enc = c.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(text).setEncryptionContext(context))
                        .getBody();
                assertEquals(aes, enc.getKeyId());
                assertNotNull(enc.getKeyVersionId());
                assertNotNull(enc.getRequestId());
                var dec = c.decrypt(new DecryptRequest().setCiphertextBlob(enc.getCiphertextBlob()).setEncryptionContext(context)).getBody();
                assertEquals(text, dec.getPlaintext());
                assertEquals(aes, dec.getKeyId());
                assertEquals(enc.getKeyVersionId(), dec.getKeyVersionId());
                if (context != null) {
                    TeaException wrongContext = teaError(() -> c.decrypt(new DecryptRequest().setCiphertextBlob(enc.getCiphertextBlob())
                            .setEncryptionContext(Map.of("order", "43", "app", "shop"))));
                    assertEquals("InvalidParameter", wrongContext.getCode());
                }
            }
        }
    }

    @Test
    void generateDataKeyBlobsDecryptToThePlaintext() throws Exception {
        Client c = v3();
        var dk = c.generateDataKey(new GenerateDataKeyRequest().setKeyId(aes).setEncryptionContext(Map.of("k", "v"))).getBody();
        assertEquals(32, Base64.getDecoder().decode(dk.getPlaintext()).length);
        assertEquals(dk.getPlaintext(), c.decrypt(new DecryptRequest().setCiphertextBlob(dk.getCiphertextBlob())
                .setEncryptionContext(Map.of("k", "v"))).getBody().getPlaintext());
        var dk16 = c.generateDataKey(new GenerateDataKeyRequest().setKeyId(aes).setKeySpec("AES_128")).getBody();
        assertEquals(16, Base64.getDecoder().decode(dk16.getPlaintext()).length);
        var without = v1().generateDataKeyWithoutPlaintext(new GenerateDataKeyWithoutPlaintextRequest().setKeyId(aes).setNumberOfBytes(24))
                .getBody();
        String opened = c.decrypt(new DecryptRequest().setCiphertextBlob(without.getCiphertextBlob())).getBody().getPlaintext();
        assertEquals(24, Base64.getDecoder().decode(opened).length);
    }

    @Test
    void getSecretValue() throws Exception {
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"db-pass\",\"SecretData\":\"s3cr3t-value\"}").status());
        for (Client c : new Client[] {v3(), v1()}) {
            var v = c.getSecretValue(new GetSecretValueRequest().setSecretName("db-pass")).getBody();
            assertEquals("s3cr3t-value", v.getSecretData());
            assertEquals("db-pass", v.getSecretName());
            assertTrue(v.getVersionStages().getVersionStage().contains("ACSCurrent"), v.getVersionStages().getVersionStage().toString());
        }
    }

    @Test
    void asymmetricActions() throws Exception {
        String rsa = admin(server, "CreateKey", "{\"KeySpec\":\"RSA_2048\",\"KeyUsage\":\"SIGN/VERIFY\"}").json().get("KeyMetadata")
                .get("KeyId").asText();
        String version = admin(server, "DescribeKey", "{\"KeyId\":\"" + rsa + "\"}").json().get("KeyMetadata").get("PrimaryKeyVersion")
                .asText();
        Client c = v3();
        byte[] message = "sign me".getBytes(StandardCharsets.UTF_8);
        String digest = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(message));
        String sig = c.asymmetricSign(new AsymmetricSignRequest().setKeyId(rsa).setKeyVersionId(version).setAlgorithm("RSA_PKCS1_SHA_256")
                .setDigest(digest)).getBody().getValue();
        String pem = c.getPublicKey(new GetPublicKeyRequest().setKeyId(rsa).setKeyVersionId(version)).getBody().getPublicKey();
        PublicKey pk = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(
                pem.replaceAll("-----[A-Z ]+-----", ""))));
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(pk);
        v.update(message);
        assertTrue(v.verify(Base64.getDecoder().decode(sig)), "the signature verifies locally under GetPublicKey's key");
        assertTrue(v1().asymmetricVerify(new AsymmetricVerifyRequest().setKeyId(rsa).setKeyVersionId(version)
                .setAlgorithm("RSA_PKCS1_SHA_256").setDigest(digest).setValue(sig)).getBody().getValue());
        String other = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest("other".getBytes()));
        assertFalse(c.asymmetricVerify(new AsymmetricVerifyRequest().setKeyId(rsa).setKeyVersionId(version)
                .setAlgorithm("RSA_PKCS1_SHA_256").setDigest(other).setValue(sig)).getBody().getValue());

        String enc = admin(server, "CreateKey", "{\"KeySpec\":\"RSA_2048\",\"KeyUsage\":\"ENCRYPT/DECRYPT\"}").json().get("KeyMetadata")
                .get("KeyId").asText();
        String encVersion = admin(server, "DescribeKey", "{\"KeyId\":\"" + enc + "\"}").json().get("KeyMetadata").get("PrimaryKeyVersion")
                .asText();
        byte[] secret = "a data key".getBytes(StandardCharsets.UTF_8);
        String blob = c.asymmetricEncrypt(new AsymmetricEncryptRequest().setKeyId(enc).setKeyVersionId(encVersion)
                .setAlgorithm("RSAES_OAEP_SHA_256").setPlaintext(Base64.getEncoder().encodeToString(secret))).getBody().getCiphertextBlob();
        String back = v1().asymmetricDecrypt(new AsymmetricDecryptRequest().setKeyId(enc).setKeyVersionId(encVersion)
                .setAlgorithm("RSAES_OAEP_SHA_256").setCiphertextBlob(blob)).getBody().getPlaintext();
        assertArrayEquals(secret, Base64.getDecoder().decode(back));
    }

    @Test
    void reEncryptIsAnsweredAsNotServed() throws Exception {
        TeaException e = teaError(() -> v3().reEncrypt(new ReEncryptRequest().setCiphertextBlob("AAAA").setDestinationKeyId(aes)));
        assertEquals("UnsupportedOperation", e.getCode());
        assertTrue(e.getMessage().contains("ReEncrypt"), e.getMessage());
    }

    @Test
    void wrongSecretAndUnknownAccessKey() throws Exception {
        TeaException wrong = teaError(() -> client(accessKeyId, accessKeySecret + "x", null).encrypt(new EncryptRequest().setKeyId(aes)
                .setPlaintext("x")));
        assertEquals("SignatureDoesNotMatch", wrong.getCode());
        TeaException wrongV1 = teaError(() -> client(accessKeyId, "nope", "v2").encrypt(new EncryptRequest().setKeyId(aes)
                .setPlaintext("x")));
        assertEquals("SignatureDoesNotMatch", wrongV1.getCode());
        TeaException unknown = teaError(() -> client("KGAKnotakeyatall000000", accessKeySecret, null).encrypt(new EncryptRequest()
                .setKeyId(aes).setPlaintext("x")));
        assertEquals("InvalidAccessKeyId.NotFound", unknown.getCode());
    }

    @Test
    void aPolicyThatDeniesADisabledKeyAndADeletedAccessKey() throws Exception {
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"narrow\",\"Permissions\":[\"RbacPermission/Template/CryptoServiceKeyUser\"],"
                + "\"Resources\":[\"key/alias/only-this-*\"]}").status());
        assertEquals(200, admin(server, "CreateApplicationAccessPoint", "{\"Name\":\"narrow\",\"Policies\":[\"narrow\"]}").status());
        JsonNode ak = admin(server, "CreateAccessKey", "{\"AapName\":\"narrow\"}").json();
        Client narrow = client(ak.get("AccessKeyId").asText(), ak.get("AccessKeySecret").asText(), null);
        TeaException denied = teaError(() -> narrow.encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("x")));
        assertEquals("Forbidden.NoPermission", denied.getCode());
        assertEquals(403, statusOf(denied));
        TeaException secretDenied = teaError(() -> narrow.getSecretValue(new GetSecretValueRequest().setSecretName("anything")));
        assertEquals("Forbidden.NoPermission", secretDenied.getCode());

        String key = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        assertEquals(200, admin(server, "DisableKey", "{\"KeyId\":\"" + key + "\"}").status());
        TeaException disabled = teaError(() -> v3().encrypt(new EncryptRequest().setKeyId(key).setPlaintext("x")));
        assertEquals("Rejected.Disabled", disabled.getCode());
        assertEquals(409, statusOf(disabled));

        Client doomed = client(ak.get("AccessKeyId").asText(), ak.get("AccessKeySecret").asText(), "v2");
        assertEquals("Forbidden.NoPermission", teaError(() -> doomed.encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("x"))).getCode());
        assertEquals(200, admin(server, "DeleteAccessKey", "{\"AccessKeyId\":\"" + ak.get("AccessKeyId").asText() + "\"}").status());
        TeaException gone = teaError(() -> doomed.encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("x")));
        assertEquals("InvalidAccessKeyId.NotFound", gone.getCode());
        assertEquals(404, statusOf(gone));
    }

    @Test
    void deletingTheAapRefusesItsAccessKeys() throws Exception {
        assertEquals(200, admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"shortlived\",\"Password\":\"pw-short-123\"}")
                .status());
        JsonNode ak = admin(server, "CreateAccessKey", "{\"AapName\":\"shortlived\"}").json();
        Client c = client(ak.get("AccessKeyId").asText(), ak.get("AccessKeySecret").asText(), null);
        assertEquals(aes, c.encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("x")).getBody().getKeyId());
        assertEquals(200, admin(server, "CreateAccessKey", "{\"AapName\":\"shortlived\"}").status());
        TestGateway.AdminReply third = admin(server, "CreateAccessKey", "{\"AapName\":\"shortlived\"}");
        assertEquals(409, third.status(), "two AccessKeys per AAP: " + third.json());
        assertEquals(404, admin(server, "CreateAccessKey", "{\"AapName\":\"no-such-aap\"}").status());
        assertEquals(200, admin(server, "DeleteApplicationAccessPoint", "{\"Name\":\"shortlived\"}").status());
        assertEquals("InvalidAccessKeyId.NotFound", teaError(() -> c.encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("x"))).getCode());
        assertEquals(0, admin(server, "ListAccessKeys", "{\"AapName\":\"shortlived\"}").json().get("AccessKeys").size());
    }

    @Test
    void theAuditNamesTheAccessKeyAndNeverTheSecret() throws Exception {
        v3().encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("audited"));
        JsonNode listed = null;
        for (int i = 0; i < 50; i++) { // the audit writer batches: its records land within a moment
            listed = admin(server, "ListAccessKeys", "{\"AapName\":\"oapi\"}").json();
            if (listed.get("AccessKeys").get(0).has("RequestCount")) {
                break;
            }
            Thread.sleep(100);
        }
        JsonNode k = listed.get("AccessKeys").get(0);
        assertEquals(accessKeyId, k.get("AccessKeyId").asText());
        assertTrue(k.get("RequestCount").asLong() >= 1, k.toString());
        assertEquals("Encrypt", k.get("LastUsedApi").asText());
        assertTrue(k.get("Usable").asBoolean());
        assertFalse(listed.toString().contains(accessKeySecret), "ListAccessKeys never shows the secret");
        JsonNode entries = admin(server, "QueryAuditLog", "{\"ClientKeyId\":\"" + accessKeyId + "\"}").json().get("Entries");
        assertTrue(entries.size() >= 1, entries.toString());
        assertEquals("oapi", entries.get(0).get("AapName").asText(), entries.toString());
        assertFalse(entries.toString().contains(accessKeySecret));
        try (var files = Files.walk(gw.dir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                assertFalse(new String(b, StandardCharsets.ISO_8859_1).contains(accessKeySecret), "the secret is in " + f);
            }
        }
    }

    /** aliyun-java-sdk-kms 2.16.6 over aliyun-java-sdk-core 4.7.10 (RPC V1), trusting the instance CA. */
    @Test
    void theOlderSdkRoundTripsAndNamesAnError() throws Exception {
        com.aliyuncs.profile.DefaultProfile profile = com.aliyuncs.profile.DefaultProfile.getProfile("cn-hangzhou", accessKeyId, accessKeySecret);
        com.aliyuncs.http.HttpClientConfig http = com.aliyuncs.http.HttpClientConfig.getDefault();
        http.setProtocolType(com.aliyuncs.http.ProtocolType.HTTPS);
        http.setX509TrustManagers(new javax.net.ssl.X509TrustManager[] {trustManager()});
        // the default Apache client is one per JVM, configured by the first DefaultAcsClient made (another test's); this one
        // builds its TLS from this config
        http.setClientType(com.aliyuncs.http.HttpClientType.Compatible);
        profile.setHttpClientConfig(http);
        com.aliyuncs.DefaultAcsClient old = new com.aliyuncs.DefaultAcsClient(profile);
        try {
            com.aliyuncs.kms.model.v20160120.EncryptRequest e = new com.aliyuncs.kms.model.v20160120.EncryptRequest();
            e.setSysEndpoint("127.0.0.1:" + server.port());
            e.setSysProtocol(com.aliyuncs.http.ProtocolType.HTTPS);
            e.setKeyId("alias/quickstart");
            e.setPlaintext("from the older SDK");
            e.setEncryptionContext("{\"a\":\"b\"}");
            com.aliyuncs.kms.model.v20160120.EncryptResponse enc = old.getAcsResponse(e);
            assertEquals(aes, enc.getKeyId());
            com.aliyuncs.kms.model.v20160120.DecryptRequest d = new com.aliyuncs.kms.model.v20160120.DecryptRequest();
            d.setSysEndpoint("127.0.0.1:" + server.port());
            d.setSysProtocol(com.aliyuncs.http.ProtocolType.HTTPS);
            d.setCiphertextBlob(enc.getCiphertextBlob());
            d.setEncryptionContext("{\"a\":\"b\"}");
            assertEquals("from the older SDK", old.getAcsResponse(d).getPlaintext());
            // what the newer client encrypted, the older one decrypts
            String blob = v3().encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("cross")).getBody().getCiphertextBlob();
            d = new com.aliyuncs.kms.model.v20160120.DecryptRequest(); // a set parameter stays set: a fresh request has no context
            d.setSysEndpoint("127.0.0.1:" + server.port());
            d.setSysProtocol(com.aliyuncs.http.ProtocolType.HTTPS);
            d.setCiphertextBlob(blob);
            assertEquals("cross", old.getAcsResponse(d).getPlaintext());
            com.aliyuncs.kms.model.v20160120.GenerateDataKeyRequest g = new com.aliyuncs.kms.model.v20160120.GenerateDataKeyRequest();
            g.setSysEndpoint("127.0.0.1:" + server.port());
            g.setSysProtocol(com.aliyuncs.http.ProtocolType.HTTPS);
            g.setKeyId(aes);
            com.aliyuncs.kms.model.v20160120.GenerateDataKeyResponse dk = old.getAcsResponse(g);
            d.setCiphertextBlob(dk.getCiphertextBlob());
            assertEquals(dk.getPlaintext(), old.getAcsResponse(d).getPlaintext());

            com.aliyuncs.kms.model.v20160120.EncryptRequest missing = new com.aliyuncs.kms.model.v20160120.EncryptRequest();
            missing.setSysEndpoint("127.0.0.1:" + server.port());
            missing.setSysProtocol(com.aliyuncs.http.ProtocolType.HTTPS);
            missing.setKeyId("no-such-key-0000");
            missing.setPlaintext("x");
            try {
                old.getAcsResponse(missing);
                fail("expected an error");
            } catch (com.aliyuncs.exceptions.ClientException ex) {
                assertEquals("Forbidden.KeyNotFound", ex.getErrCode());
                assertEquals(com.aliyuncs.exceptions.ErrorType.Client, ex.getErrorType()); // a 4xx, as the SDK classifies it
                assertNotNull(ex.getRequestId());
            }
        } finally {
            old.shutdown();
        }
    }

    /** Ciphertexts cross the two doors both ways: the OpenAPI's blob is an AdvanceEncrypt blob without its 3-byte header. */
    @Test
    void ciphertextsInteroperateWithTheInstanceProtocol() throws Exception {
        com.aliyun.dkms.gcs.sdk.Client instance = gw.client();
        byte[] header = {0x24, 0x00, 0x02};
        Map<String, String> context = Map.of("tenant", "t1");
        byte[] aad = MessageDigest.getInstance("SHA-256").digest("tenant=t1".getBytes(StandardCharsets.UTF_8));

        String blob = v3().encrypt(new EncryptRequest().setKeyId(aes).setPlaintext("door one").setEncryptionContext(context)).getBody()
                .getCiphertextBlob();
        byte[] raw = Base64.getDecoder().decode(blob);
        byte[] advance = new byte[header.length + raw.length];
        System.arraycopy(header, 0, advance, 0, header.length);
        System.arraycopy(raw, 0, advance, header.length, raw.length);
        var opened = instance.advanceDecrypt(new com.aliyun.dkms.gcs.sdk.models.AdvanceDecryptRequest().setCiphertextBlob(advance).setAad(aad));
        assertEquals("door one", new String(opened.getPlaintext(), StandardCharsets.UTF_8));

        var sealed = instance.advanceEncrypt(new com.aliyun.dkms.gcs.sdk.models.AdvanceEncryptRequest().setKeyId(aes)
                .setPlaintext("door two".getBytes(StandardCharsets.UTF_8)).setAad(aad));
        byte[] withoutHeader = java.util.Arrays.copyOfRange(sealed.getCiphertextBlob(), header.length, sealed.getCiphertextBlob().length);
        assertEquals("door two", v1().decrypt(new DecryptRequest().setCiphertextBlob(Base64.getEncoder().encodeToString(withoutHeader))
                .setEncryptionContext(context)).getBody().getPlaintext());

        // the transfer client's blob (KMS-OpenAPI code carried to the instance protocol) opens through the OpenAPI
        JsonNode qs = TestGateway.instance(server).get("QuickStart");
        com.aliyun.dkms.gcs.openapi.models.Config config = TestGateway.sdkConfig(server, Path.of(qs.get("ClientKeyFile").asText()),
                Path.of(qs.get("PasswordFile").asText()));
        TestGateway.dropCachedHttpClient(config.getEndpoint());
        com.aliyuncs.profile.DefaultProfile profile = com.aliyuncs.profile.DefaultProfile.getProfile("cn-hangzhou", "unused", "unused");
        com.aliyun.kms.KmsTransferAcsClient transfer = new com.aliyun.kms.KmsTransferAcsClient(profile, config);
        com.aliyuncs.kms.model.v20160120.EncryptRequest te = new com.aliyuncs.kms.model.v20160120.EncryptRequest();
        te.setKeyId(aes);
        te.setPlaintext("door three");
        te.setEncryptionContext("{\"tenant\":\"t1\"}");
        String transferBlob = transfer.getAcsResponse(te).getCiphertextBlob();
        TestGateway.dropCachedHttpClient("127.0.0.1:" + server.port());
        assertEquals("door three", v3().decrypt(new DecryptRequest().setCiphertextBlob(transferBlob).setEncryptionContext(context))
                .getBody().getPlaintext());
    }

    static javax.net.ssl.X509TrustManager trustManager() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                new java.io.ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
    }

    static int statusOf(TeaException e) {
        Object code = e.getStatusCode() != null ? e.getStatusCode() : e.getData() == null ? null : e.getData().get("statusCode");
        return ((Number) code).intValue();
    }

    static TeaException teaError(org.junit.jupiter.api.function.Executable call) {
        try {
            call.execute();
        } catch (TeaException e) {
            return e;
        } catch (Throwable t) {
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                if (c instanceof TeaException te) {
                    return te;
                }
            }
            return fail("expected a TeaException, got " + t, t);
        }
        return fail("expected the call to fail");
    }
}
