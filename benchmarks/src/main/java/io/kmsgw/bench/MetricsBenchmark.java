package io.kmsgw.bench;

import io.kmsgw.gateway.metrics.RequestMetrics;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a request's meters cost, from two threads at once (the gateway's two event loops record into the same meters):
 * {@code answeredAndWritten} is the gateway's path since issue 27 (the request counter, the read and handle stages when
 * answered, the write stage and the first-byte-to-last-byte latency when written); {@code latencyOnly} is one percentile
 * timer record, what the path did before besides the counter.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar MetricsBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(2)
public class MetricsBenchmark {
    private RequestMetrics metrics;
    private Timer latency;
    private KmsRequest request;

    @Setup
    public void setUp() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new RequestMetrics(registry);
        latency = Timer.builder("baseline.latency").publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        request = new KmsRequest("req", System.nanoTime() - 300_000, null, true, "dkms-gcs-0.2", "Encrypt", null, null, null, null,
                null, null, null, null, List.of(), new byte[0]);
    }

    @Benchmark
    public long answeredAndWritten() {
        long answered = metrics.answered(request, null);
        metrics.written(request, answered);
        return answered;
    }

    @Benchmark
    public long latencyOnly() {
        long now = System.nanoTime();
        latency.record(now - request.startNanos, TimeUnit.NANOSECONDS);
        return now;
    }
}
