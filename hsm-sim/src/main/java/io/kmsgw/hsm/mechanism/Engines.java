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
 * The one place that creates JCA engines, so provider choice is made once, by measurement
 * ({@code java -jar benchmarks/target/kmsgw-bench.jar ProviderBenchmark}, this 2-core machine):
 * AES-256-GCM on 32 bytes took 0.46 us with the JDK vs 2.4 us with BouncyCastle, so AES (GCM, CBC,
 * CTR, KWP), HMAC and RSA use the JDK providers; ECDSA P-256 sign took 97 us with BouncyCastle vs
 * 968 us with the JDK (verify 100 vs 1497 us), so EC (ECDSA, key generation, and secp256k1, which
 * JDK 17 dropped) uses BouncyCastle. BouncyCastle is used as an instance, never installed globally.
 */
public final class Engines {
    public static final Provider BC = new BouncyCastleProvider();

    private Engines() {
    }

    public static Cipher cipher(String transformation) throws GeneralSecurityException {
        return transformation.startsWith("SM4") ? Cipher.getInstance(transformation, BC) : Cipher.getInstance(transformation);
    }

    public static Mac mac(String algorithm) throws GeneralSecurityException {
        return Mac.getInstance(algorithm);
    }

    public static Signature signature(String algorithm) throws GeneralSecurityException {
        return algorithm.contains("ECDSA") || algorithm.contains("SM2") || algorithm.startsWith("NONEwithRSASSA")
                ? Signature.getInstance(algorithm, BC)
                : Signature.getInstance(algorithm);
    }

    public static KeyPairGenerator keyPairGenerator(String algorithm) throws GeneralSecurityException {
        return "EC".equals(algorithm) ? KeyPairGenerator.getInstance("EC", BC) : KeyPairGenerator.getInstance(algorithm);
    }

    public static KeyFactory keyFactory(String algorithm) throws GeneralSecurityException {
        return "EC".equals(algorithm) ? KeyFactory.getInstance("EC", BC) : KeyFactory.getInstance(algorithm);
    }
}
