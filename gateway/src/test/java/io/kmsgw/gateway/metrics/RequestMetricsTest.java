package io.kmsgw.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.protocol.KmsRequest;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A response is timed when its last byte is written: at once when the write completed in the call, later when it did not. */
class RequestMetricsTest {
    private static KmsRequest encrypt(long startNanos) {
        return new KmsRequest("req", startNanos, null, true, "dkms-gcs-0.2", "Encrypt", null, null, null, null, null, null, null, null,
                List.of(), new byte[0]);
    }

    @Test
    void aWriteStillPendingIsTimedWhenItCompletesAndAFailedOneNever() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RequestMetrics metrics = new RequestMetrics(registry);
        Timer latency = registry.get("kmsgw.request.latency").tag("api", "Encrypt").timer();
        FunctionTimer write = registry.get("kmsgw.request.stage").tag("stage", "write").functionTimer();
        FunctionTimer handle = registry.get("kmsgw.request.stage").tag("stage", "handle").functionTimer();
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            // the usual case: the write completed within writeAndFlush, so the future is done when it is handed over
            KmsRequest quick = encrypt(System.nanoTime());
            metrics.whenWritten(quick, metrics.answered(quick, null), ch.newPromise().setSuccess());
            assertEquals(1, latency.count());
            assertEquals(1.0, write.count());
            assertEquals(1.0, handle.count());

            // a slow reader: the last byte goes out later, and that wait is part of what the client sees
            KmsRequest slow = encrypt(System.nanoTime());
            ChannelPromise pending = ch.newPromise();
            metrics.whenWritten(slow, metrics.answered(slow, null), pending);
            assertEquals(1, latency.count(), "not timed before its last byte is written");
            Thread.sleep(200);
            pending.setSuccess();
            assertEquals(2, latency.count());
            assertEquals(2.0, write.count());
            assertTrue(write.totalTime(TimeUnit.MILLISECONDS) >= 200, "the write stage holds the wait: " + write.totalTime(TimeUnit.MILLISECONDS));
            assertTrue(latency.max(TimeUnit.MILLISECONDS) >= 200);

            // the connection gone before the response was written: no latency, in either case
            KmsRequest lost = encrypt(System.nanoTime());
            ChannelPromise failing = ch.newPromise();
            metrics.whenWritten(lost, metrics.answered(lost, null), failing);
            failing.setFailure(new IOException("connection reset"));
            KmsRequest lostAtOnce = encrypt(System.nanoTime());
            metrics.whenWritten(lostAtOnce, metrics.answered(lostAtOnce, null), ch.newPromise().setFailure(new IOException("reset")));
            assertEquals(2, latency.count());
            assertEquals(2.0, write.count());
            assertEquals(4.0, handle.count(), "every answer is counted as handled");
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
