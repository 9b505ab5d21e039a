package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.OpenApiCall;
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
        ApiOperation<Object> op = operations.get(r);
        if (op == null && r.openApi != null) {
            String action = r.openApi.action;
            if (OpenApiCall.knownButNotServed(action)) {
                throw new ProtocolException(ProtocolError.UNSUPPORTED_OPERATION, "The action " + action + " is not served by a KMS instance "
                        + "endpoint: call it on the KMS regional endpoint, or manage keys, secrets and access on kmsgw's admin API.");
            }
            throw new ProtocolException(ProtocolError.INVALID_ACTION, "Specified api \"" + Responses.echo(action) + "\" is not found; "
                    + "this endpoint serves Encrypt, Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GetSecretValue, "
                    + "AsymmetricSign, AsymmetricVerify, AsymmetricEncrypt, AsymmetricDecrypt and GetPublicKey.");
        }
        if (op == null) {
            throw new ProtocolException(ProtocolError.UNSUPPORTED_OPERATION, "The API " + r.api.name() + " is not supported by this gateway yet.");
        }
        try {
            r.message(op.parse(r));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The body is not a valid " + r.api.name() + "Request message.");
        }
        ctx.fireChannelRead(r);
    }
}
