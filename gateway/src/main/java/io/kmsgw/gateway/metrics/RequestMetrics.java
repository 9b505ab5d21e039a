package io.kmsgw.gateway.metrics;

import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Data-plane request meters with bounded tags only: {@code kmsgw.requests{api, code, status}} (api is a
 * protocol API name or "none" when the request never got that far; code/status from the ProtocolError
 * table or OK/200), {@code kmsgw.request.latency{api}} as a percentile histogram, and
 * {@code kmsgw.tls.handshakes{result}}. Meters are looked up by array index on the hot path, created on
 * first use.
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
    private final Handshakes handshakes;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (ApiName api : APIS) {
            latency[api.ordinal()] = Timer.builder("kmsgw.request.latency").tag("api", api.name())
                    .description("time from the request's arrival to its response being written")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }
        handshakes = Handshakes.of(registry, "data");
    }

    /** A request answered: {@code error} null for success. Requests that never parsed have a null {@code r}. */
    public void answered(KmsRequest r, ProtocolError error) {
        int api = r == null || r.api == null ? NO_API : r.api.ordinal();
        int code = error == null ? OK : error.ordinal();
        Counter c = requests[api][code];
        if (c == null) {
            c = counter(api, code);
        }
        c.increment();
        if (api != NO_API) {
            latency[api].record(System.nanoTime() - r.startNanos, TimeUnit.NANOSECONDS);
        }
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
