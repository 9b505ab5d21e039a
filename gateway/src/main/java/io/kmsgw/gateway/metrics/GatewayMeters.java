package io.kmsgw.gateway.metrics;

import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.gateway.audit.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * The gateway's meters, scraped at the admin plane's {@code GET /metrics}. Tags are bounded: never key ids,
 * client key ids or IPs.
 */
public final class GatewayMeters {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Gauges over the engine, audit sink and client keys ({@code expiringWithin}: live client keys whose validity ends within
     * a window from now), plus the JVM's own.
     */
    public AutoCloseable bind(CryptoOperations engine, AuditLog audit, ToLongFunction<Duration> expiringWithin) {
        Gauge.builder("kmsgw.engine.queue.depth", engine, CryptoOperations::queueDepth).description("crypto jobs waiting for a worker")
                .register(registry);
        Gauge.builder("kmsgw.audit.backlog", audit, AuditLog::backlog).description("audit records not yet written").register(registry);
        FunctionCounter.builder("kmsgw.audit.written", audit, AuditLog::writtenCount).register(registry);
        FunctionCounter.builder("kmsgw.audit.dropped", audit, AuditLog::droppedCount).register(registry);
        Gauge.builder("kmsgw.audit.healthy", audit, a -> a.healthy() ? 1 : 0).register(registry);
        Gauge.builder("kmsgw.audit.disk", audit, AuditLog::bytesOnDisk).baseUnit("bytes")
                .description("bytes the audit keeps: its files and its rows in the store").register(registry);
        Gauge.builder("kmsgw.audit.max", audit, AuditLog::maxBytes).baseUnit("bytes").description("audit.maxBytes (0: unbounded)")
                .register(registry);
        Gauge.builder("kmsgw.audit.oldest.record", audit, a -> a.oldestMillis() == null ? Double.NaN : a.oldestMillis() / 1000.0)
                .baseUnit("seconds").description("time (Unix seconds) of the oldest record the audit keeps").register(registry);
        FunctionCounter.builder("kmsgw.audit.pruned", audit, AuditLog::prunedBytes).baseUnit("bytes")
                .description("audit bytes deleted by retention or the size bound").register(registry);
        FunctionCounter.builder("kmsgw.audit.syslog.sent", audit, AuditLog::syslogSent).register(registry);
        FunctionCounter.builder("kmsgw.audit.syslog.dropped", audit, AuditLog::syslogDropped)
                .description("audit records the syslog sink could not deliver").register(registry);
        for (int days : new int[] {7, 30, 90, 180}) {
            Duration window = Duration.ofDays(days);
            Gauge.builder("kmsgw.client_keys.expiring", expiringWithin, f -> f.applyAsLong(window))
                    .tag("within_days", Integer.toString(days)).description("live client keys whose validity ends within the window")
                    .strongReference(true) // a lambda nothing else holds: weakly held, it is collected and the gauge turns NaN
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // jvm.gc.pause: every collection's pause, the first suspect when the latency tail moves (GC notifications; close
        // unregisters the listeners, so a test JVM that starts many gateways does not collect them)
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    /** The data dir's filesystem: free and total bytes. */
    /**
     * {@code kmsgw.connections.open{plane}} and {@code kmsgw.connections.refused{plane}} (closed at accept, over a cap). The
     * meters hold {@code limiter} weakly, as Micrometer does: the listener keeps it alive.
     */
    public <T> void bindConnections(String plane, T limiter, java.util.function.ToDoubleFunction<T> open,
            java.util.function.ToDoubleFunction<T> refused) {
        Gauge.builder("kmsgw.connections.open", limiter, open).tag("plane", plane).description("open connections").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kmsgw.connections.refused", limiter, refused).tag("plane", plane)
                .description("connections closed at accept because a connection cap was reached").register(registry);
    }

    public void bindDisk(java.util.function.LongSupplier free, java.util.function.LongSupplier total) {
        Gauge.builder("kmsgw.data_dir.free", free, LongSupplierValue::of).baseUnit("bytes").strongReference(true)
                .description("free bytes of the data dir's filesystem").register(registry);
        Gauge.builder("kmsgw.data_dir.size", total, LongSupplierValue::of).baseUnit("bytes").strongReference(true)
                .description("size of the data dir's filesystem").register(registry);
    }

    private static final class LongSupplierValue {
        static double of(java.util.function.LongSupplier s) {
            return s.getAsLong();
        }
    }

    /** Data-plane requests answered since start. */
    public long requestsTotal() {
        return (long) registry.find("kmsgw.requests").counters().stream().mapToDouble(Counter::count).sum();
    }
}
