package io.kmsgw.gateway.it;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code SdkSmoke INSTANCE_JSON}: drives a running gateway from outside with the official SDK (quick-start
 * client key, instance CA): Encrypt/Decrypt round trip, GenerateDataKey and its Decrypt, GenerateRandom.
 * Exit 0 and one line when all pass. Used by {@code deploy/test-image.sh} against the container.
 */
public final class SdkSmoke {
    private SdkSmoke() {
    }

    public static void main(String[] args) throws Exception {
        Client sdk = TestGateway.sdkClient(new ObjectMapper().readTree(Path.of(args[0]).toFile()));
        byte[] plain = "container smoke test".getBytes(StandardCharsets.UTF_8);
        EncryptResponse ct = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain));
        byte[] back = sdk.decrypt(new DecryptRequest().setKeyId(ct.getKeyId()).setCiphertextBlob(ct.getCiphertextBlob())
                .setIv(ct.getIv()).setAlgorithm(ct.getAlgorithm())).getPlaintext();
        check(Arrays.equals(plain, back), "Encrypt/Decrypt round trip");
        GenerateDataKeyResponse dk = sdk.generateDataKey(new GenerateDataKeyRequest().setKeyId("alias/quickstart").setNumberOfBytes(32));
        byte[] opened = sdk.decrypt(new DecryptRequest().setKeyId(dk.getKeyId()).setCiphertextBlob(dk.getCiphertextBlob())
                .setIv(dk.getIv()).setAlgorithm(dk.getAlgorithm())).getPlaintext();
        check(Arrays.equals(dk.getPlaintext(), opened) && opened.length == 32, "GenerateDataKey and Decrypt of its ciphertext");
        check(sdk.generateRandom(new GenerateRandomRequest().setLength(24)).getRandom().length == 24, "GenerateRandom");
        System.out.println("sdk smoke: Encrypt/Decrypt, GenerateDataKey, GenerateRandom ok against " + ct.getKeyId());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("sdk smoke: " + what + " failed");
            System.exit(1);
        }
    }
}
