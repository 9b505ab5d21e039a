package io.kmsgw.bench.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The harness's second-by-second view of a run, so that a bad second can be set beside the server's figures for the same
 * second: client latency (p50, p99, max, count) and the harness's own stalls, which would otherwise be charged to the server.
 * <ul>
 *   <li>{@code hiccupMaxMicros}: how late a thread that sleeps 1 ms woke up, at worst (the harness JVM's GC, safepoints,
 *       and the CPU being given to someone else: what jHiccup measures);</li>
 *   <li>{@code loopLagMaxMicros}: how late the client event loops' millisecond ticker ran, at worst (an open-loop request
 *       due then is sent that much late, and the delay is counted as latency);</li>
 *   <li>{@code gcMillis}: the harness's own collection time in that second (its MXBeans).</li>
 * </ul>
 * Seconds are wall-clock seconds since the epoch, the same clock the server's GC log and the metrics sampler use.
 */
final class Series implements AutoCloseable {
    private final Recorder latency;
    private final Recorder hiccups = new Recorder(3);
    private final Recorder loopLag = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final List<ObjectNode> seconds = new ArrayList<>();
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final Thread sampler;
    private final Thread hiccupMeter;
    private volatile boolean running = true;

    Series(Recorder latency, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.latency = latency;
        this.json = json;
        hiccupMeter = new Thread(this::measureHiccups, "kmsgw-load-hiccup");
        hiccupMeter.setDaemon(true);
        sampler = new Thread(this::sample, "kmsgw-load-series");
        sampler.setDaemon(true);
    }

    /** Starts both threads; the latency recorder is reset now, so the first second starts clean. */
    void start() {
        latency.reset();
        hiccups.reset();
        loopLag.reset();
        hiccupMeter.start();
        sampler.start();
    }

    /** The client event loop's ticker ran {@code lateNanos} after it was due. Any thread. */
    void loopLag(long lateNanos) {
        loopLag.recordValue(Math.max(0, lateNanos / 1000));
    }

    private void measureHiccups() {
        while (running) {
            long before = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            long late = System.nanoTime() - before - TimeUnit.MILLISECONDS.toNanos(1);
            hiccups.recordValue(Math.max(0, late / 1000));
        }
    }

    private void sample() {
        Histogram interval = null;
        Histogram hic = null;
        Histogram lag = null;
        long gcBefore = gcMillis();
        while (running) {
            long now = System.currentTimeMillis();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000 - now % 1000));
            if (!running) {
                break;
            }
            interval = latency.getIntervalHistogram(interval);
            hic = hiccups.getIntervalHistogram(hic);
            lag = loopLag.getIntervalHistogram(lag);
            long gc = gcMillis();
            long second = System.currentTimeMillis() / 1000 - 1;
            synchronized (this) {
                total.add(interval);
                seconds.add(json.createObjectNode().put("second", second).put("count", interval.getTotalCount())
                        .put("p50Micros", interval.getValueAtPercentile(50)).put("p99Micros", interval.getValueAtPercentile(99))
                        .put("maxMicros", interval.getMaxValue()).put("hiccupMaxMicros", hic.getMaxValue())
                        .put("loopLagMaxMicros", lag.getMaxValue()).put("gcMillis", gc - gcBefore));
            }
            gcBefore = gc;
        }
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** Stops sampling; the whole run's histogram is every full second plus what the last partial second recorded. */
    Histogram stop() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join(2000);
        hiccupMeter.join(2000);
        synchronized (this) {
            total.add(latency.getIntervalHistogram());
            return total;
        }
    }

    /** The per-second series, oldest first. */
    synchronized ArrayNode toJson() {
        ArrayNode a = json.createArrayNode();
        seconds.forEach(a::add);
        return a;
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }
}
