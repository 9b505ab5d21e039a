package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both verification paths (Conscrypt's raw RSA against the expected DigestInfo, and the JDK's
 * SHA256withRSA) accept exactly the JDK's SHA256withRSA signatures of the bytes given, and nothing that
 * merely resembles one.
 */
class SignatureVerifierTest {
    private static KeyPair keys;
    private static KeyPair otherKeys;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        otherKeys = g.generateKeyPair();
    }

    private static byte[] sign(String algorithm, PrivateKey key, byte[] data) throws Exception {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    @ParameterizedTest(name = "conscrypt preferred: {0}")
    @ValueSource(booleans = {true, false})
    void acceptsTheSignatureOfTheGivenBytesOnly(boolean conscrypt) throws Exception {
        SignatureVerifier v = new SignatureVerifier(conscrypt);
        if (conscrypt) {
            assertEquals("Conscrypt", v.providerName(), "this machine has Conscrypt's native library; the raw path is under test");
        }
        PublicKey pub = v.prepare(keys.getPublic());
        byte[] data = "POST\nABC\napplication/x-protobuf\nMon, 23 Nov 2026 12:57:38 GMT\nx-kms-apiname:Encrypt\n/".getBytes(StandardCharsets.UTF_8);
        byte[] sig = sign("SHA256withRSA", keys.getPrivate(), data);

        for (int i = 0; i < 3; i++) {
            assertTrue(v.verify(pub, data, sig), "valid, and again on the same thread's reused state");
        }
        byte[] longer = Arrays.copyOf(data, data.length + 40);
        assertTrue(v.verify(pub, longer, data.length, sig), "only data[0, length) counts");
        assertFalse(v.verify(pub, longer, data.length + 1, sig));

        byte[] other = data.clone();
        other[5] ^= 1;
        assertFalse(v.verify(pub, other, sig), "other bytes");
        byte[] flipped = sig.clone();
        flipped[100] ^= 1;
        assertFalse(v.verify(pub, data, flipped), "a changed signature");
        assertFalse(v.verify(pub, data, Arrays.copyOf(sig, sig.length - 1)), "a short signature");
        assertFalse(v.verify(pub, data, new byte[0]));
        assertFalse(v.verify(v.prepare(otherKeys.getPublic()), data, sig), "another key");

        // Same digest, other encodings: a SHA-1 DigestInfo, and the bare SHA-256 digest without DigestInfo.
        assertFalse(v.verify(pub, data, sign("SHA1withRSA", keys.getPrivate(), data)));
        byte[] bare = MessageDigest.getInstance("SHA-256").digest(data);
        assertFalse(v.verify(pub, data, sign("NONEwithRSA", keys.getPrivate(), bare)), "PKCS#1 padding over the bare digest");
        assertTrue(v.verify(pub, data, sig), "a failure leaves the thread's state clean");
    }
}
