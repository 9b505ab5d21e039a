package io.kmsgw.gateway.dispatch;

import io.kmsgw.crypto.api.Commands;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.ops.SymmetricOps;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;

/** AdvanceEncrypt, AdvanceDecrypt and AdvanceGenerateDataKey (self-describing ciphertexts under the primary version). */
final class AdvanceApis {
    private AdvanceApis() {
    }

    static final class AdvanceEncrypt extends KeyApi<KmsApi.AdvanceEncryptRequest> {
        private final CryptoOperations engine;

        AdvanceEncrypt(CryptoOperations engine) {
            super(KmsApi.AdvanceEncryptRequest.parser(), KmsApi.AdvanceEncryptRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.AdvanceEncryptRequest m, Channel ch) {
            engine.advanceEncrypt(new Commands.Encrypt(m.getKeyId(), m.getPlaintext().toByteArray(), m.getAlgorithm(),
                    m.getAad().toByteArray(), m.getIv().toByteArray(), m.getPaddingMode()),
                    Replies.<Results.Encrypted>to(ch, r, e -> KmsApi.AdvanceEncryptResponse.newBuilder()
                            .setKeyId(e.keyId())
                            .setCiphertextBlob(ByteString.copyFrom(e.ciphertextBlob()))
                            .setIv(ByteString.copyFrom(e.iv()))
                            .setAlgorithm(e.algorithm())
                            .setKeyVersionId(e.keyVersionId())
                            .setRequestId(r.requestId)
                            .build(), Results.Encrypted::keyVersionId));
        }
    }

    /** KeyId is optional: a self-describing blob names its key version, and so its key, for authorization. */
    static final class AdvanceDecrypt implements ApiOperation<KmsApi.AdvanceDecryptRequest> {
        private final CryptoOperations engine;

        AdvanceDecrypt(CryptoOperations engine) {
            this.engine = engine;
        }

        @Override
        public KmsApi.AdvanceDecryptRequest parse(byte[] body) throws InvalidProtocolBufferException {
            KmsApi.AdvanceDecryptRequest m = KmsApi.AdvanceDecryptRequest.parseFrom(body);
            if (m.getCiphertextBlob().isEmpty()) {
                throw io.kmsgw.crypto.api.KmsException.invalid("CiphertextBlob is required.");
            }
            return m;
        }

        @Override
        public String keyId(KmsApi.AdvanceDecryptRequest m) {
            return m.getKeyId();
        }

        @Override
        public String keyVersionId(KmsRequest r, KmsApi.AdvanceDecryptRequest m) {
            return engine.versionIdOfAdvanceBlob(m.getCiphertextBlob().toByteArray());
        }

        @Override
        public void execute(KmsRequest r, KmsApi.AdvanceDecryptRequest m, Channel ch) {
            engine.advanceDecrypt(new Commands.Decrypt(m.getKeyId(), m.getCiphertextBlob().toByteArray(), m.getAlgorithm(),
                    m.getAad().toByteArray(), m.getIv().toByteArray(), m.getPaddingMode(), r.migrationKeyVersionId),
                    Replies.<Results.Decrypted>to(ch, r, d -> KmsApi.AdvanceDecryptResponse.newBuilder()
                            .setKeyId(d.keyId())
                            .setPlaintext(ByteString.copyFrom(d.plaintext()))
                            .setAlgorithm(d.algorithm())
                            .setKeyVersionId(d.keyVersionId())
                            .setRequestId(r.requestId)
                            .build(), Results.Decrypted::keyVersionId));
        }
    }

    static final class AdvanceGenerateDataKey extends KeyApi<KmsApi.AdvanceGenerateDataKeyRequest> {
        private final CryptoOperations engine;

        AdvanceGenerateDataKey(CryptoOperations engine) {
            super(KmsApi.AdvanceGenerateDataKeyRequest.parser(), KmsApi.AdvanceGenerateDataKeyRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.AdvanceGenerateDataKeyRequest m, Channel ch) {
            engine.advanceGenerateDataKey(new Commands.DataKey(m.getKeyId(), "", m.getNumberOfBytes(), m.getAad().toByteArray()),
                    Replies.<Results.DataKey>to(ch, r, d -> KmsApi.AdvanceGenerateDataKeyResponse.newBuilder()
                            .setKeyId(d.keyId())
                            .setIv(ByteString.copyFrom(d.iv()))
                            .setPlaintext(ByteString.copyFrom(d.plaintext()))
                            .setCiphertextBlob(ByteString.copyFrom(d.ciphertextBlob()))
                            .setAlgorithm(d.algorithm())
                            .setKeyVersionId(d.keyVersionId())
                            .setRequestId(r.requestId)
                            .build(), Results.DataKey::keyVersionId));
        }
    }
}
