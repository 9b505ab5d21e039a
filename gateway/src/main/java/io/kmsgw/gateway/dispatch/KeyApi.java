package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.kmsgw.gateway.protocol.KmsRequest;
import java.util.function.Function;

/**
 * An API that names a key, which authorization then checks. Parsing requires a non-empty KeyId, except for
 * the APIs whose key a key version may name alone ({@code x-kms-migrationkeyversionid}, as the transfer
 * clients send it on Decrypt): for those the authorizer resolves the key from the version, or answers
 * "KeyId is required." when neither is given.
 */
abstract class KeyApi<M> implements ApiOperation<M> {
    private final Parser<M> parser;
    private final Function<M, String> keyId;
    private final boolean versionMayNameKey;

    KeyApi(Parser<M> parser, Function<M, String> keyId) {
        this(parser, keyId, false);
    }

    KeyApi(Parser<M> parser, Function<M, String> keyId, boolean versionMayNameKey) {
        this.parser = parser;
        this.keyId = keyId;
        this.versionMayNameKey = versionMayNameKey;
    }

    @Override
    public final M parse(byte[] body) throws InvalidProtocolBufferException {
        M m = parser.parseFrom(body);
        if (!versionMayNameKey) {
            Replies.require(keyId.apply(m), "KeyId");
        }
        return m;
    }

    @Override
    public final String keyId(M message) {
        return keyId.apply(message);
    }

    @Override
    public final String keyVersionId(KmsRequest request, M message) {
        return versionMayNameKey ? request.migrationKeyVersionId : null;
    }
}
