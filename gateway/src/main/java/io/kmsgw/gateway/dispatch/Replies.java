package io.kmsgw.gateway.dispatch;

import com.google.protobuf.MessageLite;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.netty.channel.Channel;
import java.util.function.Function;

/** Turns an engine completion (on a worker) into a response written on the channel's event loop. */
final class Replies {
    private Replies() {
    }

    static <T> Completion<T> to(Channel ch, KmsRequest r, Function<T, MessageLite> body, Function<T, String> keyVersionId) {
        return (result, error) -> {
            Runnable reply = () -> {
                if (error != null) {
                    Responses.error(ch, r, ProtocolError.of(error.error()), KmsRequestHandler.clientMessage(error));
                } else {
                    Responses.ok(ch, r, body.apply(result), keyVersionId == null ? null : keyVersionId.apply(result));
                }
            };
            // inline jobs complete on the event loop already; pool jobs hop back to it
            if (ch.eventLoop().inEventLoop()) {
                reply.run();
            } else {
                ch.eventLoop().execute(reply);
            }
        };
    }

    static String require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw io.kmsgw.crypto.api.KmsException.invalid(name + " is required.");
        }
        return value;
    }
}
