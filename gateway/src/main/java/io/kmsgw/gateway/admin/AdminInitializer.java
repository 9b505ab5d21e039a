package io.kmsgw.gateway.admin;

import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.metrics.Handshakes;
import io.kmsgw.gateway.pipeline.ConnectionLimiter;
import io.kmsgw.gateway.pipeline.LastResort;
import io.kmsgw.gateway.pipeline.RequestDeadline;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Owns the admin-plane pipeline order, with the data plane's defences and the admin plane's own limits:
 * connection caps → TLS (handshake timeout) → request deadline → HTTP codec → aggregator (body cap) → idle timeout →
 * admin handler → last resort.
 */
public final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    private final SslContext ssl;
    private final Settings.AdminPlane limits;
    private final ConnectionLimiter connections;
    private final Handshakes handshakes;
    private final AdminHandler handler;
    private final LastResort lastResort = new LastResort();

    public AdminInitializer(SslContext ssl, Settings.AdminPlane limits, ConnectionLimiter connections, Handshakes handshakes,
            AdminHandler handler) {
        this.ssl = ssl;
        this.limits = limits;
        this.connections = connections;
        this.handshakes = handshakes;
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addConnectionFilters(p);
        addTls(p, ch);
        addHttpCodec(p);
        addTimeouts(p);
        p.addLast("admin", handler);
        p.addLast("lastResort", lastResort);
    }

    private void addConnectionFilters(ChannelPipeline p) {
        p.addLast("connections", connections);
    }

    private void addTls(ChannelPipeline p, SocketChannel ch) {
        SslHandler tls = ssl.newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(limits.handshakeTimeout().toMillis());
        tls.handshakeFuture().addListener(f -> handshakes.record(f.isSuccess()));
        p.addLast("tls", tls);
        // AdminHandler stops the clock when a whole request has arrived
        p.addLast("deadline", new RequestDeadline(limits.requestDeadline().toMillis()));
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec(4096, 16 * 1024, 64 * 1024));
        p.addLast("aggregator", new HttpObjectAggregator(limits.maxBodyBytes()));
    }

    private void addTimeouts(ChannelPipeline p) {
        p.addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }
}
