package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** Parses the protobuf body of an authenticated request into the API's request message. */
@ChannelHandler.Sharable
public final class BodyDecoder extends KmsRequestHandler {
    private final ApiOperations operations;

    public BodyDecoder(ApiOperations operations) {
        this.operations = operations;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        ApiOperation<Object> op = operations.get(r.api);
        if (op == null) {
            throw new ProtocolException(ProtocolError.UNSUPPORTED_OPERATION, "The API " + r.api.name() + " is not supported by this gateway yet.");
        }
        try {
            r.message(op.parse(r.body));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The body is not a valid " + r.api.name() + "Request message.");
        }
        ctx.fireChannelRead(r);
    }
}
