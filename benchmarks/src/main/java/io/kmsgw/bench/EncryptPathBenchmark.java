package io.kmsgw.bench;

import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encrypt 32 B through the engine on its two paths: {@code inline}, as the gateway runs light symmetric
 * jobs (the caller's thread with its own HSM session), and {@code pool}, the bounded worker pool that
 * heavy jobs use (queue, a worker's session, completion back to a waiting caller). The difference is
 * the cost of two thread hand-offs; {@code EngineBenchmark.aesGcm32Baseline} is the bare JCA cipher.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar EncryptPathBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EncryptPathBenchmark {
    @Param({"inline", "pool"})
    public String path;

    private Path dir;
    private SqliteStore store;
    private SimHsmBackend backend;
    private KmsEngine engine;
    private String aes;
    private final byte[] payload = new byte[32];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("kmsgw-path-bench");
        store = new SqliteStore(dir.resolve("db"));
        KmsEngine.Settings d = KmsEngine.Settings.defaults();
        backend = new SimHsmBackend(dir.resolve("hsm"), "bench-secret-0123456789".toCharArray(), 1000, 64);
        engine = new Engine(store, backend,
                new KmsEngine.Settings(d.workers(), d.queueCapacity(), d.maxLoadedKeysPerWorker(), d.maxConcurrentKeyPairs(), "inline".equals(path)),
                Clock.systemUTC());
        aes = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        new SecureRandom().nextBytes(payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        engine.close();
        backend.close();
        store.close();
        Fixtures.deleteTree(dir);
    }

    @Benchmark
    public Object encrypt32() throws Exception {
        return EngineBenchmark.<Results.Padded>call(c -> engine.crypto().encrypt(new Commands.Encrypt(aes, payload, "", new byte[0], new byte[0], ""), c));
    }
}
