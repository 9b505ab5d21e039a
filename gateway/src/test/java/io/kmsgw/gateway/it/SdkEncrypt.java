package io.kmsgw.gateway.it;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.tea.TeaException;
import com.aliyun.dkms.gcs.openapi.models.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code SdkEncrypt ENDPOINT CA_FILE CLIENT_KEY_FILE PASSWORD_FILE KEY_ID}: one Encrypt and its Decrypt with the official
 * SDK and a client key's two files, as an application would use them. Exit 0 and "ok …" when both succeed; exit 3 and
 * "refused CODE" when the gateway refuses. Used by the console's browser tests on the files the browser downloaded.
 */
public final class SdkEncrypt {
    private SdkEncrypt() {
    }

    public static void main(String[] args) throws Exception {
        Config config = new Config();
        config.setProtocol("https");
        config.setEndpoint(args[0]);
        config.setCaFilePath(args[1]);
        config.setClientKeyFile(args[2]);
        config.setPassword(Files.readString(Path.of(args[3]), StandardCharsets.UTF_8));
        Client sdk = new Client(config);
        byte[] plain = "console e2e".getBytes(StandardCharsets.UTF_8);
        try {
            EncryptResponse ct = sdk.encrypt(new EncryptRequest().setKeyId(args[4]).setPlaintext(plain));
            byte[] back = sdk.decrypt(new DecryptRequest().setKeyId(ct.getKeyId()).setCiphertextBlob(ct.getCiphertextBlob())
                    .setIv(ct.getIv()).setAlgorithm(ct.getAlgorithm())).getPlaintext();
            if (!Arrays.equals(plain, back)) {
                System.out.println("mismatch: Decrypt did not return the plaintext");
                System.exit(1);
            }
            System.out.println("ok " + ct.getKeyId());
        } catch (Exception e) {
            TeaException te = TestGateway.teaError(() -> {
                throw e;
            });
            System.out.println("refused " + te.getCode());
            System.exit(3);
        }
    }
}
