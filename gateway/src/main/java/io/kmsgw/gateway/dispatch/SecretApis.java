package io.kmsgw.gateway.dispatch;

import io.kmsgw.crypto.api.SecretValue;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.crypto.api.IsoTime;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;

/** GetSecretValue: CryptoServiceSecretUser on {@code secret/<name>} and KeyUser on the secret's key; decrypted in the HSM. */
final class SecretApis {
    private SecretApis() {
    }

    static final class GetSecretValue implements ApiOperation<KmsApi.GetSecretValueRequest> {
        private final SecretManagement engine;

        GetSecretValue(SecretManagement engine) {
            this.engine = engine;
        }

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
            engine.getSecretValue(m.getSecretName(), m.getVersionStage(), m.getVersionId(), Replies.<SecretValue>to(ch, r, v -> {
                KmsApi.GetSecretValueResponse.Builder b = KmsApi.GetSecretValueResponse.newBuilder()
                        .setSecretName(v.secret().name())
                        .setSecretType(v.secret().secretType())
                        .setSecretData(v.secretData())
                        .setSecretDataType(v.version().dataType())
                        .addAllVersionStages(v.secret().stagesOf(v.version().versionId()))
                        .setVersionId(v.version().versionId())
                        .setCreateTime(IsoTime.seconds(v.version().created()))
                        .setAutomaticRotation("false")
                        .setRequestId(r.requestId);
                if (m.getFetchExtendedConfig()) {
                    b.setExtendedConfig(v.secret().extendedConfig());
                }
                return b.build();
            }, null));
        }
    }
}
