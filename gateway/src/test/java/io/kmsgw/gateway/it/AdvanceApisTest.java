package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.AdvanceDecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceDecryptResponse;
import com.aliyun.dkms.gcs.sdk.models.AdvanceEncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceEncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyResponse;
import com.aliyun.tea.TeaException;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Advance* through the official SDK: self-describing blobs that survive key rotation. */
class AdvanceApisTest {
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

    @Test
    void blobsNameTheirVersionAndSurviveRotation() throws Exception {
        String key = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        byte[] pt = "advance".getBytes(StandardCharsets.UTF_8);
        byte[] aad = {9, 9};
        AdvanceEncryptResponse before = client.advanceEncrypt(new AdvanceEncryptRequest().setKeyId(key).setPlaintext(pt).setAad(aad));
        byte[] blob = before.getCiphertextBlob();
        assertArrayEquals(new byte[] {0x24, 0x00, 0x02}, Arrays.copyOf(blob, 3));
        assertEquals(before.getKeyVersionId(), new String(blob, 3, 36, StandardCharsets.US_ASCII));
        assertEquals(3 + 36 + 12 + pt.length + 16, blob.length);

        // blob (+AAD) alone is enough
        AdvanceDecryptResponse dec = client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(blob).setAad(aad));
        assertArrayEquals(pt, dec.getPlaintext());
        assertEquals(key, dec.getKeyId());
        assertEquals(before.getKeyVersionId(), dec.getKeyVersionId());

        String v2 = admin(server, "CreateKeyVersion", "{\"KeyId\":\"" + key + "\"}").json().get("KeyVersion").get("KeyVersionId").asText();
        AdvanceEncryptResponse after = client.advanceEncrypt(new AdvanceEncryptRequest().setKeyId(key).setPlaintext(pt));
        assertEquals(v2, after.getKeyVersionId(), "new blobs use the new primary version");
        assertNotEquals(before.getKeyVersionId(), after.getKeyVersionId());
        assertArrayEquals(pt, client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(blob).setAad(aad)).getPlaintext(),
                "a blob made before CreateKeyVersion still opens");
        assertArrayEquals(pt, client.advanceDecrypt(new AdvanceDecryptRequest().setKeyId(key)
                .setCiphertextBlob(after.getCiphertextBlob())).getPlaintext());

        AdvanceGenerateDataKeyResponse dk = client.advanceGenerateDataKey(new AdvanceGenerateDataKeyRequest().setKeyId(key)
                .setNumberOfBytes(48));
        assertEquals(48, dk.getPlaintext().length);
        assertEquals(v2, dk.getKeyVersionId());
        assertArrayEquals(dk.getPlaintext(), client.advanceDecrypt(new AdvanceDecryptRequest()
                .setCiphertextBlob(dk.getCiphertextBlob())).getPlaintext());

        byte[] tampered = blob.clone();
        tampered[tampered.length - 1] ^= 1;
        TeaException bad = teaError(() -> client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(tampered).setAad(aad)));
        assertEquals("InvalidParameter", bad.getCode());
        byte[] unknownVersion = blob.clone();
        unknownVersion[5] ^= 1;
        TeaException unknown = teaError(() -> client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(unknownVersion)));
        assertEquals(bad.getCode(), unknown.getCode(), "an unknown version fails like any other ciphertext");
        assertEquals(bad.getMessage().replaceAll("RequestId.*", ""), unknown.getMessage().replaceAll("RequestId.*", ""));
        String other = admin(server, "CreateKey", "{}").json().get("KeyMetadata").get("KeyId").asText();
        assertEquals("InvalidParameter", teaError(() -> client.advanceDecrypt(new AdvanceDecryptRequest().setKeyId(other)
                .setCiphertextBlob(blob).setAad(aad))).getCode(), "a KeyId that does not own the version");
    }
}
