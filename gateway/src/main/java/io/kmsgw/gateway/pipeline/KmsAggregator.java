package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.RequestIds;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates bodies up to the cap; a larger one (declared or streamed) gets a protobuf 413 and a close. */
public final class KmsAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    public KmsAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Responses.error(ctx.channel(), RequestIds.next(), false, ProtocolError.PAYLOAD_TOO_LARGE,
                "The request body exceeds " + maxBytes + " bytes.");
    }
}
