package io.kmsgw.gateway.dispatch;

import io.kmsgw.crypto.api.Commands;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.ops.SymmetricOps;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;

/** Encrypt, Decrypt, GenerateDataKey and GenerateRandom: wire messages ↔ engine commands. */
final class SymmetricApis {
    private SymmetricApis() {
    }

    static final class Encrypt extends KeyApi<KmsApi.EncryptRequest> {
        private final CryptoOperations engine;

        Encrypt(CryptoOperations engine) {
            super(KmsApi.EncryptRequest.parser(), KmsApi.EncryptRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.EncryptRequest m, Channel ch) {
            engine.encrypt(new Commands.Encrypt(m.getKeyId(), m.getPlaintext().toByteArray(), m.getAlgorithm(),
                    m.getAad().toByteArray(), m.getIv().toByteArray(), m.getPaddingMode()),
                    Replies.<Results.Padded>to(ch, r, p -> KmsApi.EncryptResponse.newBuilder()
                            .setKeyId(p.encrypted().keyId())
                            .setCiphertextBlob(ByteString.copyFrom(p.encrypted().ciphertextBlob()))
                            .setIv(ByteString.copyFrom(p.encrypted().iv()))
                            .setAlgorithm(p.encrypted().algorithm())
                            .setPaddingMode(p.paddingMode())
                            .setRequestId(r.requestId)
                            .build(), p -> p.encrypted().keyVersionId()));
        }
    }

    static final class Decrypt extends KeyApi<KmsApi.DecryptRequest> {
        private final CryptoOperations engine;

        Decrypt(CryptoOperations engine) {
            super(KmsApi.DecryptRequest.parser(), KmsApi.DecryptRequest::getKeyId, true);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.DecryptRequest m, Channel ch) {
            engine.decrypt(new Commands.Decrypt(m.getKeyId(), m.getCiphertextBlob().toByteArray(), m.getAlgorithm(),
                    m.getAad().toByteArray(), m.getIv().toByteArray(), m.getPaddingMode(), r.migrationKeyVersionId),
                    Replies.<Decrypted>to(ch, r, d -> KmsApi.DecryptResponse.newBuilder()
                            .setKeyId(d.keyId())
                            .setPlaintext(ByteString.copyFrom(d.plaintext()))
                            .setAlgorithm(d.algorithm())
                            .setPaddingMode(m.getPaddingMode())
                            .setRequestId(r.requestId)
                            .build(), Decrypted::keyVersionId));
        }
    }

    static final class GenerateDataKey extends KeyApi<KmsApi.GenerateDataKeyRequest> {
        private final CryptoOperations engine;

        GenerateDataKey(CryptoOperations engine) {
            super(KmsApi.GenerateDataKeyRequest.parser(), KmsApi.GenerateDataKeyRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GenerateDataKeyRequest m, Channel ch) {
            engine.generateDataKey(new Commands.DataKey(m.getKeyId(), m.getAlgorithm(), m.getNumberOfBytes(),
                    m.getAad().toByteArray()),
                    Replies.<DataKey>to(ch, r, d -> KmsApi.GenerateDataKeyResponse.newBuilder()
                            .setKeyId(d.keyId())
                            .setIv(ByteString.copyFrom(d.iv()))
                            .setPlaintext(ByteString.copyFrom(d.plaintext()))
                            .setCiphertextBlob(ByteString.copyFrom(d.ciphertextBlob()))
                            .setAlgorithm(d.algorithm())
                            .setRequestId(r.requestId)
                            .build(), DataKey::keyVersionId));
        }
    }

    static final class GenerateRandom implements ApiOperation<KmsApi.GenerateRandomRequest> {
        private final CryptoOperations engine;

        GenerateRandom(CryptoOperations engine) {
            this.engine = engine;
        }

        @Override
        public KmsApi.GenerateRandomRequest parse(byte[] body) throws InvalidProtocolBufferException {
            return KmsApi.GenerateRandomRequest.parseFrom(body);
        }

        @Override
        public String keyId(KmsApi.GenerateRandomRequest m) {
            return null;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GenerateRandomRequest m, Channel ch) {
            engine.generateRandom(m.getLength(), Replies.<byte[]>to(ch, r, b -> KmsApi.GenerateRandomResponse.newBuilder()
                    .setRandom(ByteString.copyFrom(b))
                    .setRequestId(r.requestId)
                    .build(), null));
        }
    }
}
