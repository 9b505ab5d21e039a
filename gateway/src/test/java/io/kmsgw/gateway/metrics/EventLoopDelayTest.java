package io.kmsgw.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The event-loop delay probe sees a loop that was kept busy, and reads near zero on an idle one. */
class EventLoopDelayTest {
    @Test
    void aBlockedLoopShowsAsDelay() throws Exception {
        MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventLoopDelay probe = new EventLoopDelay(loops, registry)) {
            Thread.sleep(200);
            Timer t = registry.get("kmsgw.event_loop.delay").timer();
            assertTrue(t.count() >= 5, "probed every 10 ms: " + t.count());
            assertTrue(t.max(TimeUnit.MILLISECONDS) < 150, "an idle loop is not late by much: " + t.max(TimeUnit.MILLISECONDS));
            // something blocks the loop for 300 ms (what a blocking call on an event loop would do)
            loops.next().submit(() -> {
                Thread.sleep(300);
                return null;
            }).sync();
            Thread.sleep(50);
            assertTrue(t.max(TimeUnit.MILLISECONDS) >= 250, "the probe was held up with it: " + t.max(TimeUnit.MILLISECONDS));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
