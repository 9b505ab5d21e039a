package io.kmsgw.gateway.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;

/**
 * GetSecretValue. Requests are parsed and authorized for real (CryptoServiceSecretUser on
 * {@code secret/<name>}); this build has no secret store yet, so an authorized request learns that the
 * secret does not exist, which is true.
 */
final class SecretApis {
    private SecretApis() {
    }

    static final class GetSecretValue implements ApiOperation<KmsApi.GetSecretValueRequest> {
        @Override
        public KmsApi.GetSecretValueRequest parse(byte[] body) throws InvalidProtocolBufferException {
            KmsApi.GetSecretValueRequest m = KmsApi.GetSecretValueRequest.parseFrom(body);
            Replies.require(m.getSecretName(), "SecretName");
            return m;
        }

        @Override
        public String keyId(KmsApi.GetSecretValueRequest m) {
            return null;
        }

        @Override
        public String secretName(KmsApi.GetSecretValueRequest m) {
            return m.getSecretName();
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GetSecretValueRequest m, Channel ch) {
            Responses.error(ch, r, ProtocolError.RESOURCE_NOT_FOUND,
                    "The secret " + Responses.echo(m.getSecretName()) + " does not exist in the system.");
        }
    }
}
