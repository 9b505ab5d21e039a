package io.kmsgw.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Keeps responses in request order on a connection. Engine work completes asynchronously, so with
 * HTTP/1.1 pipelining a later request (answered at once, e.g. an auth failure) could overtake an
 * earlier one still in the crypto pool. This per-connection handler lets one request through at a time
 * and queues the rest (bounded; a client that pipelines beyond the bound is disconnected). Every
 * response written through {@link Responses} calls {@link #done}. Runs on the channel's event loop only.
 */
public final class RequestSequencer extends ChannelDuplexHandler {
    static final AttributeKey<RequestSequencer> KEY = AttributeKey.valueOf("kmsgw.sequencer");
    private static final int MAX_QUEUED = 32;

    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    /** When each queued request arrived, in the same order (a ring beside {@code queued}: no boxing per request). */
    private final long[] queuedArrivals = new long[MAX_QUEUED];
    private int arrivalsHead;
    /** When the request now let through arrived ({@code System.nanoTime()} of its first byte). */
    private long arrivedNanos;
    private ChannelHandlerContext ctx;
    private boolean inFlight;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(KEY).set(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long arrived = RequestDeadline.received(ctx.channel());
        if (!inFlight) {
            inFlight = true;
            arrivedNanos = arrived;
            ctx.fireChannelRead(req);
            return;
        }
        if (queued.size() >= MAX_QUEUED) {
            req.release();
            ctx.close();
            return;
        }
        queuedArrivals[(arrivalsHead + queued.size()) % MAX_QUEUED] = arrived;
        queued.add(req);
    }

    /**
     * When the request being handled on {@code ch} arrived: its first byte's {@code System.nanoTime()}, so that its latency
     * includes reading it and any wait behind the requests pipelined before it. Without a sequencer: now.
     */
    public static long arrived(Channel ch) {
        RequestSequencer s = ch.attr(KEY).get();
        return s == null ? System.nanoTime() : s.arrivedNanos;
    }

    /** The response to the request in flight has been written: admit the next queued one. */
    static void done(Channel ch) {
        RequestSequencer s = ch.attr(KEY).get();
        if (s != null) {
            s.next();
        }
    }

    private void next() {
        if (!inFlight) {
            return;
        }
        FullHttpRequest req = queued.poll();
        if (req == null) {
            inFlight = false;
            return;
        }
        arrivedNanos = queuedArrivals[arrivalsHead];
        arrivalsHead = (arrivalsHead + 1) % MAX_QUEUED;
        ctx.fireChannelRead(req);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            ReferenceCountUtil.release(r);
        }
    }
}
