package io.kmsgw.gateway.admin;

import io.kmsgw.gateway.pipeline.LastResort;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Admin-plane pipeline: TLS → HTTP codec → 1 MB aggregator → idle timeout → admin handler → last resort. */
public final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_BODY = 1024 * 1024;
    private final SslContext ssl;
    private final long handshakeTimeoutMillis;
    private final AdminHandler handler;
    private final LastResort lastResort = new LastResort();

    public AdminInitializer(SslContext ssl, java.time.Duration handshakeTimeout, AdminHandler handler) {
        this.ssl = ssl;
        this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        SslHandler tls = ssl.newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        p.addLast("tls", tls);
        p.addLast("http", new HttpServerCodec(4096, 16 * 1024, 64 * 1024));
        p.addLast("aggregator", new HttpObjectAggregator(MAX_BODY));
        p.addLast("idle", new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS));
        p.addLast("admin", handler);
        p.addLast("lastResort", lastResort);
    }
}
