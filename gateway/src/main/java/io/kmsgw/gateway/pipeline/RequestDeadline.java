package io.kmsgw.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Per connection: once the first byte of a request arrives, the whole request must arrive within the
 * deadline, or the connection is closed. This bounds slowloris clients (a byte a second keeps an idle
 * timer happy but not this one) without touching honest clients. Placed right after TLS; the sequencer
 * calls {@link #received} when a complete request has been aggregated.
 */
public final class RequestDeadline extends ChannelInboundHandlerAdapter {
    static final AttributeKey<RequestDeadline> KEY = AttributeKey.valueOf("kmsgw.deadline");
    private final long deadlineMillis;
    private ScheduledFuture<?> timer;

    public RequestDeadline(long deadlineMillis) {
        this.deadlineMillis = deadlineMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(KEY).set(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null && msg instanceof ByteBuf b && b.isReadable()) {
            timer = ctx.executor().schedule(() -> ctx.close(), deadlineMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** A complete request was received: stop its clock (the next request's first byte starts a new one). */
    static void received(Channel ch) {
        RequestDeadline d = ch.attr(KEY).get();
        if (d != null && d.timer != null) {
            d.timer.cancel(false);
            d.timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
