package io.kmsgw.gateway.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The event loops (epoll when available) and the listening sockets on them; closing drains in-flight requests, bounded. */
final class Listeners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final boolean epoll = Epoll.isAvailable();
    private final Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> channels = new ArrayList<>();
    /**
     * A borrower's ({@link #borrow}) accepted connections, closed with it, while the event loops stay with their owner; null
     * for the owner, whose connections end with its event loops.
     */
    private final ChannelGroup accepted;

    /** @param ioThreads event loops for connections (they also run light crypto inline) */
    Listeners(int ioThreads) {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        boss = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
        accepted = null;
    }

    private Listeners(Listeners owner) {
        boss = owner.boss;
        workers = owner.workers;
        accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    }

    /**
     * Listeners on these same event loops whose close ends only their own sockets and connections: the warm-up's throwaway
     * instance serves on the event loops the real one will use, so that what those threads keep for themselves (Netty's
     * per-thread buffer magazines, recyclers and handler caches) is filled and compiled code has seen it filled.
     */
    Listeners borrow() {
        return new Listeners(this);
    }

    /** Binds a listener; returns the address it accepts on (the port chosen when 0 was asked). */
    InetSocketAddress bind(InetSocketAddress address, ChannelInitializer<SocketChannel> init) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType);
        if (accepted != null) {
            b.handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object child) {
                    accepted.add((Channel) child); // a server channel reads the connections it accepts
                    ctx.fireChannelRead(child);
                }
            });
        }
        Channel ch = b
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(address).sync().channel();
        channels.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    /** The connections' event loops, for probes (the delay meter). */
    EventLoopGroup workers() {
        return workers;
    }

    String transport() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(5_000);
        }
        if (accepted != null) {
            accepted.close().awaitUninterruptibly(5_000);
            return;
        }
        // Quiet period lets requests already read finish; the timeout bounds the drain. The waits are bounded
        // too: once a stopped server hung here with every event loop thread gone (seen once, after an
        // overload run with JFR attached; not reproduced), and SIGTERM must end the process whatever happens.
        if (!workers.shutdownGracefully(200, 10_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(15_000)) {
            LOG.warn("the event loops did not report termination within 15 s; closing the rest anyway");
        }
        if (!boss.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5_000)) {
            LOG.warn("the accept loop did not report termination within 5 s; closing the rest anyway");
        }
    }
}
