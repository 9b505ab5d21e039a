package io.kmsgw.gateway.dispatch;

import com.google.protobuf.ByteString;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;

/** Sign, Verify, Hmac and GetPublicKey: wire messages ↔ engine commands. */
final class AsymmetricApis {
    private AsymmetricApis() {
    }

    static final class Sign extends KeyApi<KmsApi.SignRequest> {
        private final CryptoOperations engine;

        Sign(CryptoOperations engine) {
            super(KmsApi.SignRequest.parser(), KmsApi.SignRequest::getKeyId, true);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.SignRequest m, Channel ch) {
            engine.sign(new Commands.Sign(m.getKeyId(), m.getAlgorithm(), m.getMessage().toByteArray(), m.getDigest().toByteArray(),
                    m.getMessageType(), r.migrationKeyVersionId),
                    Replies.<Results.Signed>to(ch, r, s -> KmsApi.SignResponse.newBuilder()
                            .setKeyId(s.keyId())
                            .setSignature(ByteString.copyFrom(s.signature()))
                            .setAlgorithm(s.algorithm())
                            .setMessageType(s.messageType())
                            .setRequestId(r.requestId)
                            .build(), Results.Signed::keyVersionId));
        }
    }

    static final class Verify extends KeyApi<KmsApi.VerifyRequest> {
        private final CryptoOperations engine;

        Verify(CryptoOperations engine) {
            super(KmsApi.VerifyRequest.parser(), KmsApi.VerifyRequest::getKeyId, true);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.VerifyRequest m, Channel ch) {
            engine.verify(new Commands.Sign(m.getKeyId(), m.getAlgorithm(), m.getMessage().toByteArray(), m.getDigest().toByteArray(),
                    m.getMessageType(), r.migrationKeyVersionId), m.getSignature().toByteArray(),
                    Replies.<Results.Verified>to(ch, r, v -> KmsApi.VerifyResponse.newBuilder()
                            .setKeyId(v.keyId())
                            .setValue(v.value())
                            .setAlgorithm(v.algorithm())
                            .setMessageType(v.messageType())
                            .setRequestId(r.requestId)
                            .build(), Results.Verified::keyVersionId));
        }
    }

    static final class Hmac extends KeyApi<KmsApi.HmacRequest> {
        private final CryptoOperations engine;

        Hmac(CryptoOperations engine) {
            super(KmsApi.HmacRequest.parser(), KmsApi.HmacRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.HmacRequest m, Channel ch) {
            engine.hmac(m.getKeyId(), m.getMessage().toByteArray(), Replies.<Results.Mac>to(ch, r, h -> KmsApi.HmacResponse.newBuilder()
                    .setKeyId(h.keyId())
                    .setSignature(ByteString.copyFrom(h.mac()))
                    .setRequestId(r.requestId)
                    .build(), Results.Mac::keyVersionId));
        }
    }

    /** GetPublicKey needs no HSM work: it answers on the event loop from the cached key ring. */
    static final class GetPublicKey extends KeyApi<KmsApi.GetPublicKeyRequest> {
        private final CryptoOperations engine;

        GetPublicKey(CryptoOperations engine) {
            super(KmsApi.GetPublicKeyRequest.parser(), KmsApi.GetPublicKeyRequest::getKeyId, true);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GetPublicKeyRequest m, Channel ch) {
            Results.PublicKey pk = engine.getPublicKey(m.getKeyId(), r.migrationKeyVersionId);
            Responses.ok(ch, r, KmsApi.GetPublicKeyResponse.newBuilder()
                    .setKeyId(pk.keyId())
                    .setPublicKey(pk.pem())
                    .setRequestId(r.requestId)
                    .build(), pk.keyVersionId());
        }
    }
}
