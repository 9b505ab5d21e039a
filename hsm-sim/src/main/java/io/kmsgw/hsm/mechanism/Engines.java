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
 *
 * <p>Private keys of RSA and of the NIST curves are held as Conscrypt (BoringSSL) keys when its native library loads,
 * and sign there: RSA-2048 PKCS#1 v1.5 took 0.70–0.75 ms against the JDK's 1.27–1.39 ms, ECDSA P-256 21–23 µs against
 * BouncyCastle's 113–147 µs (same machine, a 400/4,000-signature loop after warm-up). A JDK or BouncyCastle key handed to
 * Conscrypt is converted on every init and is slower than the JDK (1.5 ms), so the key object itself is converted once,
 * when the token makes or unwraps it. secp256k1 and SM2, which BoringSSL lacks, stay with BouncyCastle.
 */
public final class Engines {
    public static final Provider BC = new BouncyCastleProvider();
    /** Conscrypt, or null where its native library does not load (then everything stays on the JDK and BouncyCastle). */
    static final Provider NATIVE = loadNative();

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

    /** A signature engine for a key: Conscrypt's for a Conscrypt key where it has the algorithm, else {@link #signature(String)}. */
    public static Signature signature(String algorithm, java.security.Key key) throws GeneralSecurityException {
        return isNative(key) && ("NONEwithRSA".equals(algorithm) || "NONEwithECDSA".equals(algorithm))
                ? Signature.getInstance(algorithm, NATIVE) : signature(algorithm);
    }

    /**
     * A cipher for a key: Conscrypt's RSA (raw, or OAEP) for a Conscrypt key, else {@link #cipher(String)}. The JDK's
     * RSA cipher given a Conscrypt key decrypted OAEP in 4.5–5.0 ms, against 1.35–1.6 ms with its own key and 0.81–0.83 ms
     * for Conscrypt with its own.
     */
    public static Cipher cipher(String transformation, java.security.Key key) throws GeneralSecurityException {
        return isNative(key) && ("RSA/ECB/NoPadding".equals(transformation) || "RSA/ECB/OAEPPadding".equals(transformation)
                || "RSA/ECB/PKCS1Padding".equals(transformation))
                ? Cipher.getInstance(transformation, NATIVE) : cipher(transformation);
    }

    /** Whether an engine comes from Conscrypt. */
    static boolean isNative(Provider provider) {
        return NATIVE != null && provider != null && provider.getName().equals(NATIVE.getName());
    }

    /** Whether a key object lives in Conscrypt (native memory). */
    public static boolean isNative(java.security.Key key) {
        return NATIVE != null && key != null && key.getClass().getName().startsWith("org.conscrypt.");
    }

    /**
     * The same private key as a Conscrypt key, for RSA and the NIST curves, where Conscrypt loads; otherwise the key as
     * given. The PKCS#8 encoding passes between the two providers inside this process and is not kept.
     */
    public static java.security.PrivateKey nativeKey(java.security.PrivateKey key) {
        if (NATIVE == null || isNative(key) || !("RSA".equals(key.getAlgorithm()) || "EC".equals(key.getAlgorithm()))) {
            return key;
        }
        byte[] pkcs8 = key.getEncoded();
        if (pkcs8 == null) {
            return key;
        }
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), NATIVE).generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key; // a curve BoringSSL does not have (secp256k1, SM2's): BouncyCastle keeps it
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static Provider loadNative() {
        if (Boolean.getBoolean("kmsgw.hsm.noNative")) {
            return null;
        }
        try {
            Provider p = org.conscrypt.Conscrypt.newProvider();
            KeyFactory.getInstance("RSA", p); // loads the native library now, not on the first signature
            return p;
        } catch (Throwable e) {
            return null;
        }
    }

    public static KeyFactory keyFactory(String algorithm) throws GeneralSecurityException {
        return "EC".equals(algorithm) ? KeyFactory.getInstance("EC", BC) : KeyFactory.getInstance(algorithm);
    }
}
