package io.kmsgw.gateway.pipeline;

import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the stateless gateway stages: each handles a {@link KmsRequest} and either passes it on or
 * answers it. Protocol and domain failures become Error responses through {@link ProtocolError}; an
 * unexpected exception is logged and answered as InternalFailure, never a stack trace to the client.
 */
@ChannelHandler.Sharable
public abstract class KmsRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(KmsRequestHandler.class);

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof KmsRequest r)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            handle(ctx, r);
        } catch (ProtocolException e) {
            Responses.error(ctx.channel(), r, e.error(), e.getMessage());
        } catch (KmsException e) {
            Responses.error(ctx.channel(), r, ProtocolError.of(e.error()), clientMessage(e));
        } catch (RuntimeException e) {
            LOG.error("request {} ({}) failed unexpectedly", r.requestId, r.apiNameHeader, e);
            Responses.error(ctx.channel(), r, ProtocolError.INTERNAL, "Internal Failure.");
        }
    }

    /** The message a client sees for an engine failure. */
    public static String clientMessage(KmsException e) {
        return switch (e.error()) {
            case INTERNAL, ALREADY_EXISTS -> "Internal Failure.";
            default -> e.getMessage();
        };
    }

    /** Handles the request: pass it on with {@code ctx.fireChannelRead(r)} or answer it. */
    protected abstract void handle(ChannelHandlerContext ctx, KmsRequest r);
}
