package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.httpCode;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GetPublicKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.SignRequest;
import com.aliyun.dkms.gcs.sdk.models.SignResponse;
import com.aliyun.dkms.gcs.sdk.models.VerifyRequest;
import com.aliyun.tea.TeaException;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sign, Verify, GetPublicKey, Hmac, RSA-OAEP and the AES modes through the official SDK over TLS. */
class DataPlaneApisTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static Path dir;
    static GatewayServer server;
    static Client client;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        client = gw.client();
        dir = gw.dir();
    }

    private static String createKey(String spec, String usage) throws Exception {
        TestGateway.AdminReply r = admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\",\"KeyUsage\":\"" + usage + "\"}");
        assertEquals(200, r.status(), r.json().toString());
        return r.json().get("KeyMetadata").get("KeyId").asText();
    }

    private static PublicKey publicKey(String keyId, String alg) throws Exception {
        String pem = client.getPublicKey(new GetPublicKeyRequest().setKeyId(keyId)).getPublicKey();
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", ""));
        return KeyFactory.getInstance(alg, BC).generatePublic(new X509EncodedKeySpec(der));
    }

    private static void signVerify(String spec, String algorithm, String jca, PSSParameterSpec pss, String hash) throws Exception {
        String key = createKey(spec, "SIGN/VERIFY");
        byte[] msg = ("sdk message " + spec).getBytes(StandardCharsets.UTF_8);
        RuntimeOptions rt = new RuntimeOptions().setResponseHeaders(List.of("x-kms-migrationkeyversionid"));
        SignResponse signed = client.signWithOptions(new SignRequest().setKeyId(key).setAlgorithm(algorithm).setMessage(msg), rt);
        assertEquals(36, signed.getResponseHeaders().get("x-kms-migrationkeyversionid").length(), "Sign carries the version header");
        Signature v = Signature.getInstance(jca, BC);
        if (pss != null) {
            v.setParameter(pss);
        }
        v.initVerify(publicKey(key, spec.startsWith("RSA") ? "RSA" : "EC"));
        v.update(msg);
        assertTrue(v.verify(signed.getSignature()), spec + " " + algorithm + ": verifies over the PEM from GetPublicKey");

        byte[] digest = MessageDigest.getInstance(hash).digest(msg);
        SignResponse byDigest = client.sign(new SignRequest().setKeyId(key).setAlgorithm(algorithm).setMessage(digest)
                .setMessageType("DIGEST"));
        assertTrue(client.verify(new VerifyRequest().setKeyId(key).setAlgorithm(algorithm).setMessage(msg)
                .setSignature(byDigest.getSignature())).getValue(), spec + ": a DIGEST signature verifies over the message");
        byte[] bad = signed.getSignature().clone();
        bad[bad.length - 3] ^= 1;
        assertFalse(client.verify(new VerifyRequest().setKeyId(key).setAlgorithm(algorithm).setMessage(msg).setSignature(bad))
                .getValue());
    }

    @Test
    void signAndVerifyEverySpec() throws Exception {
        signVerify("RSA_2048", "RSA_PSS_SHA_256", "SHA256withRSAandMGF1",
                new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1), "SHA-256");
        signVerify("RSA_3072", "RSA_PKCS1_SHA_256", "SHA256withRSA", null, "SHA-256");
        signVerify("EC_P256", "ECDSA_SHA_256", "SHA256withECDSA", null, "SHA-256");
        signVerify("EC_P256K", "ECDSA_SHA_256", "SHA256withECDSA", null, "SHA-256");
        signVerify("EC_P384", "ECDSA_SHA_384", "SHA384withECDSA", null, "SHA-384");
        signVerify("EC_P521", "ECDSA_SHA_512", "SHA512withECDSA", null, "SHA-512");
    }

    @Test
    void sm4AndSm2ThroughTheSdk() throws Exception {
        if (TestGateway.pkcs11()) { // SoftHSM2 has neither: CreateKey says so, listing what it can serve
            for (String spec : new String[] {"Aliyun_SM4", "EC_SM2"}) {
                TestGateway.AdminReply r = admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\"}");
                assertEquals(400, r.status(), r.json().toString());
                assertTrue(r.json().get("Message").asText().contains("cannot serve the key spec " + spec + "; it supports Aliyun_AES_128"),
                        r.json().toString());
            }
            return;
        }
        String sm4 = createKey("Aliyun_SM4", "");
        byte[] pt = "SM4 and SM2 via the SDK".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId(sm4).setPlaintext(pt));
        assertEquals("SM4_GCM", enc.getAlgorithm());
        assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(sm4).setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv()).setAlgorithm("SM4_GCM")).getPlaintext());

        String sign = createKey("EC_SM2", "SIGN/VERIFY");
        SignResponse s = client.sign(new SignRequest().setKeyId(sign).setMessage(pt));
        assertEquals("SM2DSA", s.getAlgorithm());
        Signature v = Signature.getInstance("SM3withSM2", BC);
        v.initVerify(publicKey(sign, "EC"));
        v.update(pt);
        assertTrue(v.verify(s.getSignature()));
        assertTrue(client.verify(new VerifyRequest().setKeyId(sign).setAlgorithm("SM2DSA").setMessage(pt).setSignature(s.getSignature()))
                .getValue());

        String pke = createKey("EC_SM2", "ENCRYPT/DECRYPT");
        EncryptResponse sm2 = client.encrypt(new EncryptRequest().setKeyId(pke).setPlaintext(pt));
        assertEquals("SM2PKE", sm2.getAlgorithm());
        assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(pke).setCiphertextBlob(sm2.getCiphertextBlob())
                .setAlgorithm("SM2PKE")).getPlaintext());
    }

    @Test
    void rsaOaepWithALocallyMadeCiphertext() throws Exception {
        String key = createKey("RSA_2048", "ENCRYPT/DECRYPT");
        PublicKey pub = publicKey(key, "RSA");
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] local = c.doFinal("local OAEP".getBytes(StandardCharsets.UTF_8));
        assertEquals("local OAEP", new String(client.decrypt(new DecryptRequest().setKeyId(key).setCiphertextBlob(local)
                .setAlgorithm("RSAES_OAEP_SHA_256")).getPlaintext(), StandardCharsets.UTF_8));
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId(key).setPlaintext(new byte[190]));
        assertEquals("RSAES_OAEP_SHA_256", enc.getAlgorithm());
        assertEquals(256, enc.getCiphertextBlob().length);
        assertArrayEquals(new byte[190], client.decrypt(new DecryptRequest().setKeyId(key).setCiphertextBlob(enc.getCiphertextBlob()))
                .getPlaintext());
        TeaException tooLong = teaError(() -> client.encrypt(new EncryptRequest().setKeyId(key).setPlaintext(new byte[191])));
        assertEquals("InvalidParameter", tooLong.getCode());
    }

    private static byte[] hmac(String keyId, byte[] message) throws Exception {
        RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
        byte[] body = io.kmsgw.gateway.protocol.pb.KmsApi.HmacRequest.newBuilder().setKeyId(keyId)
                .setMessage(com.google.protobuf.ByteString.copyFrom(message)).build().toByteArray();
        RawHttps.Response r = RawHttps.send(Path.of(TestGateway.instance(server).get("CaFile").asText()), server.port(),
                "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "Hmac", body) + "content-length: " + body.length
                        + "\r\nconnection: close\r\n\r\n", body);
        assertEquals(200, r.status());
        var resp = io.kmsgw.gateway.protocol.pb.KmsApi.HmacResponse.parseFrom(r.body());
        assertEquals(keyId, resp.getKeyId());
        return resp.getSignature().toByteArray();
    }

    @Test
    void aesModesAndHmacThroughTheSdk() throws Exception {
        String key = createKey("Aliyun_AES_128", "");
        byte[] pt = "modes through the SDK".getBytes(StandardCharsets.UTF_8);
        for (String alg : new String[] {"AES_CBC", "AES_CTR", "AES_ECB", "AES_GCM"}) {
            EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId(key).setAlgorithm(alg).setPlaintext(pt));
            assertEquals(alg, enc.getAlgorithm());
            assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(key).setAlgorithm(alg).setCiphertextBlob(enc.getCiphertextBlob())
                    .setIv(enc.getIv()).setPaddingMode(enc.getPaddingMode())).getPlaintext(), alg);
        }
        EncryptResponse cbc = client.encrypt(new EncryptRequest().setKeyId(key).setAlgorithm("AES_CBC").setPlaintext(pt));
        assertEquals("PKCS7_PADDING", cbc.getPaddingMode());
        assertEquals(16, cbc.getIv().length);
        TeaException aad = teaError(() -> client.encrypt(new EncryptRequest().setKeyId(key).setAlgorithm("AES_CBC").setPlaintext(pt)
                .setAad(new byte[] {1})));
        assertEquals("InvalidParameter", aad.getCode());

        // the Java SDK 0.5.2 has no Hmac method (the protocol has the API): a signed request made like the SDK's
        String mac = createKey("HMAC_384", "GENERATE_VERIFY_MAC");
        byte[] a = hmac(mac, pt);
        assertEquals(48, a.length);
        assertArrayEquals(a, hmac(mac, pt));

        TeaException wrongUsage = teaError(() -> client.sign(new SignRequest().setKeyId(key).setMessage(pt)));
        assertEquals("UnsupportedOperation", wrongUsage.getCode());
        assertEquals(400, httpCode(wrongUsage));
        TeaException noKey = teaError(() -> client.sign(new SignRequest().setKeyId("alias/none").setMessage(pt)));
        assertEquals("Forbidden.KeyNotFound", noKey.getCode());
        assertEquals(404, httpCode(noKey));
    }
}
