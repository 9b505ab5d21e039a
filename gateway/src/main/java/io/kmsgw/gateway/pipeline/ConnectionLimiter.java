package io.kmsgw.gateway.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The first handler: caps open connections globally and per source address. A connection over either
 * cap is closed at once, before TLS costs anything. Shared by every channel; state lives in the maps.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final int maxTotal;
    private final int maxPerIp;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    public ConnectionLimiter(int maxTotal, int maxPerIp) {
        this.maxTotal = maxTotal;
        this.maxPerIp = maxPerIp;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        int n = total.incrementAndGet();
        int m = ip == null ? 0 : perIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> release(ip));
        if (n > maxTotal || m > maxPerIp) {
            refused.increment();
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    private void release(InetAddress ip) {
        total.decrementAndGet();
        if (ip != null) {
            perIp.computeIfPresent(ip, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
        }
    }

    public int open() {
        return total.get();
    }

    public long refusedCount() {
        return refused.sum();
    }
}
