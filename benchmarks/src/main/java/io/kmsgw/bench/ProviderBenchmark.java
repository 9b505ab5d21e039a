package io.kmsgw.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The measurement behind hsm-sim's provider choice (mechanism.Engines): AES-256-GCM on a 32-byte
 * payload and ECDSA P-256 sign/verify, JDK vs BouncyCastle.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar ProviderBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProviderBenchmark {
    @Param({"jdk", "bc"})
    public String provider;

    private Cipher gcm;
    private SecretKeySpec aesKey;
    private byte[] iv = new byte[12];
    private byte[] payload = new byte[32];
    private Signature signer;
    private Signature verifier;
    private KeyPair ec;
    private byte[] message = new byte[64];
    private byte[] signature;
    private long counter;

    @Setup
    public void setUp() throws Exception {
        Provider bc = new BouncyCastleProvider();
        boolean useBc = "bc".equals(provider);
        gcm = useBc ? Cipher.getInstance("AES/GCM/NoPadding", bc) : Cipher.getInstance("AES/GCM/NoPadding");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        aesKey = new SecretKeySpec(k, "AES");
        KeyPairGenerator g = useBc ? KeyPairGenerator.getInstance("EC", bc) : KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ec = g.generateKeyPair();
        signer = useBc ? Signature.getInstance("SHA256withECDSA", bc) : Signature.getInstance("SHA256withECDSA");
        verifier = useBc ? Signature.getInstance("SHA256withECDSA", bc) : Signature.getInstance("SHA256withECDSA");
        signer.initSign(ec.getPrivate());
        signer.update(message);
        signature = signer.sign();
    }

    @Benchmark
    public byte[] aesGcmEncrypt32() throws Exception {
        // a fresh IV each call, as the engine does (the JDK refuses GCM IV reuse on one Cipher)
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (c >>> (8 * i));
        }
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
        return gcm.doFinal(payload);
    }

    @Benchmark
    public byte[] ecdsaP256Sign() throws Exception {
        signer.initSign(ec.getPrivate());
        signer.update(message);
        return signer.sign();
    }

    @Benchmark
    public boolean ecdsaP256Verify() throws Exception {
        verifier.initVerify(ec.getPublic());
        verifier.update(message);
        return verifier.verify(signature);
    }
}
