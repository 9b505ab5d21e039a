package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests through the sequencer keep their own arrival time (issue 27): a request is timed from the read that
 * brought its first byte, and one queued behind another is timed from its own arrival, not from when it was let through.
 */
class RequestSequencerTest {
    private static final String REQUEST = "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\n\r\nbody";

    /** Records when each request let through arrived, as the decoder would read it. */
    private static final class Arrivals extends ChannelInboundHandlerAdapter {
        final List<Long> arrived = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req) {
                arrived.add(RequestSequencer.arrived(ctx.channel()));
                req.release();
            }
        }
    }

    @Test
    void pipelinedRequestsKeepTheirArrivalTimes() throws Exception {
        Arrivals seen = new Arrivals();
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDeadline(10_000), new HttpServerCodec(), new KmsAggregator(1024),
                new RequestSequencer(), seen);
        long before = System.nanoTime();
        ch.writeInbound(Unpooled.copiedBuffer(REQUEST.substring(0, 10), StandardCharsets.US_ASCII)); // A's first bytes
        Thread.sleep(60);
        long secondRead = System.nanoTime();
        // the rest of A and all of B and C in one read: A goes through, B and C wait behind it
        ch.writeInbound(Unpooled.copiedBuffer(REQUEST.substring(10) + REQUEST + REQUEST, StandardCharsets.US_ASCII));
        assertEquals(1, seen.arrived.size(), "one request at a time");
        long a = seen.arrived.get(0);
        assertTrue(a >= before && a < secondRead, "A is timed from its first byte, 60 ms before the read that completed it");

        Thread.sleep(30);
        long answered = System.nanoTime();
        RequestSequencer.done(ch); // A answered: B goes through
        RequestSequencer.done(ch); // B answered: C goes through
        assertEquals(3, seen.arrived.size());
        long b = seen.arrived.get(1);
        long c = seen.arrived.get(2);
        assertTrue(b >= secondRead && b < answered, "B arrived with the second read, not when A's answer let it through");
        assertEquals(b, c, "B and C came in the same read");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(b - a) >= 50);
        ch.finishAndReleaseAll();
    }
}
