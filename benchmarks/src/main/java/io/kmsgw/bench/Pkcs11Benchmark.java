package io.kmsgw.bench;

import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.Pkcs11Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * The raw rate of a PKCS#11 module through kmsgw's binding (JNA, one session per thread, keys unwrapped once): the
 * ceiling a gateway started with {@code --hsm pkcs11} is measured against, at the same concurrency ({@code -t N}).
 * Needs the module's token: {@code -Dpkcs11.library=… -Dpkcs11.token=… -Dpkcs11.pinFile=…} and, for SoftHSM2,
 * {@code SOFTHSM2_CONF}; {@code benchmarks/scripts/pkcs11-runs.sh} sets it all up and runs the load harness beside it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class Pkcs11Benchmark {
    HsmBackend backend;
    byte[] aesWrapped;
    byte[] rsaWrapped;
    byte[] ecWrapped;

    @Setup(Level.Trial)
    public void open() throws Exception {
        char[] pin = Files.readString(Path.of(System.getProperty("pkcs11.pinFile"))).strip().toCharArray();
        backend = new Pkcs11Backend(System.getProperty("pkcs11.library"), System.getProperty("pkcs11.token"), -1, pin, null, true);
        try (BackendSession s = backend.openSession()) {
            aesWrapped = s.generate(BackendSession.KeyKind.AES, 256, null).wrapped();
            rsaWrapped = s.generate(BackendSession.KeyKind.RSA, 2048, null).wrapped();
            ecWrapped = s.generate(BackendSession.KeyKind.EC, 256, "secp256r1").wrapped();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        backend.close();
    }

    /** Each thread's own session with the three keys loaded in it, as a gateway worker has. */
    @State(Scope.Thread)
    public static class Worker {
        BackendSession session;
        long aes;
        long rsa;
        long ec;
        final byte[] iv = new byte[12];
        final byte[] plaintext = new byte[32];
        final byte[] digest = new byte[32];

        @Setup(Level.Trial)
        public void open(Pkcs11Benchmark b) {
            session = b.backend.openSession();
            aes = session.load(BackendSession.KeyKind.AES, b.aesWrapped);
            rsa = session.load(BackendSession.KeyKind.RSA, b.rsaWrapped);
            ec = session.load(BackendSession.KeyKind.EC, b.ecWrapped);
        }

        @TearDown(Level.Trial)
        public void close() {
            session.close();
        }
    }

    /** AES-256-GCM of 32 bytes (the caller's IV, as the gateway passes one: SoftHSM2 cannot make GCM IVs). */
    @Benchmark
    public byte[] aesGcm32(Worker w) {
        w.iv[0]++;
        return w.session.encryptGcm(w.aes, w.iv, null, w.plaintext);
    }

    @Benchmark
    public byte[] rsa2048SignPkcs1(Worker w) {
        return w.session.sign(w.rsa, BackendSession.SignScheme.RSA_PKCS1, "SHA-256", w.digest);
    }

    @Benchmark
    public byte[] p256Sign(Worker w) {
        return w.session.sign(w.ec, BackendSession.SignScheme.ECDSA, "SHA-256", w.digest);
    }
}
