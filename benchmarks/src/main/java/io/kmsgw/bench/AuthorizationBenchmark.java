package io.kmsgw.bench;

import io.kmsgw.gateway.authz.AccessControl;
import io.kmsgw.gateway.authz.AccessModel;
import io.kmsgw.gateway.protocol.ApiName;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Authorization decisions with 10 / 10,000 / 100,000 application access points, each with its own
 * policy (KeyUser on {@code key/key-<n>*}, one network rule), asked about Zipf-distributed AAPs (s = 1.1,
 * the few busy applications most traffic comes from) and their keys from a client inside the rule.
 * {@code cachedDecision} is the gateway's path (Caffeine decision cache over the compiled model);
 * {@code uncachedDecision} evaluates the compiled model every time, the baseline the cache must beat.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar AuthorizationBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AuthorizationBenchmark {
    private static final int QUESTIONS = 1 << 16;

    @Param({"10", "10000", "100000"})
    public int aaps;

    private AccessControl access;
    private String[] aapOf;
    private String[] resourceOf;
    private InetAddress client;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Instant now = Instant.now();
        List<AccessModel.NetworkRule> rules = List.of(new AccessModel.NetworkRule("office", "Private", List.of("10.0.0.0/8"), "", now));
        List<AccessModel.Policy> policies = new ArrayList<>(aaps);
        List<AccessModel.Aap> list = new ArrayList<>(aaps);
        for (int i = 0; i < aaps; i++) {
            policies.add(new AccessModel.Policy("p" + i, "kst-bench", List.of(AccessModel.KEY_USER), List.of("key/key-" + i + "*"),
                    List.of("office"), "", now));
            list.add(new AccessModel.Aap("aap" + i, "ClientKey", List.of("p" + i), "", now));
        }
        access = new AccessControl();
        access.load(rules, policies, list);
        client = InetAddress.getByName("10.1.2.3");
        // Zipf(s = 1.1) over the AAPs by inverse CDF on precomputed weights
        double[] cdf = new double[aaps];
        double sum = 0;
        for (int i = 0; i < aaps; i++) {
            sum += 1 / Math.pow(i + 1, 1.1);
            cdf[i] = sum;
        }
        SplittableRandom rnd = new SplittableRandom(42);
        aapOf = new String[QUESTIONS];
        resourceOf = new String[QUESTIONS];
        for (int q = 0; q < QUESTIONS; q++) {
            int idx = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
            int n = idx >= 0 ? idx : Math.min(aaps - 1, -idx - 1);
            aapOf[q] = "aap" + n;
            resourceOf[q] = "key/key-" + n + "-" + rnd.nextInt(4); // a few keys per application
        }
        if (!access.allowed(aapOf[0], ApiName.Encrypt, client, resourceOf[0])) {
            throw new IllegalStateException("the benchmark's model must allow its own questions");
        }
    }

    @Benchmark
    public boolean cachedDecision() {
        int q = next++ & (QUESTIONS - 1);
        return access.allowed(aapOf[q], ApiName.Encrypt, client, resourceOf[q]);
    }

    @Benchmark
    public boolean uncachedDecision() {
        int q = next++ & (QUESTIONS - 1);
        return access.allowedUncached(aapOf[q], ApiName.Role.KEY_USER, client, resourceOf[q]);
    }
}
