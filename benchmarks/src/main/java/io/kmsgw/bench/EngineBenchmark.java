package io.kmsgw.bench;

import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.ops.DataKeyPairOps;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each data-plane API through the engine as the gateway runs it (validation on the caller; light symmetric
 * jobs inline with the caller's HSM session, heavy ones through the bounded pool to a worker's session and
 * the completion back; {@code EncryptPathBenchmark} compares the two paths), next to a baseline that
 * does the same primitive directly with JCA in the calling thread. The gap is what the engine and the simulated HSM add.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar EngineBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EngineBenchmark {
    private Path dir;
    private SqliteStore store;
    private SimHsmBackend backend;
    private KmsEngine engine;
    private String aes;
    private String ec;
    private String rsa;
    private String hmac;
    private byte[] payload = new byte[32];
    private Results.Encrypted sample;
    private Results.Signed ecSignature;
    private Results.Encrypted advanceSample;

    // baselines
    private Cipher gcm;
    private SecretKeySpec aesKey;
    private final byte[] iv = new byte[12];
    private long counter;
    private Signature ecSigner;
    private Signature rsaSigner;
    private Mac mac;

    static <T> T call(Consumer<Completion<T>> op) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        op.accept((r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("kmsgw-bench");
        store = new SqliteStore(dir.resolve("db"));
        backend = new SimHsmBackend(dir.resolve("hsm"), "bench-secret-0123456789".toCharArray(), 1000, 64);
        engine = new Engine(store, backend,
                KmsEngine.Settings.defaults(), Clock.systemUTC());
        aes = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        ec = engine.keys().createKey("EC_P256", "", "").keyId();
        rsa = engine.keys().createKey("RSA_2048", "SIGN/VERIFY", "").keyId();
        hmac = engine.keys().createKey("HMAC_256", "", "").keyId();
        engine.secrets().createSecret("bench-secret", "value-1234", "text", "", aes, "", "");
        new SecureRandom().nextBytes(payload);
        sample = EngineBenchmark.<Results.Padded>call(c -> engine.crypto().encrypt(new Commands.Encrypt(aes, payload, "", new byte[0], new byte[0],
                ""), c)).encrypted();
        advanceSample = EngineBenchmark.<Results.Encrypted>call(c -> engine.crypto().advanceEncrypt(new Commands.Encrypt(aes, payload, "", new byte[0], new byte[0], ""), c));
        ecSignature = EngineBenchmark.<Results.Signed>call(c -> engine.crypto().sign(new Commands.Sign(ec, "", payload, new byte[0], "", ""), c));

        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        aesKey = new SecretKeySpec(k, "AES");
        BouncyCastleProvider bc = new BouncyCastleProvider();
        KeyPairGenerator eg = KeyPairGenerator.getInstance("EC", bc);
        eg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ekp = eg.generateKeyPair();
        ecSigner = Signature.getInstance("SHA256withECDSA", bc);
        ecSigner.initSign(ekp.getPrivate());
        KeyPairGenerator rg = KeyPairGenerator.getInstance("RSA");
        rg.initialize(2048);
        rsaSigner = Signature.getInstance("RSASSA-PSS");
        rsaSigner.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256,
                32, 1));
        rsaSigner.initSign(rg.generateKeyPair().getPrivate());
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(k, "HmacSHA256"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        engine.close();
        backend.close();
        store.close();
        Fixtures.deleteTree(dir);
    }

    @Benchmark
    public Object encrypt() throws Exception {
        return EngineBenchmark.<Results.Padded>call(c -> engine.crypto().encrypt(new Commands.Encrypt(aes, payload, "", new byte[0], new byte[0], ""), c));
    }

    @Benchmark
    public Object decrypt() throws Exception {
        return EngineBenchmark.<Results.Decrypted>call(c -> engine.crypto().decrypt(new Commands.Decrypt(aes, sample.ciphertextBlob(), "", new byte[0], sample.iv(), "", ""), c));
    }

    @Benchmark
    public Object generateDataKey() throws Exception {
        return EngineBenchmark.<Results.DataKey>call(c -> engine.crypto().generateDataKey(new Commands.DataKey(aes, "", 32, new byte[0]), c));
    }

    @Benchmark
    public Object generateRandom() throws Exception {
        return EngineBenchmark.<byte[]>call(c -> engine.crypto().generateRandom(32, c));
    }

    @Benchmark
    public Object advanceEncrypt() throws Exception {
        return EngineBenchmark.<Results.Encrypted>call(c -> engine.crypto().advanceEncrypt(new Commands.Encrypt(aes, payload, "", new byte[0], new byte[0], ""), c));
    }

    @Benchmark
    public Object advanceDecrypt() throws Exception {
        return EngineBenchmark.<Results.Decrypted>call(c -> engine.crypto().advanceDecrypt(new Commands.Decrypt("", advanceSample.ciphertextBlob(), "", new byte[0], new byte[0], "", ""),
                c));
    }

    @Benchmark
    public Object signEcP256() throws Exception {
        return EngineBenchmark.<Results.Signed>call(c -> engine.crypto().sign(new Commands.Sign(ec, "", payload, new byte[0], "", ""), c));
    }

    @Benchmark
    public Object verifyEcP256() throws Exception {
        return EngineBenchmark.<Results.Verified>call(c -> engine.crypto().verify(new Commands.Sign(ec, "", payload, new byte[0], "", ""), ecSignature.signature(), c));
    }

    @Benchmark
    public Object signRsa2048Pss() throws Exception {
        return EngineBenchmark.<Results.Signed>call(c -> engine.crypto().sign(new Commands.Sign(rsa, "", payload, new byte[0], "", ""), c));
    }

    @Benchmark
    public Object hmac256() throws Exception {
        return EngineBenchmark.<Results.Mac>call(c -> engine.crypto().hmac(hmac, payload, c));
    }

    @Benchmark
    public Object getPublicKey() {
        return engine.crypto().getPublicKey(ec);
    }

    @Benchmark
    public Object getSecretValue() throws Exception {
        return EngineBenchmark.<SecretValue>call(c -> engine.secrets().getSecretValue("bench-secret", "", "", c));
    }

    @Benchmark
    public Object generateDataKeyPairEcP256() throws Exception {
        return EngineBenchmark.<Results.DataKeyPair>call(c -> engine.crypto().generateDataKeyPair(new Commands.DataKeyPair(aes, "", "EC_P256", "DER", new byte[0], false), c));
    }

    // ---- baselines: the same primitive with JCA in the calling thread ----

    @Benchmark
    public byte[] aesGcm32Baseline() throws Exception {
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (c >>> (8 * i));
        }
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
        return gcm.doFinal(payload);
    }

    @Benchmark
    public byte[] ecdsaP256SignBaseline() throws Exception {
        ecSigner.update(payload);
        return ecSigner.sign();
    }

    @Benchmark
    public byte[] rsa2048PssSignBaseline() throws Exception {
        rsaSigner.update(payload);
        return rsaSigner.sign();
    }

    @Benchmark
    public byte[] hmac256Baseline() {
        return mac.doFinal(payload);
    }
}
