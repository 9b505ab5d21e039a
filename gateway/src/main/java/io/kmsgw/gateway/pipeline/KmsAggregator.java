package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.RequestIds;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates bodies up to the cap; a larger one (declared or streamed) gets a protobuf 413 and a close. */
public final class KmsAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    public KmsAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    /**
     * Expect: 100-continue gets its 100; an oversized body announced with it and any other expectation
     * get protobuf errors like every other failure (Netty's own answers have no body).
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof FullHttpResponse r && r.status().code() != HttpResponseStatus.CONTINUE.code()) {
            boolean tooLarge = r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code();
            r.release();
            Responses.count(pipeline.channel(), null, tooLarge ? ProtocolError.PAYLOAD_TOO_LARGE : ProtocolError.EXPECTATION_FAILED);
            return tooLarge
                    ? Responses.errorResponse(pipeline.channel(), RequestIds.next(), ProtocolError.PAYLOAD_TOO_LARGE,
                            "The request body exceeds " + maxBytes + " bytes.")
                    : Responses.errorResponse(pipeline.channel(), RequestIds.next(), ProtocolError.EXPECTATION_FAILED,
                            "Only Expect: 100-continue is supported.");
        }
        return answer;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Responses.error(ctx.channel(), RequestIds.next(), false, ProtocolError.PAYLOAD_TOO_LARGE,
                "The request body exceeds " + maxBytes + " bytes.");
    }
}
