package io.kmsgw.hsm.mechanism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;

/** CKM_SM2 (a signature over a given e = SM3(Z_A ‖ M)) against BouncyCastle's SM3withSM2 over M, both ways. */
class Sm2DigestSignerTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    /** e per GB/T 32918.2 with the default user id, from the standard's formula. */
    static byte[] e(java.security.PublicKey pub, byte[] m) {
        X9ECParameters c = GMNamedCurves.getByName("sm2p256v1");
        ECPoint q = ((ECPublicKey) pub).getQ().normalize();
        SM3Digest z = new SM3Digest();
        byte[] id = "1234567812345678".getBytes(StandardCharsets.US_ASCII);
        z.update((byte) 0);
        z.update((byte) 128);
        z.update(id, 0, id.length);
        for (BigInteger v : new BigInteger[] {c.getCurve().getA().toBigInteger(), c.getCurve().getB().toBigInteger(),
                c.getG().getAffineXCoord().toBigInteger(), c.getG().getAffineYCoord().toBigInteger(), q.getAffineXCoord().toBigInteger(),
                q.getAffineYCoord().toBigInteger()}) {
            byte[] b = BigIntegers.asUnsignedByteArray(32, v);
            z.update(b, 0, b.length);
        }
        byte[] za = new byte[32];
        z.doFinal(za, 0);
        SM3Digest d = new SM3Digest();
        d.update(za, 0, 32);
        d.update(m, 0, m.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static KeyPair sm2() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
        g.initialize(new ECGenParameterSpec("sm2p256v1"));
        return g.generateKeyPair();
    }

    @Test
    void signingEIsSm3WithSm2OverTheMessage() throws Exception {
        KeyPair kp = sm2();
        for (int len : new int[] {0, 1, 32, 1000}) {
            byte[] m = new byte[len];
            new java.util.Random(len).nextBytes(m);
            byte[] sig = Sm2DigestSigner.forSigning(kp.getPrivate()).sign(e(kp.getPublic(), m));
            Signature bc = Signature.getInstance("SM3withSM2", BC);
            bc.initVerify(kp.getPublic());
            bc.update(m);
            assertTrue(bc.verify(sig), "BouncyCastle verifies over M, length " + len);
        }
    }

    @Test
    void verifyingEAcceptsSm3WithSm2SignaturesAndNothingElse() throws Exception {
        KeyPair kp = sm2();
        byte[] m = "message".getBytes(StandardCharsets.UTF_8);
        Signature bc = Signature.getInstance("SM3withSM2", BC);
        bc.initSign(kp.getPrivate());
        bc.update(m);
        byte[] sig = bc.sign();
        byte[] e = e(kp.getPublic(), m);
        assertTrue(Sm2DigestSigner.forVerifying(kp.getPublic()).verify(e, sig));
        byte[] wrong = e.clone();
        wrong[0] ^= 1;
        assertFalse(Sm2DigestSigner.forVerifying(kp.getPublic()).verify(wrong, sig));
        assertFalse(Sm2DigestSigner.forVerifying(sm2().getPublic()).verify(e, sig), "another key");
        byte[] bad = sig.clone();
        bad[bad.length - 1] ^= 1;
        assertFalse(Sm2DigestSigner.forVerifying(kp.getPublic()).verify(e, bad));
        assertEquals(false, Sm2DigestSigner.forVerifying(kp.getPublic()).verify(e, new byte[] {0x30, 0x00}));
    }

    @Test
    void eMustBe32Bytes() throws Exception {
        KeyPair kp = sm2();
        assertThrows(IllegalArgumentException.class, () -> Sm2DigestSigner.forSigning(kp.getPrivate()).sign(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Sm2DigestSigner.forVerifying(kp.getPublic()).verify(new byte[33], new byte[8]));
    }
}
