package io.kmsgw.gateway.metrics;

import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Data-plane request meters with bounded tags only: {@code kmsgw.requests{api, code, status}} (api is a
 * protocol API name or "none" when the request never got that far; code/status from the ProtocolError
 * table or OK/200), {@code kmsgw.request.latency{api}} as a percentile histogram, its three stages
 * {@code kmsgw.request.stage{stage}}, and {@code kmsgw.tls.handshakes{result}}. Meters are looked up by array
 * index on the hot path, created on first use.
 * <p>
 * The latency spans what a client sees of the server: from the first byte of the request read off the connection (after
 * TLS) to the last byte of its response written to the socket. Its stages: {@code read} (first byte to the request decoded:
 * the rest of its bytes, and any wait behind requests pipelined before it), {@code handle} (decoded to its response ready:
 * authentication, policy, the engine and its queue) and {@code write} (ready to written: the event loop's queue, TLS and
 * the socket). What it cannot see: time in the kernel's socket buffers before the first byte is read, which is where a
 * stalled event loop or process (GC, safepoints) leaves the requests that arrive meanwhile.
 */
public final class RequestMetrics {
    public static final AttributeKey<RequestMetrics> KEY = AttributeKey.valueOf("kmsgw.metrics");
    private static final ApiName[] APIS = ApiName.values();
    private static final ProtocolError[] ERRORS = ProtocolError.values();
    private static final int NO_API = APIS.length;
    private static final int OK = ERRORS.length;

    private final MeterRegistry registry;
    private final Counter[][] requests = new Counter[APIS.length + 1][ERRORS.length + 1];
    private final Timer[] latency = new Timer[APIS.length];
    private final Stage read;
    private final Stage handle;
    private final Stage write;
    private final Handshakes handshakes;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (ApiName api : APIS) {
            latency[api.ordinal()] = Timer.builder("kmsgw.request.latency").tag("api", api.name())
                    .description("time from the request's first byte read to its response's last byte written")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }
        read = new Stage(registry, "read", "first byte to the request decoded");
        handle = new Stage(registry, "handle", "request decoded to its response ready");
        write = new Stage(registry, "write", "response ready to its last byte written");
        handshakes = Handshakes.of(registry, "data");
    }

    /**
     * A stage: count and sum (a {@link FunctionTimer} over two {@link LongAdder}s), no max, no buckets. As micrometer
     * {@link Timer}s the three stages cost more than the latency histogram: each record reads the clock and updates a
     * shared max, and the event loops contend on it ({@code MetricsBenchmark}). Their means are what tells where the
     * latency went (tail_attribution.py reads count and sum); the latency histogram keeps its max.
     */
    private static final class Stage {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();

        Stage(MeterRegistry registry, String stage, String description) {
            FunctionTimer.builder("kmsgw.request.stage", this, s -> s.count.sum(), s -> s.nanos.sum(), TimeUnit.NANOSECONDS)
                    .tag("stage", stage).description(description).register(registry);
        }

        void record(long nanos) {
            count.increment();
            this.nanos.add(nanos);
        }
    }

    /**
     * A request answered: {@code error} null for success. Requests that never parsed have a null {@code r}. Returns when it
     * was answered ({@code System.nanoTime()}), for {@link #written}.
     */
    public long answered(KmsRequest r, ProtocolError error) {
        int api = r == null || r.api == null ? NO_API : r.api.ordinal();
        int code = error == null ? OK : error.ordinal();
        Counter c = requests[api][code];
        if (c == null) {
            c = counter(api, code);
        }
        c.increment();
        long now = System.nanoTime();
        if (api != NO_API) {
            read.record(r.decodedNanos - r.startNanos);
            handle.record(now - r.decodedNanos);
        }
        return now;
    }

    /**
     * The response to {@code r}, answered at {@code answeredNanos}, has been written to the socket (seen on the event loop:
     * nothing left pending after its flush, or its write future completed): its latency and write stage. A failed write (the
     * connection gone) is not a latency.
     */
    public void written(KmsRequest r, long answeredNanos) {
        if (r == null || r.api == null) {
            return;
        }
        long now = System.nanoTime();
        write.record(now - answeredNanos);
        latency[r.api.ordinal()].record(now - r.startNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Times the response to {@code r} by its write future {@code f}, which the caller has just written and flushed: at once
     * when the write already completed in that call (the event loop's usual case: the whole response went to the socket),
     * otherwise by a listener when it does. A failed write (the connection gone) is not a latency.
     */
    public void whenWritten(KmsRequest r, long answeredNanos, ChannelFuture f) {
        if (r == null || r.api == null) {
            return;
        }
        if (f.isDone()) {
            if (f.isSuccess()) {
                written(r, answeredNanos);
            }
        } else {
            f.addListener((ChannelFutureListener) done -> {
                if (done.isSuccess()) {
                    written(r, answeredNanos);
                }
            });
        }
    }

    /** Whether {@link #whenWritten} would time the response to {@code r} (else its write needs no promise of its own). */
    public static boolean timed(KmsRequest r) {
        return r != null && r.api != null;
    }

    public void handshake(boolean success) {
        handshakes.record(success);
    }

    private synchronized Counter counter(int api, int code) {
        Counter c = requests[api][code];
        if (c == null) {
            c = Counter.builder("kmsgw.requests").tag("api", api == NO_API ? "none" : APIS[api].name())
                    .tag("code", code == OK ? "OK" : ERRORS[code].code())
                    .tag("status", code == OK ? "200" : Integer.toString(ERRORS[code].status().code()))
                    .register(registry);
            requests[api][code] = c;
        }
        return c;
    }
}
