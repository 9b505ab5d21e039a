package io.kmsgw.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.MovableClock;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The last hour's samples: rates from the request counters, p99 of each interval from the latency histograms, an hour kept. */
class HistoryTest {
    @Test
    void ratesAndTheIntervalsOwnP99() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new RequestMetrics(registry); // registers the latency timers as the gateway does
        Timer latency = registry.find("kmsgw.request.latency").tag("api", "Encrypt").timer();
        Counter ok = Counter.builder("kmsgw.requests").tag("api", "Encrypt").tag("code", "OK").tag("status", "200").register(registry);
        Counter refused = Counter.builder("kmsgw.requests").tag("api", "Encrypt").tag("code", ProtocolError.THROTTLING.code())
                .tag("status", "429").register(registry);
        AtomicLong audit = new AtomicLong(1000);
        MovableClock clock = new MovableClock(Instant.parse("2026-12-06T00:00:00Z"));
        History h = new History(registry, audit::get, clock);

        // first 10 s: 1,000 requests of 2 ms, 10 of them refused
        for (int i = 0; i < 1000; i++) {
            latency.record(2, TimeUnit.MILLISECONDS);
        }
        ok.increment(990);
        refused.increment(10);
        clock.advance(Duration.ofSeconds(10));
        h.sample();
        // next 10 s: 500 slow requests of 300 ms
        for (int i = 0; i < 500; i++) {
            latency.record(300, TimeUnit.MILLISECONDS);
        }
        ok.increment(500);
        audit.set(5000);
        clock.advance(Duration.ofSeconds(10));
        h.sample();

        List<History.Sample> s = h.samples();
        assertEquals(2, s.size());
        assertEquals(100.0, s.get(0).requestsPerSecond(), 1e-9);
        assertEquals(1.0, s.get(0).errorsPerSecond(), 1e-9);
        assertTrue(s.get(0).p99Millis() >= 2 && s.get(0).p99Millis() < 4, "p99 of the 2 ms interval: " + s.get(0).p99Millis());
        assertEquals(50.0, s.get(1).requestsPerSecond(), 1e-9);
        assertEquals(0.0, s.get(1).errorsPerSecond(), 1e-9);
        assertTrue(s.get(1).p99Millis() >= 300 && s.get(1).p99Millis() < 400, "p99 of the slow interval alone: " + s.get(1).p99Millis());
        assertEquals(5000, s.get(1).auditBytes());

        clock.advance(Duration.ofSeconds(10));
        h.sample();
        assertEquals(0.0, h.samples().get(2).p99Millis(), "no request, no p99");
        for (int i = 0; i < 400; i++) {
            clock.advance(Duration.ofSeconds(10));
            h.sample();
        }
        assertEquals(360, h.samples().size(), "an hour of 10-second samples");
        assertEquals(clock.millis(), h.samples().get(359).timeMillis(), "newest last");
    }
}
