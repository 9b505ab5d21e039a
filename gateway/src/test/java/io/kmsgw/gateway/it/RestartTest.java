package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart on the same data dir keeps the instance id, CA, client key and key: old ciphertexts still open. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void ciphertextFromBeforeARestartDecryptsAfterIt() throws Exception {
        byte[] pt = "made before the restart".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc;
        JsonNode before;
        String caBefore;
        try (GatewayServer first = TestGateway.start(dir)) {
            before = TestGateway.instance(first);
            caBefore = Files.readString(Path.of(before.get("CaFile").asText()));
            enc = TestGateway.sdkClient(first).encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(pt));
        }
        try (GatewayServer second = TestGateway.start(dir)) {
            JsonNode after = TestGateway.instance(second);
            assertEquals(before.get("InstanceId"), after.get("InstanceId"));
            assertEquals(before.get("QuickStart"), after.get("QuickStart"), "same quick-start AAP, client key and key");
            assertEquals(caBefore, Files.readString(Path.of(after.get("CaFile").asText())), "the CA bundle is never rewritten");
            Client client = TestGateway.sdkClient(second);
            byte[] back = client.decrypt(new DecryptRequest().setKeyId(enc.getKeyId()).setCiphertextBlob(enc.getCiphertextBlob())
                    .setIv(enc.getIv())).getPlaintext();
            assertArrayEquals(pt, back);
        }
    }
}
