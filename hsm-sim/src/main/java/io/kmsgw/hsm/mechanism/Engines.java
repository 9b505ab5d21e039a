package io.kmsgw.hsm.mechanism;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one place that creates JCA engines, so provider choice is made once, by measurement:
 * AES (GCM, CBC, CTR, KWP), HMAC and RSA use the JDK providers (AES-NI intrinsics; ~10x BouncyCastle
 * on AES-GCM here); EC (ECDSA, key generation, secp256k1 which JDK 17 dropped) uses BouncyCastle
 * (~10x JDK 17 on ECDSA here). BouncyCastle is used as an instance, never installed globally.
 */
public final class Engines {
    public static final Provider BC = new BouncyCastleProvider();

    private Engines() {
    }

    public static Cipher cipher(String transformation) throws GeneralSecurityException {
        return Cipher.getInstance(transformation);
    }

    public static Mac mac(String algorithm) throws GeneralSecurityException {
        return Mac.getInstance(algorithm);
    }

    public static Signature signature(String algorithm) throws GeneralSecurityException {
        return algorithm.contains("ECDSA") ? Signature.getInstance(algorithm, BC) : Signature.getInstance(algorithm);
    }

    public static KeyPairGenerator keyPairGenerator(String algorithm) throws GeneralSecurityException {
        return "EC".equals(algorithm) ? KeyPairGenerator.getInstance("EC", BC) : KeyPairGenerator.getInstance(algorithm);
    }

    public static KeyFactory keyFactory(String algorithm) throws GeneralSecurityException {
        return "EC".equals(algorithm) ? KeyFactory.getInstance("EC", BC) : KeyFactory.getInstance(algorithm);
    }
}
