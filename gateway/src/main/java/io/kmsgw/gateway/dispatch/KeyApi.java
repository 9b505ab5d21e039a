package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.util.function.Function;

/** An API that names a key: parsing requires a non-empty KeyId, which authorization then checks. */
abstract class KeyApi<M> implements ApiOperation<M> {
    private final Parser<M> parser;
    private final Function<M, String> keyId;

    KeyApi(Parser<M> parser, Function<M, String> keyId) {
        this.parser = parser;
        this.keyId = keyId;
    }

    @Override
    public final M parse(byte[] body) throws InvalidProtocolBufferException {
        M m = parser.parseFrom(body);
        Replies.require(keyId.apply(m), "KeyId");
        return m;
    }

    @Override
    public final String keyId(M message) {
        return keyId.apply(message);
    }
}
