package io.kmsgw.gateway.dispatch;

import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Runs an authorized request's operation (only when it can be audited); the engine replies asynchronously. */
@ChannelHandler.Sharable
public final class Dispatcher extends KmsRequestHandler {
    private final ApiOperations operations;
    private final AuditLog audit;

    public Dispatcher(ApiOperations operations, AuditLog audit) {
        this.operations = operations;
        this.audit = audit;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        if (!audit.canAccept()) {
            // fail closed: nothing runs that could not be audited
            r.notAudited();
            throw new ProtocolException(ProtocolError.UNAVAILABLE, "The audit log cannot record requests right now; nothing was done.");
        }
        operations.get(r).execute(r, r.message(), ctx.channel());
    }
}
