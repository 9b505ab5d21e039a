package io.kmsgw.gateway.it;

import com.aliyun.kms20160120.Client;
import com.aliyun.kms20160120.models.DecryptRequest;
import com.aliyun.kms20160120.models.EncryptRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code OpenApiEncrypt ENDPOINT CA_FILE ACCESS_KEY_ID ACCESS_KEY_SECRET KEY_ID}: one KMS OpenAPI Encrypt and its Decrypt with
 * the official {@code kms20160120} client, as an application given an AccessKey would make them. Exit 0 and "ok …" when
 * both succeed; exit 3 and "refused CODE" when the gateway refuses. Used by the console's browser tests.
 */
public final class OpenApiEncrypt {
    private OpenApiEncrypt() {
    }

    public static void main(String[] args) throws Exception {
        Client c = new Client(new Config().setEndpoint(args[0]).setProtocol("https").setCa(Files.readString(Path.of(args[1])))
                .setAccessKeyId(args[2]).setAccessKeySecret(args[3]));
        try {
            var enc = c.encrypt(new EncryptRequest().setKeyId(args[4]).setPlaintext("console e2e")).getBody();
            String back = c.decrypt(new DecryptRequest().setCiphertextBlob(enc.getCiphertextBlob())).getBody().getPlaintext();
            if (!"console e2e".equals(back)) {
                System.out.println("mismatch: Decrypt did not return the plaintext");
                System.exit(1);
            }
            System.out.println("ok " + enc.getKeyId());
        } catch (TeaException e) {
            System.out.println("refused " + e.getCode());
            System.exit(3);
        }
    }
}
