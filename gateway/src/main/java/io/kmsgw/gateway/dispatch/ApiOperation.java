package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.netty.channel.Channel;

/**
 * One data-plane API: how its body parses, which key it names (for authorization) and how it runs.
 * {@link #execute} must not block: engine work completes asynchronously and replies on the channel.
 */
public interface ApiOperation<M> {

    M parse(byte[] body) throws InvalidProtocolBufferException;

    /** The request's message: its protobuf body (the instance protocol), or its parameters (the KMS OpenAPI). */
    default M parse(KmsRequest request) throws InvalidProtocolBufferException {
        return parse(request.body);
    }

    /** The KeyId as the request gives it (id or alias), or null when the API names no key. */
    String keyId(M message);

    /**
     * The key version that names the key when the request gives no KeyId ({@link #keyId} empty), or null: the
     * {@code x-kms-migrationkeyversionid} header, or the version a self-describing ciphertext carries.
     */
    default String keyVersionId(KmsRequest request, M message) {
        return null;
    }

    /** The secret the request names, or null when the API names no secret. */
    default String secretName(M message) {
        return null;
    }

    void execute(KmsRequest request, M message, Channel channel);
}
