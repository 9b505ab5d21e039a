package io.kmsgw.gateway.it;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.bouncycastle.math.ec.ECPoint;

/**
 * e = SM3(Z_A ‖ M) as GB/T 32918.2 defines it with the default user id "1234567812345678", computed here from the
 * standard's formula (Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)): what a client sends as an SM2DSA DIGEST.
 */
final class Sm2Digests {
    private static final byte[] DEFAULT_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);

    private Sm2Digests() {
    }

    static byte[] e(PublicKey publicKey, byte[] message) {
        X9ECParameters curve = GMNamedCurves.getByName("sm2p256v1");
        ECPoint q = ((ECPublicKey) publicKey).getQ().normalize();
        SM3Digest z = new SM3Digest();
        int bits = DEFAULT_ID.length * 8;
        z.update((byte) (bits >> 8));
        z.update((byte) bits);
        z.update(DEFAULT_ID, 0, DEFAULT_ID.length);
        for (BigInteger v : new BigInteger[] {curve.getCurve().getA().toBigInteger(), curve.getCurve().getB().toBigInteger(),
                curve.getG().getAffineXCoord().toBigInteger(), curve.getG().getAffineYCoord().toBigInteger(),
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()}) {
            byte[] b = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, v);
            z.update(b, 0, b.length);
        }
        byte[] za = new byte[32];
        z.doFinal(za, 0);
        SM3Digest e = new SM3Digest();
        e.update(za, 0, za.length);
        e.update(message, 0, message.length);
        byte[] out = new byte[32];
        e.doFinal(out, 0);
        return out;
    }
}
