package io.kmsgw.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The last hour of the data plane, from the gateway's own counters: every 10 seconds one sample of requests and errors per
 * second, the p99 latency of the requests answered in those 10 seconds (from the latency histograms' bucket counts: the
 * upper bound of the bucket holding the 99th percentile), and the audit's bytes on disk. The console draws it; no external
 * service is needed. {@link #sample} runs on a scheduler thread, {@link #samples} on the admin executor.
 */
public final class History {
    public static final int INTERVAL_SECONDS = 10;
    private static final int KEEP = 3600 / INTERVAL_SECONDS;

    /** One sample: its time, requests and errors per second, p99 in milliseconds (0 with no request), audit bytes. */
    public record Sample(long timeMillis, double requestsPerSecond, double errorsPerSecond, double p99Millis, long auditBytes) {
    }

    private final MeterRegistry registry;
    private final LongSupplier auditBytes;
    private final Clock clock;
    private final Sample[] ring = new Sample[KEEP];
    private int next;
    private int size;
    private double lastRequests;
    private double lastErrors;
    private double[] lastBuckets = new double[0];
    private long lastMillis;

    public History(MeterRegistry registry, LongSupplier auditBytes, Clock clock) {
        this.registry = registry;
        this.auditBytes = auditBytes;
        this.clock = clock;
        this.lastMillis = clock.millis();
        lastRequests = requests(false);
        lastErrors = requests(true);
        lastBuckets = buckets().counts;
    }

    /** Takes one sample (every {@link #INTERVAL_SECONDS} seconds). */
    public synchronized void sample() {
        long now = clock.millis();
        double seconds = Math.max(0.001, (now - lastMillis) / 1000.0);
        double requests = requests(false);
        double errors = requests(true);
        Buckets b = buckets();
        double p99 = 0;
        if (b.counts.length == lastBuckets.length) {
            double total = 0;
            double[] delta = new double[b.counts.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = b.counts[i] - lastBuckets[i]; // cumulative counts: the interval's own
                total = Math.max(total, delta[i]);
            }
            if (total > 0) {
                for (int i = 0; i < delta.length; i++) {
                    if (delta[i] >= 0.99 * total) {
                        p99 = b.bounds[i] / 1_000_000.0;
                        break;
                    }
                }
            }
        }
        ring[next] = new Sample(now, (requests - lastRequests) / seconds, (errors - lastErrors) / seconds, p99, auditBytes.getAsLong());
        next = (next + 1) % KEEP;
        size = Math.min(KEEP, size + 1);
        lastRequests = requests;
        lastErrors = errors;
        lastBuckets = b.counts;
        lastMillis = now;
    }

    /** The samples of the last hour, oldest first. */
    public synchronized List<Sample> samples() {
        List<Sample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[(next - size + i + KEEP) % KEEP]);
        }
        return out;
    }

    private double requests(boolean errorsOnly) {
        double sum = 0;
        for (Counter c : registry.find("kmsgw.requests").counters()) {
            if (!errorsOnly || !"200".equals(c.getId().getTag("status"))) {
                sum += c.count();
            }
        }
        return sum;
    }

    private record Buckets(double[] bounds, double[] counts) {
    }

    /** Every API's latency histogram added up: the same bucket bounds (nanoseconds) for all, cumulative counts. */
    private Buckets buckets() {
        double[] bounds = null;
        double[] counts = null;
        for (Timer t : registry.find("kmsgw.request.latency").timers()) {
            CountAtBucket[] h = t.takeSnapshot().histogramCounts();
            if (bounds == null) {
                bounds = new double[h.length];
                counts = new double[h.length];
                for (int i = 0; i < h.length; i++) {
                    bounds[i] = h[i].bucket();
                }
            }
            for (int i = 0; i < Math.min(h.length, counts.length); i++) {
                counts[i] += h[i].count();
            }
        }
        return bounds == null ? new Buckets(new double[0], new double[0]) : new Buckets(bounds, counts);
    }
}
