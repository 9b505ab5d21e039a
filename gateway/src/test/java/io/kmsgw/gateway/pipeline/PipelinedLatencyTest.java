package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.metrics.RequestMetrics;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A response is timed when it is written, before the request pipelined behind it is let through: that request's handling
 * (here a slow one) never counts in the first one's latency or write stage.
 */
class PipelinedLatencyTest {
    private static final String REQUEST = "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\n\r\nbody";
    private static final long SLOW_MILLIS = 1_000;

    /**
     * Answers the first request later, as the engine does (so the second, read with it, waits in the sequencer), and the
     * second at once, after SLOW_MILLIS of "handling".
     */
    private static final class Answering extends ChannelInboundHandlerAdapter {
        int seen;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof FullHttpRequest req) {
                req.release();
                KmsRequest r = new KmsRequest("req-" + seen, RequestSequencer.arrived(ctx.channel()), null, true, "dkms-gcs-0.2",
                        "Encrypt", null, null, null, null, null, null, null, null, List.of(), new byte[0]);
                if (seen++ == 0) {
                    ctx.channel().eventLoop().execute(() -> answer(ctx, r));
                } else {
                    Thread.sleep(SLOW_MILLIS);
                    answer(ctx, r);
                }
            }
        }

        private static void answer(ChannelHandlerContext ctx, KmsRequest r) {
            Responses.ok(ctx.channel(), r, KmsApi.EncryptResponse.newBuilder().setKeyId("k").build(), null);
        }
    }

    @Test
    void aRequestPipelinedBehindIsNotPartOfTheFirstOnesLatency() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Answering answering = new Answering();
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new KmsAggregator(1024), new RequestSequencer(), answering);
        ch.attr(RequestMetrics.KEY).set(new RequestMetrics(registry));
        try {
            // both in one read: the second waits in the sequencer until the first is answered (the channel's pending task,
            // which writeInbound runs before it returns), then is handled
            ch.writeInbound(Unpooled.copiedBuffer(REQUEST + REQUEST, StandardCharsets.US_ASCII));
            ch.runPendingTasks();
            assertEquals(2, answering.seen);
            Timer latency = registry.get("kmsgw.request.latency").tag("api", "Encrypt").timer();
            FunctionTimer write = registry.get("kmsgw.request.stage").tag("stage", "write").functionTimer();
            assertEquals(2, latency.count());
            assertEquals(2.0, write.count());
            double writeMillis = write.totalTime(TimeUnit.MILLISECONDS);
            assertTrue(writeMillis < SLOW_MILLIS / 2.0, "both writes completed at once; the write stages add up to " + writeMillis + " ms");
            // the slow one's own latency holds its handling; the first one's does not
            assertTrue(latency.max(TimeUnit.MILLISECONDS) >= SLOW_MILLIS);
            assertTrue(latency.totalTime(TimeUnit.MILLISECONDS) < 1.5 * SLOW_MILLIS,
                    "latencies add up to " + latency.totalTime(TimeUnit.MILLISECONDS) + " ms");
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
