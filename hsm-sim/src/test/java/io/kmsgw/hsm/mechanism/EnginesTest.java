package io.kmsgw.hsm.mechanism;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** Private keys move to Conscrypt where it has them, and sign there exactly as the JDK and BouncyCastle would. */
class EnginesTest {
    private static final byte[] DIGEST_INFO_SHA256 = java.util.HexFormat.of().parseHex(
            "3031300d060960864801650304020105000420" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    private static KeyPair rsa2048() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    @Test
    void rsaSignsNativelyWithTheSameSignature() throws Exception {
        KeyPair kp = rsa2048();
        PrivateKey nativeKey = Engines.nativeKey(kp.getPrivate());
        assertTrue(Engines.isNative(nativeKey), "Conscrypt loads on this platform: " + nativeKey.getClass());
        assertFalse(Engines.isNative(kp.getPrivate()));
        assertArrayEquals(kp.getPrivate().getEncoded(), nativeKey.getEncoded(), "the same key");

        Signature jdk = Engines.signature("NONEwithRSA");
        jdk.initSign(kp.getPrivate());
        jdk.update(DIGEST_INFO_SHA256);
        Signature fast = Engines.signature("NONEwithRSA", nativeKey);
        assertTrue(fast.getProvider().getName().startsWith("Conscrypt"), fast.getProvider().getName());
        fast.initSign(nativeKey);
        fast.update(DIGEST_INFO_SHA256);
        // PKCS#1 v1.5 is deterministic: both providers must produce the same bytes
        assertArrayEquals(jdk.sign(), fast.sign());
    }

    @Test
    void pssOverADigestOnANativeKeyVerifiesWithTheJdk() throws Exception {
        KeyPair kp = rsa2048();
        PrivateKey nativeKey = Engines.nativeKey(kp.getPrivate());
        byte[] msg = "pss".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(msg);
        PssDigestSigner signer = new PssDigestSigner((java.security.interfaces.RSAPrivateKey) nativeKey, "SHA-256", 32,
                Engines.cipher("RSA/ECB/NoPadding", nativeKey));
        Signature v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        v.initVerify(kp.getPublic());
        v.update(msg);
        assertTrue(v.verify(signer.sign(digest)));
    }

    @Test
    void oaepDecryptsNativelyWhatTheJdkEncrypted() throws Exception {
        KeyPair kp = rsa2048();
        PrivateKey nativeKey = Engines.nativeKey(kp.getPrivate());
        for (String md : new String[] {"SHA-1", "SHA-256"}) {
            javax.crypto.spec.OAEPParameterSpec spec = new javax.crypto.spec.OAEPParameterSpec(md, "MGF1",
                    new java.security.spec.MGF1ParameterSpec(md), javax.crypto.spec.PSource.PSpecified.DEFAULT);
            javax.crypto.Cipher enc = Engines.cipher("RSA/ECB/OAEPPadding", kp.getPublic());
            assertFalse(enc.getProvider().getName().startsWith("Conscrypt"), "public-key work stays on the JDK");
            enc.init(javax.crypto.Cipher.ENCRYPT_MODE, kp.getPublic(), spec);
            byte[] ct = enc.doFinal(DIGEST_INFO_SHA256);
            javax.crypto.Cipher dec = Engines.cipher("RSA/ECB/OAEPPadding", nativeKey);
            assertTrue(dec.getProvider().getName().startsWith("Conscrypt"), md);
            dec.init(javax.crypto.Cipher.DECRYPT_MODE, nativeKey, spec);
            assertArrayEquals(DIGEST_INFO_SHA256, dec.doFinal(ct), md);
        }
    }

    @Test
    void nistCurvesSignNativelySecp256k1StaysWithBouncyCastle() throws Exception {
        byte[] digest = new byte[32];
        digest[0] = 7;
        for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1", "secp256k1"}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", Engines.BC);
            g.initialize(new ECGenParameterSpec(curve));
            KeyPair kp = g.generateKeyPair();
            PrivateKey key = Engines.nativeKey(kp.getPrivate());
            if (curve.equals("secp256k1")) {
                assertSame(kp.getPrivate(), key, "BoringSSL has no secp256k1");
            } else {
                assertTrue(Engines.isNative(key), curve);
            }
            Signature s = Engines.signature("NONEwithECDSA", key);
            s.initSign(key);
            s.update(digest);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("NONEwithECDSA", Engines.BC);
            v.initVerify(kp.getPublic());
            v.update(digest);
            assertTrue(v.verify(sig), curve + ": BouncyCastle verifies the signature");
        }
    }

    @Test
    void publicKeysAndOtherAlgorithmsKeepTheirProviders() throws Exception {
        KeyPair kp = rsa2048();
        assertFalse(Engines.signature("NONEwithRSA", kp.getPublic()).getProvider().getName().startsWith("Conscrypt"));
        PrivateKey nativeKey = Engines.nativeKey(kp.getPrivate());
        assertFalse(Engines.signature("SHA256withRSA", nativeKey).getProvider().getName().startsWith("Conscrypt"));
        assertTrue(Engines.cipher("RSA/ECB/NoPadding", nativeKey).getProvider().getName().startsWith("Conscrypt"));
        assertSame(nativeKey, Engines.nativeKey(nativeKey));
    }
}
