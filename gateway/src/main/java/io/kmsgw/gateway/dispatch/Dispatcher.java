package io.kmsgw.gateway.dispatch;

import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Runs an authorized request's operation; the engine replies asynchronously. */
@ChannelHandler.Sharable
public final class Dispatcher extends KmsRequestHandler {
    private final ApiOperations operations;

    public Dispatcher(ApiOperations operations) {
        this.operations = operations;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        operations.get(r.api).execute(r, r.message, ctx.channel());
    }
}
