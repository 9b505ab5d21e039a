package io.kmsgw.bench;

import com.google.protobuf.ByteString;
import io.kmsgw.bench.load.LoadHarness;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;

/** What several benchmarks set up alike: signed requests, and a temporary directory to remove. */
public final class Fixtures {
    private Fixtures() {
    }

    /** {@code n} distinct signed Encrypt requests of 32 random bytes under {@code alias/quickstart}, as raw HTTP. */
    public static byte[][] signedEncrypts(LoadHarness.ClientKey key, int n) throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        Signature signer = Signature.getInstance("SHA256withRSA");
        byte[][] requests = new byte[n][];
        for (int i = 0; i < n; i++) {
            requests[i] = LoadHarness.request(key, "Encrypt", encrypt32(), date, signer);
        }
        return requests;
    }

    /** An Encrypt request body: 32 random bytes under {@code alias/quickstart}. */
    public static KmsApi.EncryptRequest encrypt32() {
        byte[] plaintext = new byte[32];
        ThreadLocalRandom.current().nextBytes(plaintext);
        return KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart").setPlaintext(ByteString.copyFrom(plaintext)).build();
    }

    /** Removes a directory tree (benchmark temporaries). */
    public static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
