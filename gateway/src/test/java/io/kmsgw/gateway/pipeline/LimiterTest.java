package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kmsgw.gateway.protocol.KmsRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Token buckets on a fake monotonic clock: per-instance and per-AAP quotas and the 70 % / 90 % events. */
class LimiterTest {
    private static KmsRequest request(String aap) {
        KmsRequest r = new KmsRequest("r", 0, null, true, "dkms-gcs-0.2", "GenerateRandom", null, "k", null, null, null, null, null, null,
                List.of(), new byte[0]);
        r.caller(new KmsRequest.Principal("k", aap));
        r.authenticated();
        return r;
    }

    /** True when the request passed the limiter, false when it was answered 429. */
    private static boolean pass(EmbeddedChannel ch, String aap) {
        ch.writeInbound(request(aap));
        FullHttpResponse resp = ch.readOutbound();
        if (resp == null) {
            ch.readInbound();
            return true;
        }
        try {
            assertEquals(429, resp.status().code());
            return false;
        } finally {
            resp.release();
        }
    }

    @Test
    void perAapBucketsAreSeparateAndRefill() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        EmbeddedChannel ch = new EmbeddedChannel(new Limiter(0, 2, now::get, new SimpleMeterRegistry()));
        assertEquals(true, pass(ch, "a"));
        assertEquals(true, pass(ch, "a"));
        assertEquals(false, pass(ch, "a"), "the third request in the same instant is over 2/s");
        assertEquals(true, pass(ch, "b"), "another AAP has its own bucket");
        now.addAndGet(500_000_000L);
        assertEquals(true, pass(ch, "a"), "half a second refills one token");
        assertEquals(false, pass(ch, "a"));
    }

    @Test
    void instanceQuotaRaisesEventsAt70And90Percent() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Limiter limiter = new Limiter(10, 0, now::get, meters);
        EmbeddedChannel ch = new EmbeddedChannel(limiter);
        for (int i = 0; i < 6; i++) {
            pass(ch, "a");
        }
        assertEquals(0, limiter.currentAlertLevel());
        pass(ch, "a");
        assertEquals(70, limiter.currentAlertLevel());
        pass(ch, "a");
        pass(ch, "a");
        assertEquals(90, limiter.currentAlertLevel());
        assertEquals(true, pass(ch, "a"), "the tenth fits the quota");
        assertEquals(false, pass(ch, "a"), "the eleventh does not");
        now.addAndGet(1_000_000_000L);
        assertEquals(true, pass(ch, "a"));
        assertEquals(0, limiter.currentAlertLevel(), "a new second starts a new window");
        assertEquals(1.0, meters.get("kmsgw.quota.events").tag("level", "70").counter().count());
        assertEquals(1.0, meters.get("kmsgw.quota.events").tag("level", "90").counter().count());
        assertEquals(1.0, meters.get("kmsgw.quota.throttled").tag("scope", "instance").counter().count());
        assertNull(ch.readOutbound());
    }
}
