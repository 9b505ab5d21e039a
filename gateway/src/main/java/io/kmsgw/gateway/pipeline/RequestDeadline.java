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
 * <p>
 * One timer per connection, re-armed lazily as {@code IdleStateHandler} does: a request only records
 * when it started, and the timer, when it fires, closes the connection if the request in progress is
 * past its deadline, or re-arms for what is left of it. Scheduling and cancelling a task per request
 * cost ~0.5 % of the gateway's CPU under load.
 */
public final class RequestDeadline extends ChannelInboundHandlerAdapter {
    static final AttributeKey<RequestDeadline> KEY = AttributeKey.valueOf("kmsgw.deadline");
    private final long deadlineNanos;
    private ChannelHandlerContext ctx;
    /** Whether a request is in progress, and when it started (the event loop's ticker). Event loop only. */
    private boolean inRequest;
    private long startedNanos;
    /**
     * When the request in progress arrived, and when the last bytes were read ({@code System.nanoTime()}, not the ticker:
     * the latency histogram compares it with the time its response is written).
     */
    private long arrivedNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    public RequestDeadline(long deadlineMillis) {
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(KEY).set(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b && b.isReadable()) {
            lastReadNanos = System.nanoTime();
            if (!inRequest) {
                inRequest = true;
                arrivedNanos = lastReadNanos;
                startedNanos = ctx.executor().ticker().nanoTime();
                if (timer == null) {
                    arm(deadlineNanos);
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void arm(long delayNanos) {
        timer = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (!inRequest || !ctx.channel().isOpen()) {
            return; // idle: the next request's first byte arms the timer again
        }
        long left = deadlineNanos - (ctx.executor().ticker().nanoTime() - startedNanos);
        if (left <= 0) {
            ctx.close();
        } else {
            arm(left);
        }
    }

    /**
     * A complete request was received: stop its clock (the next request's first byte starts a new one). Returns when its
     * first byte arrived ({@code System.nanoTime()}); a pipelined request that came whole in the read that completed the one
     * before it arrived with that read. Without this handler in the pipeline: now.
     */
    public static long received(Channel ch) {
        RequestDeadline d = ch.attr(KEY).get();
        if (d == null) {
            return System.nanoTime();
        }
        long arrived = d.inRequest ? d.arrivedNanos : d.lastReadNanos;
        d.inRequest = false;
        return arrived;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }
}
