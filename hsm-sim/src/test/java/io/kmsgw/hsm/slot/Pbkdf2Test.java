package io.kmsgw.hsm.slot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

/** Our PBKDF2-HMAC-SHA256 gives the published vectors and exactly the JDK's bytes, so existing tokens still open. */
class Pbkdf2Test {

    @Test
    void rfc7914Vectors() {
        assertArrayEquals(HexFormat.of().parseHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
                Pbkdf2.hmacSha256(bytes("passwd"), bytes("salt"), 1, 64));
        assertArrayEquals(HexFormat.of().parseHex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                        + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
                Pbkdf2.hmacSha256(bytes("Password"), bytes("NaCl"), 80000, 64));
    }

    @Test
    void sameBytesAsTheJdk() throws Exception {
        Random r = new Random(7);
        SecretKeyFactory jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        String[] passwords = {"a", "a-sixteen-chars!", "pässwörd ✓ 𝄞", "x".repeat(64), "y".repeat(65), "z".repeat(200)};
        int[] lengths = {1, 31, 32, 33, 64, 100};
        int[] iterations = {1, 2, 3, 1000};
        for (String password : passwords) {
            for (int length : lengths) {
                for (int iter : iterations) {
                    byte[] salt = new byte[r.nextInt(3) == 0 ? 0 : 16];
                    r.nextBytes(salt);
                    if (salt.length == 0) {
                        continue; // the JDK refuses an empty salt; RFC 8018 allows it, and so do we (tested below)
                    }
                    byte[] expected = jdk.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iter, length * 8)).getEncoded();
                    assertArrayEquals(expected, Pbkdf2.hmacSha256(bytes(password), salt, iter, length),
                            password.length() + " chars, " + length + " bytes, " + iter + " iterations");
                }
            }
        }
        Pbkdf2.hmacSha256(bytes("pw"), new byte[0], 10, 32);
    }

    @Test
    void tokenDerivationUnchanged() throws Exception {
        // the verifier and KEK of a token written before this class existed (JDK PBKDF2, 512 bits, UTF-8 PIN)
        char[] pin = "ü-some-hsm-secret-0123".toCharArray();
        byte[] salt = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(pin, salt, 1000, 512)).getEncoded();
        TokenStorage.Derived d = new TokenStorage(null, 1000, null).derive(pin, salt, 1000);
        assertArrayEquals(java.util.Arrays.copyOfRange(jdk, 0, 32), d.verifier());
        assertArrayEquals(java.util.Arrays.copyOfRange(jdk, 32, 64), d.kek().getEncoded());
    }

    @Test
    void refusesNoWork() {
        assertThrows(IllegalArgumentException.class, () -> Pbkdf2.hmacSha256(bytes("pw"), bytes("salt"), 0, 32));
        assertThrows(IllegalArgumentException.class, () -> Pbkdf2.hmacSha256(bytes("pw"), bytes("salt"), 1, 0));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
