package io.kmsgw.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;

/**
 * A damaged stored certificate (bytes flipped, cut or appended) makes {@link Pem#subjectPublicKeyInfo}
 * refuse with IllegalArgumentException or return a DER SEQUENCE lying inside the certificate; it never
 * throws anything else or reads past the input; the undamaged certificate gives its key.
 */
class PemKeyInfoFuzzTest {
    private static final byte[] DER;
    private static final byte[] KEY;

    static {
        String pem = new ClientKeyIssuer().issue("Passw0rd_x", Instant.now(), Instant.now().plus(365, ChronoUnit.DAYS)).certificatePem();
        DER = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        KEY = Pem.subjectPublicKeyInfo(pem);
    }

    @FuzzTest
    void damagedCertificatesAreRefusedOrStillBounded(FuzzedDataProvider data) {
        byte[] der = DER.clone();
        int flips = data.consumeInt(0, 8);
        for (int i = 0; i < flips; i++) {
            der[data.consumeInt(0, der.length - 1)] = data.consumeByte();
        }
        int cut = data.consumeInt(0, der.length);
        der = Arrays.copyOf(der, data.consumeBoolean() ? cut : der.length);
        byte[] tail = data.consumeBytes(16);
        byte[] input = Arrays.copyOf(der, der.length + tail.length);
        System.arraycopy(tail, 0, input, der.length, tail.length);
        byte[] key;
        try {
            key = Pem.subjectPublicKeyInfo(Pem.encode("CERTIFICATE", input));
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertTrue(key.length >= 2 && key[0] == 0x30, "a SEQUENCE");
        boolean inside = false;
        for (int off = 0; off + key.length <= input.length && !inside; off++) {
            inside = Arrays.equals(input, off, off + key.length, key, 0, key.length);
        }
        assertTrue(inside, "bytes of the input");
        if (Arrays.equals(input, DER)) {
            assertArrayEquals(KEY, key);
        }
    }
}
