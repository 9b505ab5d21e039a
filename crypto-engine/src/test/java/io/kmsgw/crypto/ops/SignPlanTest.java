package io.kmsgw.crypto.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession.SignScheme;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sign and Verify requests mapped onto a scheme, hash and digest, per key spec, with RAW and DIGEST messages. */
class SignPlanTest {
    private static KeyMetadata key(KeySpec spec) {
        return KeyMetadata.created("key-s", spec, KeyUsage.SIGN_VERIFY, "", Instant.EPOCH, "v1", Map.of());
    }

    private static byte[] sha(String hash, byte[] m) throws Exception {
        return MessageDigest.getInstance(hash).digest(m);
    }

    @ParameterizedTest
    @CsvSource({"RSA_2048, RSA_PSS_SHA_256", "RSA_3072, RSA_PSS_SHA_256", "EC_P256, ECDSA_SHA_256", "EC_P256K, ECDSA_SHA_256",
            "EC_P384, ECDSA_SHA_384", "EC_P521, ECDSA_SHA_512", "EC_SM2, SM2DSA"})
    void eachSpecHasADefaultAlgorithm(KeySpec spec, String algorithm) {
        assertEquals(algorithm, SignOps.defaultAlgorithm(spec));
        assertEquals(algorithm, SignOps.plan(key(spec), "", "RAW", new byte[] {1}, null).algorithm());
    }

    @Test
    void rawMessagesAreHashedWithTheAlgorithmsHash() throws Exception {
        byte[] m = "hello".getBytes();
        SignOps.Plan pss = SignOps.plan(key(KeySpec.RSA_2048), "RSA_PSS_SHA_256", "", m, null);
        assertEquals(SignScheme.RSA_PSS, pss.scheme());
        assertArrayEquals(sha("SHA-256", m), pss.digest());
        assertEquals("RAW", pss.messageType());
        SignOps.Plan pkcs1 = SignOps.plan(key(KeySpec.RSA_2048), "RSA_PKCS1_SHA_256", "RAW", m, null);
        assertEquals(SignScheme.RSA_PKCS1, pkcs1.scheme());
        SignOps.Plan p384 = SignOps.plan(key(KeySpec.EC_P384), "", "", m, null);
        assertEquals(SignScheme.ECDSA, p384.scheme());
        assertEquals("SHA-384", p384.hash());
        assertArrayEquals(sha("SHA-384", m), p384.digest());
    }

    @Test
    void aDigestMustHaveTheHashsLength() throws Exception {
        byte[] d = sha("SHA-256", "x".getBytes());
        SignOps.Plan p = SignOps.plan(key(KeySpec.EC_P256), "ECDSA_SHA_256", "DIGEST", d, null);
        assertArrayEquals(d, p.digest());
        assertTrue(p.digestGiven());
        KmsException e = assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.EC_P521), "", "DIGEST", d, null));
        assertTrue(e.getMessage().contains("64-byte SHA-512"), e.getMessage());
        SignOps.Plan legacy = SignOps.plan(key(KeySpec.RSA_2048), "", "", null, d);
        assertEquals("DIGEST", legacy.messageType(), "the old Digest field means DIGEST");
    }

    @Test
    void algorithmsMustFitTheKeySpec() {
        KmsException e = assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.EC_P256), "RSA_PSS_SHA_256", "", new byte[1], null));
        assertEquals(KmsError.INVALID_PARAMETER, e.error());
        assertTrue(e.getMessage().contains("supported: ECDSA_SHA_256"), e.getMessage());
        assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.EC_P256), "ECDSA_SHA_384", "", new byte[1], null));
        assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.RSA_2048), "ECDSA_SHA_256", "", new byte[1], null));
        assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.EC_SM2), "ECDSA_SHA_256", "", new byte[1], null));
        assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.RSA_2048), "MD5", "", new byte[1], null));
        assertEquals("RSA_PSS_SHA_256, RSA_PKCS1_SHA_256", SignOps.supported(KeySpec.RSA_2048));
    }

    @Test
    void messagesAreOneTo4096BytesAndMessageTypesAreRawOrDigest() {
        for (KeySpec spec : new KeySpec[] {KeySpec.RSA_2048, KeySpec.EC_SM2}) {
            assertThrows(KmsException.class, () -> SignOps.plan(key(spec), "", "RAW", new byte[0], null));
            assertThrows(KmsException.class, () -> SignOps.plan(key(spec), "", "RAW", null, null));
            assertThrows(KmsException.class, () -> SignOps.plan(key(spec), "", "RAW", new byte[4097], null));
            SignOps.plan(key(spec), "", "RAW", new byte[4096], null);
            KmsException e = assertThrows(KmsException.class, () -> SignOps.plan(key(spec), "", "PREHASHED", new byte[32], null));
            assertTrue(e.getMessage().contains("valid: RAW, DIGEST"), e.getMessage());
        }
    }

    @Test
    void sm2SignsTheMessageOrTheGivenE() {
        SignOps.Plan raw = SignOps.plan(key(KeySpec.EC_SM2), "SM2DSA", "", "msg".getBytes(), null);
        assertTrue(raw.sm2());
        assertNull(raw.scheme());
        assertFalse(raw.digestGiven());
        assertArrayEquals("msg".getBytes(), raw.digest(), "the HSM computes Z_A and the SM3 itself");
        byte[] e = new byte[32];
        SignOps.Plan digest = SignOps.plan(key(KeySpec.EC_SM2), "", "DIGEST", e, null);
        assertTrue(digest.digestGiven());
        assertThrows(KmsException.class, () -> SignOps.plan(key(KeySpec.EC_SM2), "", "DIGEST", new byte[31], null));
    }

    @Test
    void encryptionKeysCannotSign() {
        KeyMetadata rsaEnc = KeyMetadata.created("k", KeySpec.RSA_2048, KeyUsage.ENCRYPT_DECRYPT, "", Instant.EPOCH, "v", Map.of());
        assertEquals(KmsError.UNSUPPORTED_OPERATION, assertThrows(KmsException.class,
                () -> SignOps.plan(rsaEnc, "", "", new byte[1], null)).error());
    }
}
