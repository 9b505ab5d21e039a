package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aliyun.dkms.gcs.openapi.models.Config;
import com.aliyun.kms.KmsTransferAcsClient;
import com.aliyuncs.AcsRequest;
import com.aliyuncs.AcsResponse;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.FormatType;
import com.aliyuncs.http.HttpClientConfig;
import com.aliyuncs.kms.model.v20160120.AsymmetricDecryptRequest;
import com.aliyuncs.kms.model.v20160120.AsymmetricEncryptRequest;
import com.aliyuncs.kms.model.v20160120.AsymmetricEncryptResponse;
import com.aliyuncs.kms.model.v20160120.AsymmetricSignRequest;
import com.aliyuncs.kms.model.v20160120.AsymmetricSignResponse;
import com.aliyuncs.kms.model.v20160120.AsymmetricVerifyRequest;
import com.aliyuncs.kms.model.v20160120.DecryptRequest;
import com.aliyuncs.kms.model.v20160120.DecryptResponse;
import com.aliyuncs.kms.model.v20160120.EncryptRequest;
import com.aliyuncs.kms.model.v20160120.EncryptResponse;
import com.aliyuncs.kms.model.v20160120.GenerateDataKeyRequest;
import com.aliyuncs.kms.model.v20160120.GenerateDataKeyResponse;
import com.aliyuncs.kms.model.v20160120.GenerateDataKeyWithoutPlaintextRequest;
import com.aliyuncs.kms.model.v20160120.GenerateDataKeyWithoutPlaintextResponse;
import com.aliyuncs.kms.model.v20160120.GetPublicKeyRequest;
import com.aliyuncs.kms.model.v20160120.GetPublicKeyResponse;
import com.aliyuncs.kms.model.v20160120.GetSecretValueRequest;
import com.aliyuncs.kms.model.v20160120.GetSecretValueResponse;
import com.aliyuncs.profile.DefaultProfile;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The KMS-OpenAPI transfer client ({@code com.aliyun.kms:kms-transfer-client} with {@code aliyun-java-sdk-kms} request
 * classes), unmodified, against a gateway: what application code written for KMS OpenAPI does when pointed at an
 * instance. It builds KMS-style blobs {@code KeyVersionId ‖ Iv ‖ ciphertext} and decrypts them by sending only
 * {@code x-kms-migrationkeyversionid}; it reads that header from responses; it signs digests; it classifies errors by
 * the protobuf Error's code and text.
 */
class TransferClientTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    static GatewayServer server;
    static KmsTransferAcsClient kms;
    static String aes;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        JsonNode qs = TestGateway.instance(server).get("QuickStart");
        kms = transferClient(Path.of(qs.get("ClientKeyFile").asText()), Path.of(qs.get("PasswordFile").asText()));
        aes = qs.get("KeyId").asText();
    }

    /** As the transfer client's README builds it: instance-mode SDK settings plus a profile whose AccessKey is never used. */
    static KmsTransferAcsClient transferClient(Path clientKeyFile, Path passwordFile) throws Exception {
        Config config = TestGateway.sdkConfig(server, clientKeyFile, passwordFile);
        TestGateway.dropCachedHttpClient(config.getEndpoint());
        DefaultProfile profile = DefaultProfile.getProfile("cn-hangzhou", "unused-access-key-id", "unused-access-key-secret");
        profile.setHttpClientConfig(HttpClientConfig.getDefault());
        return new KmsTransferAcsClient(profile, config);
    }

    static <T extends AcsResponse> T call(AcsRequest<T> request) throws ClientException {
        return kms.getAcsResponse(request);
    }

    /** The error the client raised: it must have classified the gateway's answer, never "server unreachable". */
    static ClientException error(KmsTransferAcsClient client, AcsRequest<?> request) {
        try {
            client.getAcsResponse(request);
        } catch (ClientException e) {
            assertFalse(e.getErrCode() == null || e.getErrCode().startsWith("SDK."), "classified, not " + e.getErrCode() + ": " + e);
            return e;
        }
        return fail("expected an error");
    }

    static String createKey(String spec, String usage) throws Exception {
        return admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\",\"KeyUsage\":\"" + usage + "\"}").json().get("KeyMetadata")
                .get("KeyId").asText();
    }

    static String primaryVersion(String keyId) throws Exception {
        return admin(server, "DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").json().get("KeyMetadata").get("PrimaryKeyVersion").asText();
    }

    static EncryptResponse encrypt(String keyId, String plaintext, String context) throws ClientException {
        EncryptRequest e = new EncryptRequest();
        e.setKeyId(keyId);
        e.setPlaintext(plaintext);
        if (context != null) {
            e.setEncryptionContext(context);
        }
        return call(e);
    }

    static DecryptRequest decryptRequest(String blob, String context) {
        DecryptRequest d = new DecryptRequest();
        d.setCiphertextBlob(blob);
        if (context != null) {
            d.setEncryptionContext(context);
        }
        return d;
    }

    @Test
    void encryptThenDecryptByKeyVersionAloneInBothResponseFormats() throws Exception {
        for (FormatType format : new FormatType[] {FormatType.JSON, FormatType.XML}) {
            EncryptRequest e = new EncryptRequest();
            e.setKeyId("alias/quickstart");
            e.setPlaintext("hello, 世界 " + format);
            e.setSysAcceptFormat(format);
            EncryptResponse enc = call(e);
            assertEquals(aes, enc.getKeyId());
            assertEquals(36, enc.getKeyVersionId().length());
            byte[] blob = Base64.getDecoder().decode(enc.getCiphertextBlob());
            assertEquals(enc.getKeyVersionId(), new String(blob, 0, 36, StandardCharsets.US_ASCII), "KMS-style blob: version first");

            DecryptRequest d = decryptRequest(enc.getCiphertextBlob(), null);
            d.setSysAcceptFormat(format);
            DecryptResponse dec = call(d);
            assertEquals("hello, 世界 " + format, dec.getPlaintext());
            assertEquals(aes, dec.getKeyId());
            assertEquals(enc.getKeyVersionId(), dec.getKeyVersionId(), "the response header names the version");
        }
    }

    @Test
    void encryptionContextIsBoundInAnyKeyOrder() throws Exception {
        EncryptResponse enc = encrypt(aes, "bound", "{\"tenant\":\"t1\",\"app\":\"orders\"}");
        assertEquals("bound", call(decryptRequest(enc.getCiphertextBlob(), "{\"app\":\"orders\",\"tenant\":\"t1\"}")).getPlaintext());
        assertEquals("InvalidParameter", error(kms, decryptRequest(enc.getCiphertextBlob(), "{\"app\":\"orders\"}")).getErrCode(),
                "another context: the uniform decryption failure");
        assertEquals("InvalidParameter", error(kms, decryptRequest(enc.getCiphertextBlob(), null)).getErrCode());
        byte[] blob = Base64.getDecoder().decode(enc.getCiphertextBlob());
        blob[blob.length - 1] ^= 1;
        assertEquals("InvalidParameter", error(kms, decryptRequest(Base64.getEncoder().encodeToString(blob),
                "{\"app\":\"orders\",\"tenant\":\"t1\"}")).getErrCode(), "a tampered tag: the same failure");
    }

    @Test
    void dataKeysOpenWithDecrypt() throws Exception {
        for (String context : new String[] {null, "{\"purpose\":\"file-42\"}"}) {
            GenerateDataKeyRequest g = new GenerateDataKeyRequest();
            g.setKeyId("alias/quickstart");
            if (context != null) {
                g.setEncryptionContext(context);
            }
            GenerateDataKeyResponse dk = call(g);
            assertEquals(32, Base64.getDecoder().decode(dk.getPlaintext()).length);
            assertEquals(dk.getPlaintext(), call(decryptRequest(dk.getCiphertextBlob(), context)).getPlaintext(),
                    "Decrypt(blob) is the Base64 text of the data key");

            GenerateDataKeyWithoutPlaintextRequest w = new GenerateDataKeyWithoutPlaintextRequest();
            w.setKeyId(aes);
            w.setKeySpec("AES_128");
            if (context != null) {
                w.setEncryptionContext(context);
            }
            GenerateDataKeyWithoutPlaintextResponse np = call(w);
            assertEquals(16, Base64.getDecoder().decode(call(decryptRequest(np.getCiphertextBlob(), context)).getPlaintext()).length);
        }
    }

    @Test
    void asymmetricEncryptAndDecrypt() throws Exception {
        String rsa = createKey("RSA_2048", "ENCRYPT/DECRYPT");
        String version = primaryVersion(rsa);
        for (String alg : new String[] {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}) {
            AsymmetricEncryptRequest ae = new AsymmetricEncryptRequest();
            ae.setKeyId(rsa);
            ae.setKeyVersionId(version);
            ae.setAlgorithm(alg);
            ae.setPlaintext(Base64.getEncoder().encodeToString("pin 1234".getBytes(StandardCharsets.UTF_8)));
            AsymmetricEncryptResponse enc = call(ae);
            assertEquals(version, enc.getKeyVersionId());
            AsymmetricDecryptRequest ad = new AsymmetricDecryptRequest();
            ad.setKeyId(rsa);
            ad.setKeyVersionId(version);
            ad.setAlgorithm(alg);
            ad.setCiphertextBlob(enc.getCiphertextBlob());
            assertEquals("pin 1234", new String(Base64.getDecoder().decode(call(ad).getPlaintext()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void asymmetricSignAndVerifyDigestsForRsaEcAndSm2() throws Exception {
        byte[] message = "transfer me".getBytes(StandardCharsets.UTF_8);
        String[][] cases = {{"RSA_2048", "RSA_PSS_SHA_256"}, {"RSA_2048", "RSA_PKCS1_SHA_256"}, {"EC_P256", "ECDSA_SHA_256"},
                {"EC_P256K", "ECDSA_SHA_256"}, {"EC_SM2", "SM2DSA"}};
        for (String[] c : cases) {
            String key = createKey(c[0], "SIGN/VERIFY");
            String version = primaryVersion(key);
            GetPublicKeyRequest gp = new GetPublicKeyRequest();
            gp.setKeyId(key);
            gp.setKeyVersionId(version);
            GetPublicKeyResponse pkr = call(gp);
            assertEquals(version, pkr.getKeyVersionId(), "GetPublicKey's response header names the version");
            PublicKey pub = KeyFactory.getInstance(c[0].startsWith("RSA") ? "RSA" : "EC", BC).generatePublic(new X509EncodedKeySpec(
                    Base64.getMimeDecoder().decode(pkr.getPublicKey().replaceAll("-----[A-Z ]+-----", ""))));
            byte[] digest = c[1].equals("SM2DSA") ? Sm2Digests.e(pub, message) : MessageDigest.getInstance("SHA-256").digest(message);

            AsymmetricSignRequest s = new AsymmetricSignRequest();
            s.setKeyId(key);
            s.setKeyVersionId(version);
            s.setAlgorithm(c[1]);
            s.setDigest(Base64.getEncoder().encodeToString(digest));
            AsymmetricSignResponse signed = call(s);
            assertEquals(version, signed.getKeyVersionId(), c[1]);
            byte[] sig = Base64.getDecoder().decode(signed.getValue());

            Signature local = switch (c[1]) {
                case "RSA_PSS_SHA_256" -> {
                    Signature v = Signature.getInstance("RSASSA-PSS", BC);
                    v.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield v;
                }
                case "RSA_PKCS1_SHA_256" -> Signature.getInstance("SHA256withRSA", BC);
                case "SM2DSA" -> Signature.getInstance("SM3withSM2", BC);
                default -> Signature.getInstance("SHA256withECDSA", BC);
            };
            local.initVerify(pub);
            local.update(message);
            assertTrue(local.verify(sig), c[0] + " " + c[1] + ": the signature over the digest verifies over the message");

            for (boolean tampered : new boolean[] {false, true}) {
                byte[] d = digest.clone();
                if (tampered) {
                    d[0] ^= 1;
                }
                AsymmetricVerifyRequest v = new AsymmetricVerifyRequest();
                v.setKeyId(key);
                v.setKeyVersionId(version);
                v.setAlgorithm(c[1]);
                v.setDigest(Base64.getEncoder().encodeToString(d));
                v.setValue(signed.getValue());
                var verified = call(v);
                assertEquals(!tampered, verified.getValue(), c[1] + (tampered ? " tampered" : ""));
                assertEquals(version, verified.getKeyVersionId(), "Verify's response header names the version");
            }
        }
    }

    @Test
    void getSecretValue() throws Exception {
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"tc-db\",\"SecretData\":\"s3cr3t-v1\"}").status());
        GetSecretValueRequest g = new GetSecretValueRequest();
        g.setSecretName("tc-db");
        GetSecretValueResponse r = call(g);
        assertEquals("s3cr3t-v1", r.getSecretData());
        assertEquals("tc-db", r.getSecretName());
        assertTrue(r.getVersionStages().contains("ACSCurrent"), r.getVersionStages().toString());
        g.setSecretName("tc-missing");
        assertEquals("Forbidden.ResourceNotFound", error(kms, g).getErrCode());
    }

    @Test
    void disabledKeysAndUnknownVersionsAnswerTheirErrors() throws Exception {
        String key = createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT");
        EncryptResponse enc = encrypt(key, "soon disabled", null);
        assertEquals(200, admin(server, "DisableKey", "{\"KeyId\":\"" + key + "\"}").status());
        ClientException disabled = error(kms, decryptRequest(enc.getCiphertextBlob(), null));
        assertEquals("Rejected.Disabled", disabled.getErrCode());
        assertEquals("Rejected.Disabled", error(kms, new EncryptRequest() {
            {
                setKeyId(key);
                setPlaintext("x");
            }
        }).getErrCode());
        assertEquals(200, admin(server, "EnableKey", "{\"KeyId\":\"" + key + "\"}").status());
        assertEquals("soon disabled", call(decryptRequest(enc.getCiphertextBlob(), null)).getPlaintext());

        byte[] blob = Base64.getDecoder().decode(enc.getCiphertextBlob());
        System.arraycopy(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, blob, 0, 36);
        assertEquals("Forbidden.KeyNotFound", error(kms, decryptRequest(Base64.getEncoder().encodeToString(blob), null)).getErrCode());
    }

    @Test
    void aKeyReachedByVersionIsAuthorizedByItsIdAndAliases() throws Exception {
        String mine = createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT");
        assertEquals(200, admin(server, "CreateAlias", "{\"AliasName\":\"alias/tc-app\",\"KeyId\":\"" + mine + "\"}").status());
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"tc-policy\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceKeyUser\"],\"Resources\":[\"key/alias/tc-*\"]}").status());
        assertEquals(200, admin(server, "CreateApplicationAccessPoint", "{\"Name\":\"tc-app\",\"Policies\":[\"tc-policy\"]}").status());
        TestGateway.AdminReply created = admin(server, "CreateClientKey", "{\"AapName\":\"tc-app\",\"Password\":\"Passw0rd_tc\"}");
        assertEquals(200, created.status());
        Path[] files = TestGateway.clientKeyFiles(created, gw.dir(), "tc-app", "Passw0rd_tc");
        KmsTransferAcsClient app = transferClient(files[0], files[1]);

        EncryptRequest e = new EncryptRequest();
        e.setKeyId("alias/tc-app");
        e.setPlaintext("mine");
        EncryptResponse enc = app.getAcsResponse(e);
        assertEquals("mine", app.getAcsResponse(decryptRequest(enc.getCiphertextBlob(), null)).getPlaintext(),
                "the version's key matches key/alias/tc-* through its alias");

        EncryptResponse other = encrypt(aes, "not yours", null);
        ClientException denied = error(app, decryptRequest(other.getCiphertextBlob(), null));
        assertEquals("Forbidden.NoPermission", denied.getErrCode());

        byte[] blob = Base64.getDecoder().decode(enc.getCiphertextBlob());
        System.arraycopy(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, blob, 0, 36);
        assertEquals("Forbidden.NoPermission", error(app, decryptRequest(Base64.getEncoder().encodeToString(blob), null)).getErrCode(),
                "a policy that names no such key does not learn that the version is unknown");
    }

    @Test
    void anUnknownClientKeyIsClassifiedAsAnUnknownAccessKey() throws Exception {
        JsonNode qs = TestGateway.instance(server).get("QuickStart");
        JsonNode keyFile = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(qs.get("ClientKeyFile").asText()).toFile());
        Path unknown = gw.dir().resolve("unknown-client-key.json");
        Files.writeString(unknown, "{\"KeyId\":\"KAAP." + UUID.randomUUID() + "\",\"PrivateKeyData\":\""
                + keyFile.get("PrivateKeyData").asText() + "\"}");
        KmsTransferAcsClient stranger = transferClient(unknown, Path.of(qs.get("PasswordFile").asText()));
        EncryptRequest e = new EncryptRequest();
        e.setKeyId(aes);
        e.setPlaintext("x");
        // the gateway answers 404 Unauthorized as a protobuf Error; the client maps that code to the OpenAPI's own
        assertEquals("InvalidAccessKeyId.NotFound", error(stranger, e).getErrCode());
    }
}
