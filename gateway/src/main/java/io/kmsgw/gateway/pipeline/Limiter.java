package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request quotas after authorization: one token bucket for the instance and one per AAP (requests per
 * second, burst of one second's worth), on monotonic time. Over quota is 429 Rejected.Throttling
 * "QPS Limit Exceeded.", which the SDK retries. When a second's use of the instance quota crosses 70 %
 * or 90 %, a log event says so (once per second at most) and the counter {@code kmsgw.quota.events}
 * (tag {@code level}) counts it; {@code kmsgw.quota.throttled} (tag {@code scope}: instance, aap) counts
 * refusals. Tags are bounded: never AAP names. A quota of 0 is unlimited.
 */
@ChannelHandler.Sharable
public final class Limiter extends KmsRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Limiter.class);

    /** A token bucket; synchronized is cheap here (a few event loops, nanoseconds inside). */
    static final class Bucket {
        private final double rate;
        private double tokens;
        private long last;

        Bucket(double rate, long now) {
            this.rate = rate;
            this.tokens = rate;
            this.last = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(rate, tokens + (now - last) * rate / 1e9);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    private final int instanceQps;
    private final int aapQps;
    private final LongSupplier nanos;
    private final Bucket instance;
    private final ConcurrentHashMap<String, Bucket> perAap = new ConcurrentHashMap<>();
    private final Counter events70;
    private final Counter events90;
    private final Counter throttledInstance;
    private final Counter throttledAap;
    private long windowStart;
    private int windowCount;
    private int windowAlerted;

    public Limiter(int instanceQps, int aapQps, LongSupplier nanos, MeterRegistry meters) {
        String events = "seconds in which the instance's request rate crossed this share of its quota";
        this.events70 = Counter.builder("kmsgw.quota.events").tag("level", "70").description(events).register(meters);
        this.events90 = Counter.builder("kmsgw.quota.events").tag("level", "90").description(events).register(meters);
        this.throttledInstance = Counter.builder("kmsgw.quota.throttled").tag("scope", "instance").register(meters);
        this.throttledAap = Counter.builder("kmsgw.quota.throttled").tag("scope", "aap").register(meters);
        this.instanceQps = instanceQps;
        this.aapQps = aapQps;
        this.nanos = nanos;
        this.instance = instanceQps > 0 ? new Bucket(instanceQps, nanos.getAsLong()) : null;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        long now = nanos.getAsLong();
        if (instance != null) {
            observe(now);
            if (!instance.take(now)) {
                throttledInstance.increment();
                throw new ProtocolException(ProtocolError.THROTTLING, "QPS Limit Exceeded.");
            }
        }
        if (aapQps > 0 && !perAap.computeIfAbsent(r.principal().aapName(), k -> new Bucket(aapQps, now)).take(now)) {
            throttledAap.increment();
            throw new ProtocolException(ProtocolError.THROTTLING, "QPS Limit Exceeded.");
        }
        ctx.fireChannelRead(r);
    }

    /** Counts requests per one-second window and raises the 70 % / 90 % events. */
    private synchronized void observe(long now) {
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            windowCount = 0;
            windowAlerted = 0;
        }
        windowCount++;
        int pct = (int) (windowCount * 100L / instanceQps);
        if (pct >= 90 && windowAlerted < 90) {
            windowAlerted = 90;
            events90.increment();
            LOG.error("instance request rate at 90% of its quota ({} req/s)", instanceQps);
        } else if (pct >= 70 && windowAlerted < 70) {
            windowAlerted = 70;
            events70.increment();
            LOG.warn("instance request rate at 70% of its quota ({} req/s)", instanceQps);
        }
    }

    /** The highest quota event raised in the current window (0, 70 or 90); for tests and metrics. */
    public synchronized int currentAlertLevel() {
        return windowAlerted;
    }
}
