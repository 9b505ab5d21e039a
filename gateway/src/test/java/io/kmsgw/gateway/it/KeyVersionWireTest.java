package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.*;
import com.aliyun.tea.TeaException;
import com.google.protobuf.ByteString;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the transfer and KMS-3.0 clients (Java, Python, Go) rely on beyond the instance SDK's own calls, pinned through
 * the official instance SDK: {@code x-kms-migrationkeyversionid} on every response that used a key version (the Python
 * KMS SDK fails with "Can not found response headers" without it), that header naming the key alone on Decrypt, Sign,
 * Verify and GetPublicKey, SM2DSA over a given digest, and a GetSecretValue refusal that names the key.
 */
class KeyVersionWireTest {
    static final String HEADER = "x-kms-migrationkeyversionid";
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    static GatewayServer server;
    static Client client;
    static String aes;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        client = gw.client();
        aes = TestGateway.instance(server).get("QuickStart").get("KeyId").asText();
    }

    static String createKey(String spec, String usage) throws Exception {
        return admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\",\"KeyUsage\":\"" + usage + "\"}").json().get("KeyMetadata")
                .get("KeyId").asText();
    }

    /** The key's primary version (for a key never rotated, also its initial one). */
    static String primaryVersion(String keyId) throws Exception {
        return admin(server, "DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").json().get("KeyMetadata").get("PrimaryKeyVersion").asText();
    }

    static RuntimeOptions wantsHeader() {
        RuntimeOptions rt = new RuntimeOptions();
        rt.setResponseHeaders(List.of(HEADER));
        return rt;
    }

    static Map<String, String> header(String version) {
        return Map.of(HEADER, version);
    }

    @Test
    void everyResponseThatUsedAKeyVersionNamesIt() throws Exception {
        String initial = primaryVersion(aes);
        assertEquals(200, admin(server, "CreateKeyVersion", "{\"KeyId\":\"" + aes + "\"}").status());
        String primary = primaryVersion(aes);
        assertFalse(initial.equals(primary));
        String rsa = createKey("RSA_2048", "SIGN/VERIFY");
        String rsaVersion = primaryVersion(rsa);
        byte[] pt = "headers".getBytes(StandardCharsets.UTF_8);
        RuntimeOptions rt = wantsHeader();

        EncryptResponse enc = client.encryptWithOptions(new EncryptRequest().setKeyId(aes).setPlaintext(pt), rt);
        AdvanceEncryptResponse adv = client.advanceEncryptWithOptions(new AdvanceEncryptRequest().setKeyId(aes).setPlaintext(pt), rt);
        SignResponse sig = client.signWithOptions(new SignRequest().setKeyId(rsa).setMessage(pt), rt);
        Map<String, Supplier<Map<String, String>>> calls = new java.util.LinkedHashMap<>();
        calls.put("Encrypt " + initial, enc::getResponseHeaders);
        calls.put("Decrypt " + initial, () -> uncheck(() -> client.decryptWithOptions(new DecryptRequest().setKeyId(aes)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()), rt).getResponseHeaders()));
        calls.put("GenerateDataKey " + initial, () -> uncheck(() -> client.generateDataKeyWithOptions(
                new GenerateDataKeyRequest().setKeyId(aes), rt).getResponseHeaders()));
        calls.put("AdvanceEncrypt " + primary, adv::getResponseHeaders);
        calls.put("AdvanceDecrypt " + primary, () -> uncheck(() -> client.advanceDecryptWithOptions(new AdvanceDecryptRequest()
                .setCiphertextBlob(adv.getCiphertextBlob()), rt).getResponseHeaders()));
        calls.put("AdvanceGenerateDataKey " + primary, () -> uncheck(() -> client.advanceGenerateDataKeyWithOptions(
                new AdvanceGenerateDataKeyRequest().setKeyId(aes), rt).getResponseHeaders()));
        calls.put("GenerateDataKeyPair " + initial, () -> uncheck(() -> client.generateDataKeyPairWithOptions(
                new GenerateDataKeyPairRequest().setKeyId(aes).setKeyPairSpec("EC_P256"), rt).getResponseHeaders()));
        calls.put("GenerateDataKeyPairWithoutPlaintext " + initial, () -> uncheck(() -> client.generateDataKeyPairWithoutPlaintextWithOptions(
                new GenerateDataKeyPairWithoutPlaintextRequest().setKeyId(aes).setKeyPairSpec("EC_P256"), rt).getResponseHeaders()));
        calls.put("AdvanceGenerateDataKeyPair " + primary, () -> uncheck(() -> client.advanceGenerateDataKeyPairWithOptions(
                new AdvanceGenerateDataKeyPairRequest().setKeyId(aes).setKeyPairSpec("EC_P256"), rt).getResponseHeaders()));
        calls.put("AdvanceGenerateDataKeyPairWithoutPlaintext " + primary, () -> uncheck(() ->
                client.advanceGenerateDataKeyPairWithoutPlaintextWithOptions(new AdvanceGenerateDataKeyPairWithoutPlaintextRequest()
                        .setKeyId(aes).setKeyPairSpec("EC_P256"), rt).getResponseHeaders()));
        calls.put("Sign " + rsaVersion, sig::getResponseHeaders);
        calls.put("Verify " + rsaVersion, () -> uncheck(() -> client.verifyWithOptions(new VerifyRequest().setKeyId(rsa).setMessage(pt)
                .setSignature(sig.getSignature()), rt).getResponseHeaders()));
        calls.put("GetPublicKey " + rsaVersion, () -> uncheck(() -> client.getPublicKeyWithOptions(new GetPublicKeyRequest().setKeyId(rsa), rt)
                .getResponseHeaders()));
        for (var call : calls.entrySet()) {
            String[] apiAndVersion = call.getKey().split(" ");
            assertEquals(apiAndVersion[1], call.getValue().get().get(HEADER), apiAndVersion[0] + " names the version it used");
        }

        // Hmac (no method in the Java SDK 0.5.2; the Go and Python SDKs call it): raw
        String hmac = createKey("HMAC_256", "GENERATE_VERIFY_MAC");
        byte[] body = KmsApi.HmacRequest.newBuilder().setKeyId(hmac).setMessage(ByteString.copyFrom(pt)).build().toByteArray();
        RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
        RawHttps.Response r = RawHttps.send(Path.of(TestGateway.instance(server).get("CaFile").asText()), server.port(),
                "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "Hmac", body) + "content-length: " + body.length
                        + "\r\nconnection: close\r\n\r\n", body);
        assertEquals(200, r.status());
        assertEquals(primaryVersion(hmac), r.headers().get(HEADER), "Hmac names the version it used");
    }

    @Test
    void aKeyVersionAloneNamesTheKeyOnDecryptSignVerifyAndGetPublicKey() throws Exception {
        byte[] pt = "by version".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc = client.encryptWithOptions(new EncryptRequest().setKeyId(aes).setPlaintext(pt), wantsHeader());
        String v = enc.getResponseHeaders().get(HEADER);
        DecryptResponse dec = client.decryptWithOptions((DecryptRequest) new DecryptRequest().setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv()).setRequestHeaders(header(v)), wantsHeader());
        assertArrayEquals(pt, dec.getPlaintext());
        assertEquals(aes, dec.getKeyId());
        assertEquals(v, dec.getResponseHeaders().get(HEADER));

        String ec = createKey("EC_P256", "SIGN/VERIFY");
        String ecVersion = primaryVersion(ec);
        SignResponse sig = client.signWithOptions((SignRequest) new SignRequest().setMessage(pt).setRequestHeaders(header(ecVersion)),
                new RuntimeOptions());
        assertEquals(ec, sig.getKeyId());
        assertTrue(client.verifyWithOptions((VerifyRequest) new VerifyRequest().setMessage(pt).setSignature(sig.getSignature())
                .setRequestHeaders(header(ecVersion)), new RuntimeOptions()).getValue());
        GetPublicKeyResponse pk = client.getPublicKeyWithOptions((GetPublicKeyRequest) new GetPublicKeyRequest()
                .setRequestHeaders(header(ecVersion)), new RuntimeOptions());
        assertEquals(ec, pk.getKeyId());
        assertEquals(client.getPublicKey(new GetPublicKeyRequest().setKeyId(ec)).getPublicKey(), pk.getPublicKey());

        TeaException foreign = teaError(() -> client.decryptWithOptions((DecryptRequest) new DecryptRequest().setKeyId(aes)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()).setRequestHeaders(header(ecVersion)), new RuntimeOptions()));
        assertEquals("InvalidParameter", foreign.getCode(), "a KeyId and a version of another key");
        TeaException neither = teaError(() -> client.decrypt(new DecryptRequest().setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv())));
        assertEquals("InvalidParameter", neither.getCode());
        assertEquals("KeyId is required.", neither.getMessage().replaceAll("^code: \\d+, ", "").replaceAll(" request id: .*$", ""));
        TeaException unknown = teaError(() -> client.decryptWithOptions((DecryptRequest) new DecryptRequest()
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()).setRequestHeaders(header(java.util.UUID.randomUUID()
                        .toString())), new RuntimeOptions()));
        assertEquals("Forbidden.KeyNotFound", unknown.getCode());
        assertEquals(404, TestGateway.httpCode(unknown));
    }

    @Test
    void sm2dsaSignsAndVerifiesAGivenDigest() throws Exception {
        String sm2 = createKey("EC_SM2", "SIGN/VERIFY");
        PublicKey pub = KeyFactory.getInstance("EC", BC).generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(
                client.getPublicKey(new GetPublicKeyRequest().setKeyId(sm2)).getPublicKey().replaceAll("-----[A-Z ]+-----", ""))));
        byte[] message = "GB/T 32918.2".getBytes(StandardCharsets.UTF_8);
        byte[] e = Sm2Digests.e(pub, message);

        // the gateway signs e; BouncyCastle verifies over M
        SignResponse signed = client.sign(new SignRequest().setKeyId(sm2).setAlgorithm("SM2DSA").setMessageType("DIGEST").setMessage(e));
        assertEquals("DIGEST", signed.getMessageType());
        Signature bc = Signature.getInstance("SM3withSM2", BC);
        bc.initVerify(pub);
        bc.update(message);
        assertTrue(bc.verify(signed.getSignature()), "SM2DSA over the given e is SM3withSM2 over M");

        // a RAW signature (SM3withSM2 over M, made in the HSM) verifies as DIGEST over e, and the other way round
        byte[] raw = client.sign(new SignRequest().setKeyId(sm2).setMessage(message)).getSignature();
        assertTrue(client.verify(new VerifyRequest().setKeyId(sm2).setMessageType("DIGEST").setMessage(e).setSignature(raw)).getValue(),
                "a RAW signature verifies as DIGEST over e");
        assertTrue(client.verify(new VerifyRequest().setKeyId(sm2).setMessage(message).setSignature(signed.getSignature())).getValue(),
                "a DIGEST signature verifies as RAW over M");
        byte[] other = e.clone();
        other[5] ^= 1;
        assertFalse(client.verify(new VerifyRequest().setKeyId(sm2).setMessageType("DIGEST").setMessage(other)
                .setSignature(signed.getSignature())).getValue());
        assertEquals("InvalidParameter", teaError(() -> client.sign(new SignRequest().setKeyId(sm2).setMessageType("DIGEST")
                .setMessage(new byte[31]))).getCode());
    }

    @Test
    void aSecretRefusedForItsKeyNamesTheKey() throws Exception {
        String protecting = createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT");
        assertEquals(200, admin(server, "CreateSecret", "{\"SecretName\":\"kv-db\",\"SecretData\":\"pw\",\"EncryptionKeyId\":\""
                + protecting + "\"}").status());
        assertEquals(200, admin(server, "CreatePolicy", "{\"Name\":\"kv-secrets\",\"Permissions\":[\"RbacPermission/Template/"
                + "CryptoServiceSecretUser\",\"RbacPermission/Template/CryptoServiceKeyUser\"],\"Resources\":[\"secret/*\",\"key/"
                + aes + "\"]}").status());
        assertEquals(200, admin(server, "CreateApplicationAccessPoint", "{\"Name\":\"kv-app\",\"Policies\":[\"kv-secrets\"]}").status());
        TestGateway.AdminReply created = admin(server, "CreateClientKey", "{\"AapName\":\"kv-app\",\"Password\":\"Passw0rd_kv\"}");
        Path[] files = TestGateway.clientKeyFiles(created, gw.dir(), "kv-app", "Passw0rd_kv");
        Client app = TestGateway.sdkClient(server, files[0], files[1]);
        TeaException refused = teaError(() -> app.getSecretValue(new GetSecretValueRequest().setSecretName("kv-db")));
        assertEquals("Forbidden.NoPermission", refused.getCode());
        assertTrue(refused.getMessage().contains("This operation for \"" + protecting + "\" is forbidden by permission system."),
                refused.getMessage());
    }

    interface Call<T> {
        T run() throws Exception;
    }

    static <T> T uncheck(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
