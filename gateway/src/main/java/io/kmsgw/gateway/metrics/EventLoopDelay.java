package io.kmsgw.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kmsgw.event_loop.delay}: how late a task scheduled every {@value #PERIOD_MILLIS} ms on each event loop ran. A
 * request that arrives on a loop busy with something else waits about as long, before anything in the gateway sees it; so a
 * high figure here (with a low {@code kmsgw.request.stage}) means a loop was blocked, or the process was stopped (GC,
 * safepoint) or denied the CPU. The probe runs on the loops themselves and costs one task per period per loop.
 */
public final class EventLoopDelay implements AutoCloseable {
    static final long PERIOD_MILLIS = 10;
    private final List<ScheduledFuture<?>> probes = new ArrayList<>();

    public EventLoopDelay(EventExecutorGroup loops, MeterRegistry registry) {
        Timer delay = Timer.builder("kmsgw.event_loop.delay").description("how late a task due on an event loop ran")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        long period = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
        for (EventExecutor loop : loops) {
            long[] due = {System.nanoTime() + period};
            probes.add(loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                delay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
                // a fixed-rate task that ran late runs again at once to catch up: count from when the next one is due
                due[0] += period;
                if (due[0] < now - period) {
                    due[0] = now; // it fell more than a period behind and skipped: count the next from now
                }
            }, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void close() {
        probes.forEach(p -> p.cancel(false));
    }
}
