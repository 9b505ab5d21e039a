package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.AdvanceDecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyPairRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyPairResponse;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyPairWithoutPlaintextRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyPairWithoutPlaintextResponse;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyPairRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyPairResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyPairWithoutPlaintextRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyPairWithoutPlaintextResponse;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Data key pairs through the official SDK: the private key opens with (Advance)Decrypt and matches the public key. */
class DataKeyPairTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static Path dir;
    static GatewayServer server;
    static Client client;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    static String key;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        client = gw.client();
        dir = gw.dir();
        key = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
    }

    private static byte[] der(byte[] pemOrDer) {
        String s = new String(pemOrDer, StandardCharsets.US_ASCII);
        if (!s.startsWith("-----BEGIN")) {
            return pemOrDer;
        }
        return Base64.getMimeDecoder().decode(s.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static void assertPair(String alg, byte[] privateKey, byte[] publicKey) throws Exception {
        KeyFactory kf = KeyFactory.getInstance(alg, BC);
        PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(der(privateKey)));
        PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(der(publicKey)));
        if (alg.equals("RSA")) {
            assertEquals(((RSAPublicKey) pub).getModulus(), ((RSAPrivateCrtKey) priv).getModulus());
        }
        Signature s = Signature.getInstance(alg.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA", BC);
        s.initSign(priv);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(pub);
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig), "the private key belongs to the public key");
    }

    @Test
    void everyVariantReturnsAMatchingEncryptedPair() throws Exception {
        byte[] aad = {7};
        GenerateDataKeyPairResponse ec = client.generateDataKeyPair(new GenerateDataKeyPairRequest().setKeyId(key)
                .setKeyPairSpec("EC_P256").setKeyFormat("PEM").setAad(aad));
        assertTrue(new String(ec.getPrivateKeyPlaintext(), StandardCharsets.US_ASCII).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(new String(ec.getPublicKey(), StandardCharsets.US_ASCII).startsWith("-----BEGIN PUBLIC KEY-----"));
        assertEquals("AES_GCM", ec.getAlgorithm());
        assertArrayEquals(ec.getPrivateKeyPlaintext(), client.decrypt(new DecryptRequest().setKeyId(key)
                .setCiphertextBlob(ec.getPrivateKeyCiphertextBlob()).setIv(ec.getIv()).setAad(aad)).getPlaintext());
        assertPair("EC", ec.getPrivateKeyPlaintext(), ec.getPublicKey());

        GenerateDataKeyPairWithoutPlaintextResponse rsa = client.generateDataKeyPairWithoutPlaintext(
                new GenerateDataKeyPairWithoutPlaintextRequest().setKeyId(key).setKeyPairSpec("RSA_2048").setKeyFormat("DER"));
        byte[] rsaPriv = client.decrypt(new DecryptRequest().setKeyId(key).setCiphertextBlob(rsa.getPrivateKeyCiphertextBlob())
                .setIv(rsa.getIv())).getPlaintext();
        assertPair("RSA", rsaPriv, rsa.getPublicKey());

        AdvanceGenerateDataKeyPairResponse adv = client.advanceGenerateDataKeyPair(new AdvanceGenerateDataKeyPairRequest()
                .setKeyId(key).setKeyPairSpec("EC_P256K"));
        assertEquals(36, adv.getKeyVersionId().length());
        assertArrayEquals(adv.getPrivateKeyPlaintext(), client.advanceDecrypt(new AdvanceDecryptRequest()
                .setCiphertextBlob(adv.getPrivateKeyCiphertextBlob())).getPlaintext());
        assertPair("EC", adv.getPrivateKeyPlaintext(), adv.getPublicKey());

        AdvanceGenerateDataKeyPairWithoutPlaintextResponse advNp = client.advanceGenerateDataKeyPairWithoutPlaintext(
                new AdvanceGenerateDataKeyPairWithoutPlaintextRequest().setKeyId(key).setKeyPairSpec("EC_P256").setKeyFormat("DER"));
        byte[] advPriv = client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(advNp.getPrivateKeyCiphertextBlob()))
                .getPlaintext();
        assertPair("EC", advPriv, advNp.getPublicKey());

        assertEquals("InvalidParameter", teaError(() -> client.generateDataKeyPair(new GenerateDataKeyPairRequest().setKeyId(key)
                .setKeyPairSpec("EC_P999"))).getCode());
        assertEquals("InvalidParameter", teaError(() -> client.generateDataKeyPair(new GenerateDataKeyPairRequest().setKeyId(key)
                .setKeyPairSpec("EC_P256").setKeyFormat("JWK"))).getCode());
        String ecKey = admin(server, "CreateKey", "{\"KeySpec\":\"EC_P256\"}").json().get("KeyMetadata").get("KeyId").asText();
        assertEquals("UnsupportedOperation", teaError(() -> client.generateDataKeyPair(new GenerateDataKeyPairRequest().setKeyId(ecKey)
                .setKeyPairSpec("EC_P256"))).getCode());
    }

    static Stream<Arguments> everySpecFormatAndApi() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String spec : new String[] {"RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P256K"}) {
            for (String format : new String[] {"PEM", "DER"}) {
                for (String api : new String[] {"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "AdvanceGenerateDataKeyPair",
                        "AdvanceGenerateDataKeyPairWithoutPlaintext"}) {
                    b.add(Arguments.of(spec, format, api));
                }
            }
        }
        return b.build();
    }

    /**
     * Every KeyPairSpec x KeyFormat x API: the private key parses as PKCS#8 in the asked format, signs what the returned
     * public key verifies, and the ciphertext blob opens (Decrypt / AdvanceDecrypt) to exactly the plaintext returned.
     * (A DER private key once came back zero-filled: the earlier test asked for DER only without plaintext.)
     */
    @ParameterizedTest(name = "{2} {0} {1}")
    @MethodSource("everySpecFormatAndApi")
    void everySpecFormatAndApiReturnsARealKey(String spec, String format, String api) throws Exception {
        byte[] aad = {1, 2, 3};
        byte[] plain;
        byte[] blob;
        byte[] iv;
        byte[] pub;
        boolean advance = api.startsWith("Advance");
        switch (api) {
            case "GenerateDataKeyPair" -> {
                GenerateDataKeyPairResponse r = client.generateDataKeyPair(new GenerateDataKeyPairRequest().setKeyId(key)
                        .setKeyPairSpec(spec).setKeyFormat(format).setAad(aad));
                plain = r.getPrivateKeyPlaintext();
                blob = r.getPrivateKeyCiphertextBlob();
                iv = r.getIv();
                pub = r.getPublicKey();
                assertEquals(spec, r.getKeyPairSpec());
            }
            case "GenerateDataKeyPairWithoutPlaintext" -> {
                GenerateDataKeyPairWithoutPlaintextResponse r = client.generateDataKeyPairWithoutPlaintext(
                        new GenerateDataKeyPairWithoutPlaintextRequest().setKeyId(key).setKeyPairSpec(spec).setKeyFormat(format).setAad(aad));
                plain = null;
                blob = r.getPrivateKeyCiphertextBlob();
                iv = r.getIv();
                pub = r.getPublicKey();
            }
            case "AdvanceGenerateDataKeyPair" -> {
                AdvanceGenerateDataKeyPairResponse r = client.advanceGenerateDataKeyPair(new AdvanceGenerateDataKeyPairRequest()
                        .setKeyId(key).setKeyPairSpec(spec).setKeyFormat(format).setAad(aad));
                plain = r.getPrivateKeyPlaintext();
                blob = r.getPrivateKeyCiphertextBlob();
                iv = r.getIv();
                pub = r.getPublicKey();
                assertEquals(36, r.getKeyVersionId().length());
            }
            default -> {
                AdvanceGenerateDataKeyPairWithoutPlaintextResponse r = client.advanceGenerateDataKeyPairWithoutPlaintext(
                        new AdvanceGenerateDataKeyPairWithoutPlaintextRequest().setKeyId(key).setKeyPairSpec(spec).setKeyFormat(format)
                                .setAad(aad));
                plain = null;
                blob = r.getPrivateKeyCiphertextBlob();
                iv = r.getIv();
                pub = r.getPublicKey();
            }
        }
        byte[] opened = advance
                ? client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(blob).setAad(aad)).getPlaintext()
                : client.decrypt(new DecryptRequest().setKeyId(key).setCiphertextBlob(blob).setIv(iv).setAad(aad)).getPlaintext();
        if (plain != null) {
            assertArrayEquals(plain, opened, "the blob opens to exactly the private key returned");
        }
        boolean pem = format.equals("PEM");
        for (byte[] k : plain == null ? new byte[][] {opened} : new byte[][] {plain, opened}) {
            assertEquals(pem, new String(k, StandardCharsets.US_ASCII).startsWith("-----BEGIN PRIVATE KEY-----"), "private key in " + format);
        }
        assertEquals(pem, new String(pub, StandardCharsets.US_ASCII).startsWith("-----BEGIN PUBLIC KEY-----"), "public key in " + format);
        assertPair(spec.startsWith("RSA") ? "RSA" : "EC", plain != null ? plain : opened, pub);
    }
}
