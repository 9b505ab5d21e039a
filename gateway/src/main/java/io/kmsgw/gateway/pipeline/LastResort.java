package io.kmsgw.gateway.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler: nothing reaches the pipeline tail. Stray messages are released, idle connections
 * closed, and exceptions that escaped every stage (TLS failures, resets, codec bugs) end the
 * connection with a log line that never carries request content.
 */
@ChannelHandler.Sharable
public final class LastResort extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LastResort.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            LOG.debug("TLS failure from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof IOException) {
            LOG.debug("I/O error on {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof DecoderException) {
            LOG.debug("decoder error on {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof PrematureChannelClosureException) {
            LOG.debug("client closed {} in the middle of a request", ctx.channel().remoteAddress());
        } else {
            LOG.warn("unexpected exception on {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
