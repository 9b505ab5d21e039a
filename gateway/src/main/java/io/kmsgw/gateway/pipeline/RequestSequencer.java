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
        RequestDeadline.received(ctx.channel());
        if (!inFlight) {
            inFlight = true;
            ctx.fireChannelRead(req);
            return;
        }
        if (queued.size() >= MAX_QUEUED) {
            req.release();
            ctx.close();
            return;
        }
        queued.add(req);
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
