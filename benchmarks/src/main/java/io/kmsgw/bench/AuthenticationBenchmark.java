package io.kmsgw.bench;

import io.kmsgw.gateway.auth.SignatureVerifier;
import io.kmsgw.gateway.protocol.StringToSign;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.AbstractMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * The authentication stage's pieces: body SHA-256, string-to-sign, and the RSA-2048 verify that
 * dominates it, with the JDK provider as the baseline beside Conscrypt (what the gateway uses) and
 * BouncyCastle (measured here in the same shape: one {@code Signature} per thread, {@code initVerify}
 * per request).
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar AuthenticationBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthenticationBenchmark {
    @Param({"jdk", "conscrypt", "bc"})
    public String provider;

    private SignatureVerifier verifier;
    private KeyPair keys;
    private java.security.PublicKey prepared;
    private byte[] body;
    private byte[] toSign;
    private byte[] signature;
    private List<Map.Entry<String, String>> headers;
    private MessageDigest sha256;
    private Signature bc;

    @Setup
    public void setUp() throws Exception {
        verifier = new SignatureVerifier("conscrypt".equals(provider));
        if ("conscrypt".equals(provider) && !"Conscrypt".equals(verifier.providerName())) {
            throw new IllegalStateException("Conscrypt did not load on this machine");
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        body = new byte[64];
        headers = List.of(
                new AbstractMap.SimpleImmutableEntry<>("x-kms-acccesskeyid", "KAAP.3f9cd7a2-6a1d-4b52-9a6c-0c8b8b8b8b8b"),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-apiname", "Encrypt"),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-apiversion", "dkms-gcs-0.2"),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-signaturemethod", "RSA_PKCS1_SHA_256"));
        sha256 = MessageDigest.getInstance("SHA-256");
        toSign = StringToSign.of(HexFormat.of().withUpperCase().formatHex(sha256.digest(body)), "application/x-protobuf",
                "Mon, 23 Nov 2026 12:57:38 GMT", headers).getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(keys.getPrivate());
        s.update(toSign);
        signature = s.sign();
        prepared = verifier.prepare(keys.getPublic());
        if ("bc".equals(provider)) {
            bc = Signature.getInstance("SHA256withRSA", new BouncyCastleProvider());
            prepared = KeyFactory.getInstance("RSA", bc.getProvider()).generatePublic(new X509EncodedKeySpec(keys.getPublic().getEncoded()));
        }
        if (!rsa2048Verify()) {
            throw new IllegalStateException("baseline signature does not verify");
        }
    }

    /** As the gateway runs it: the client key prepared once for the provider. */
    @Benchmark
    public boolean rsa2048Verify() {
        return bc != null ? bcVerify(prepared) : verifier.verify(prepared, toSign, signature);
    }

    private boolean bcVerify(java.security.PublicKey key) {
        try {
            bc.initVerify(key);
            bc.update(toSign);
            return bc.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The same with a JDK key object handed to the provider on every call. */
    @Benchmark
    public boolean rsa2048VerifyUnpreparedKey() {
        return bc != null ? bcVerify(keys.getPublic()) : verifier.verify(keys.getPublic(), toSign, signature);
    }

    @Benchmark
    public byte[] bodySha256() {
        return sha256.digest(body);
    }

    @Benchmark
    public String stringToSign() {
        return StringToSign.of("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "application/x-protobuf",
                "Mon, 23 Nov 2026 12:57:38 GMT", headers);
    }

    private final StringToSign.Utf8 toSignBytes = new StringToSign.Utf8();

    /** What the authenticator does per request: the string to sign as UTF-8 into a reused buffer. */
    @Benchmark
    public int stringToSignUtf8() {
        StringToSign.writeUtf8(toSignBytes, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "application/x-protobuf",
                "Mon, 23 Nov 2026 12:57:38 GMT", headers);
        return toSignBytes.length();
    }
}
