package io.kmsgw.hsm.mechanism;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;

/**
 * The vendor mechanism {@code CKM_SM2}: an SM2 signature (GB/T 32918.2) over a given 32-byte
 * {@code e = SM3(Z_A ‖ M)}, as {@code CKM_ECDSA} takes a digest. BouncyCastle's {@link SM2Signer} does the
 * signature arithmetic; its {@code calculateE} hook, which normally turns the signer's own SM3 over
 * {@code Z_A ‖ M} into e, returns the given e instead (the signer's own digest, over Z_A alone, is ignored).
 * Signatures are DER, as with {@code CKM_SM3_SM2}.
 */
final class Sm2DigestSigner {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int DIGEST_BYTES = 32;

    private final GivenE signer = new GivenE();

    private Sm2DigestSigner() {
    }

    static Sm2DigestSigner forSigning(java.security.PrivateKey key) throws java.security.InvalidKeyException {
        Sm2DigestSigner s = new Sm2DigestSigner();
        s.signer.init(true, new ParametersWithRandom(ECUtil.generatePrivateKeyParameter(key), RANDOM));
        return s;
    }

    static Sm2DigestSigner forVerifying(java.security.PublicKey key) throws java.security.InvalidKeyException {
        Sm2DigestSigner s = new Sm2DigestSigner();
        s.signer.init(false, ECUtil.generatePublicKeyParameter(key));
        return s;
    }

    /** Signs e; IllegalArgumentException when e is not 32 bytes. */
    byte[] sign(byte[] e) throws CryptoException {
        signer.e = checked(e);
        return signer.generateSignature();
    }

    /** Verifies a DER signature over e; IllegalArgumentException when e is not 32 bytes. */
    boolean verify(byte[] e, byte[] signature) {
        signer.e = checked(e);
        return signer.verifySignature(signature);
    }

    private static byte[] checked(byte[] e) {
        if (e == null || e.length != DIGEST_BYTES) {
            throw new IllegalArgumentException("CKM_SM2 takes the 32-byte e = SM3(Z_A || M)");
        }
        return e;
    }

    private static final class GivenE extends SM2Signer {
        private byte[] e;

        @Override
        protected BigInteger calculateE(BigInteger n, byte[] ignoredDigestOfZ) {
            return new BigInteger(1, e);
        }
    }
}
