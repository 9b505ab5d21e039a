package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.metrics.RequestMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Owns the data-plane pipeline order:
 * connection caps → TLS → request deadline → HTTP codec → keep-alive → aggregator → sequencer → idle timeout →
 * decoder → authenticator → body decoder → authorizer → limiter → dispatcher → last resort. Stateless stages are shared instances.
 */
public final class DataPlaneInitializer extends ChannelInitializer<SocketChannel> {
    /** The gateway stages in order, each a {@code @Sharable} instance. */
    public record Stages(ChannelHandler authenticator, ChannelHandler bodyDecoder, ChannelHandler authorizer, ChannelHandler limiter,
                         ChannelHandler dispatcher, io.kmsgw.gateway.audit.AuditLog audit,
                         java.util.List<io.kmsgw.gateway.net.IpBlock> trustedProxies, ConnectionLimiter connections,
                         Duration requestDeadline, Duration handshakeTimeout, RequestMetrics metrics) {
    }

    static final int MAX_INITIAL_LINE = 32 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final SslContext ssl;
    private final int maxBodyBytes;
    private final Duration idleTimeout;
    private final Stages stages;
    private final RequestDecoder decoder;
    private final LastResort lastResort = new LastResort();

    public DataPlaneInitializer(SslContext ssl, int maxBodyBytes, Duration idleTimeout, Stages stages) {
        this.ssl = ssl;
        this.maxBodyBytes = maxBodyBytes;
        this.idleTimeout = idleTimeout;
        this.stages = stages;
        this.decoder = new RequestDecoder(stages.trustedProxies());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.attr(Responses.AUDIT).set(stages.audit());
        ch.attr(RequestMetrics.KEY).set(stages.metrics());
        ChannelPipeline p = ch.pipeline();
        addConnectionFilters(p);
        addTls(p, ch);
        addHttpCodec(p);
        addTimeouts(p);
        addGatewayHandlers(p);
    }

    private void addConnectionFilters(ChannelPipeline p) {
        p.addLast("connections", stages.connections());
    }

    /**
     * The same pipeline from the request deadline on, without connection caps and TLS, on any channel
     * (an {@code EmbeddedChannel}): for in-process fuzzing and benchmarks of the HTTP and gateway stages.
     */
    public void initInProcess(Channel ch) {
        ch.attr(Responses.AUDIT).set(stages.audit());
        ch.attr(RequestMetrics.KEY).set(stages.metrics());
        ChannelPipeline p = ch.pipeline();
        addDeadline(p);
        addHttpCodec(p);
        addTimeouts(p);
        addGatewayHandlers(p);
    }

    private void addTls(ChannelPipeline p, SocketChannel ch) {
        SslHandler tls = ssl.newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(stages.handshakeTimeout().toMillis());
        tls.handshakeFuture().addListener(f -> stages.metrics().handshake(f.isSuccess()));
        p.addLast("tls", tls);
        addDeadline(p);
    }

    private void addDeadline(ChannelPipeline p) {
        p.addLast("deadline", new RequestDeadline(stages.requestDeadline().toMillis()));
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK));
        p.addLast("keepAlive", new HttpServerKeepAliveHandler());
        p.addLast("aggregator", new KmsAggregator(maxBodyBytes));
        p.addLast("sequencer", new RequestSequencer());
    }

    /**
     * A connection that sends nothing for the idle timeout is closed. Reads only: a handler that also watched writes
     * (all-idle) turns every response's void promise into a real one with a listener ({@link Responses}). A response stuck
     * behind a client that reads nothing ends the same way, since that client sends nothing either.
     */
    private void addTimeouts(ChannelPipeline p) {
        p.addLast("idle", new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }

    private void addGatewayHandlers(ChannelPipeline p) {
        p.addLast("decoder", decoder);
        p.addLast("authenticator", stages.authenticator());
        p.addLast("bodyDecoder", stages.bodyDecoder());
        p.addLast("authorizer", stages.authorizer());
        p.addLast("limiter", stages.limiter());
        p.addLast("dispatcher", stages.dispatcher());
        p.addLast("lastResort", lastResort);
    }
}
