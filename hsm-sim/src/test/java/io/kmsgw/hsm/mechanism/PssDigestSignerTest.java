package io.kmsgw.hsm.mechanism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import javax.crypto.Cipher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RSASSA-PSS over a given digest, made by the token's own encoder and raw RSA: every signature must verify
 * with the JDK's RSASSA-PSS over the message the digest came from.
 */
class PssDigestSignerTest {
    private static KeyPair rsa;

    @BeforeAll
    static void key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
    }

    private static PssDigestSigner signer(String hash, int salt) throws GeneralSecurityException {
        Cipher raw = new EngineCache().cipher("RSA/ECB/NoPadding", rsa.getPrivate());
        return new PssDigestSigner((RSAPrivateKey) rsa.getPrivate(), hash, salt, raw);
    }

    private static boolean jdkVerifies(String hash, int salt, byte[] message, byte[] sig) throws Exception {
        Signature v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1));
        v.initVerify(rsa.getPublic());
        v.update(message);
        return v.verify(sig);
    }

    @ParameterizedTest
    @CsvSource({"SHA-256, 32", "SHA-256, 0", "SHA-384, 48", "SHA-512, 64", "SHA-1, 20"})
    void signaturesVerifyWithTheJdk(String hash, int salt) throws Exception {
        byte[] message = ("message for " + hash).getBytes();
        byte[] digest = MessageDigest.getInstance(hash).digest(message);
        byte[] sig = signer(hash, salt).sign(digest);
        assertEquals(256, sig.length);
        assertTrue(jdkVerifies(hash, salt, message, sig));
        assertFalse(jdkVerifies(hash, salt, "another message".getBytes(), sig));
    }

    @Test
    void aRandomSaltMakesEverySignatureNewAndNoSaltMakesThemEqual() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("m".getBytes());
        PssDigestSigner salted = signer("SHA-256", 32);
        assertFalse(java.util.Arrays.equals(salted.sign(digest), salted.sign(digest)));
        PssDigestSigner unsalted = signer("SHA-256", 0);
        assertTrue(java.util.Arrays.equals(unsalted.sign(digest), unsalted.sign(digest)));
    }

    @Test
    void theInputMustBeADigestOfTheMechanismsHash() throws Exception {
        PssDigestSigner s = signer("SHA-256", 32);
        assertThrows(IllegalArgumentException.class, () -> s.sign(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> s.sign(new byte[48]));
    }

    @Test
    void aSaltTooLongForTheKeyIsRefused() throws Exception {
        PssDigestSigner s = signer("SHA-512", 256 - 64 - 1);
        assertThrows(GeneralSecurityException.class, () -> s.sign(new byte[64]));
    }

    @Test
    void theEngineCacheKeepsOneEnginePerNameAndProvider() throws Exception {
        EngineCache cache = new EngineCache();
        assertSame(cache.cipher("AES/GCM/NoPadding"), cache.cipher("AES/GCM/NoPadding"));
        assertNotSame(cache.cipher("AES/GCM/NoPadding"), cache.cipher("AES/CBC/NoPadding"));
        assertSame(cache.mac("HmacSHA256"), cache.mac("HmacSHA256"));
        assertSame(cache.signature("SHA256withECDSA"), cache.signature("SHA256withECDSA"));
        assertNotSame(new EngineCache().mac("HmacSHA256"), cache.mac("HmacSHA256"), "each session has engines of its own");
    }
}
