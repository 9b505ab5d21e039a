package io.kmsgw.gateway.dispatch;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Results;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.channel.Channel;
import java.util.function.Function;

/** GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext and their Advance variants. */
final class DataKeyPairApis {
    private DataKeyPairApis() {
    }

    private static void run(CryptoOperations engine, KmsRequest r, Channel ch, Commands.DataKeyPair cmd,
                            Function<Results.DataKeyPair, MessageLite> body) {
        engine.generateDataKeyPair(cmd, Replies.to(ch, r, body, Results.DataKeyPair::keyVersionId));
    }

    static final class Plain extends KeyApi<KmsApi.GenerateDataKeyPairRequest> {
        private final CryptoOperations engine;

        Plain(CryptoOperations engine) {
            super(KmsApi.GenerateDataKeyPairRequest.parser(), KmsApi.GenerateDataKeyPairRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GenerateDataKeyPairRequest m, Channel ch) {
            run(engine, r, ch, new Commands.DataKeyPair(m.getKeyId(), m.getAlgorithm(), m.getKeyPairSpec(), m.getKeyFormat(),
                    m.getAad().toByteArray(), false), p -> KmsApi.GenerateDataKeyPairResponse.newBuilder()
                    .setKeyId(p.keyId()).setIv(ByteString.copyFrom(p.iv())).setKeyPairSpec(p.keyPairSpec())
                    .setPrivateKeyPlaintext(ByteString.copyFrom(p.privateKeyPlaintext()))
                    .setPrivateKeyCiphertextBlob(ByteString.copyFrom(p.privateKeyCiphertextBlob()))
                    .setPublicKey(ByteString.copyFrom(p.publicKey())).setAlgorithm(p.algorithm()).setRequestId(r.requestId).build());
        }
    }

    static final class WithoutPlaintext extends KeyApi<KmsApi.GenerateDataKeyPairWithoutPlaintextRequest> {
        private final CryptoOperations engine;

        WithoutPlaintext(CryptoOperations engine) {
            super(KmsApi.GenerateDataKeyPairWithoutPlaintextRequest.parser(), KmsApi.GenerateDataKeyPairWithoutPlaintextRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.GenerateDataKeyPairWithoutPlaintextRequest m, Channel ch) {
            run(engine, r, ch, new Commands.DataKeyPair(m.getKeyId(), m.getAlgorithm(), m.getKeyPairSpec(), m.getKeyFormat(),
                    m.getAad().toByteArray(), false), p -> KmsApi.GenerateDataKeyPairWithoutPlaintextResponse.newBuilder()
                    .setKeyId(p.keyId()).setIv(ByteString.copyFrom(p.iv())).setKeyPairSpec(p.keyPairSpec())
                    .setPrivateKeyCiphertextBlob(ByteString.copyFrom(p.privateKeyCiphertextBlob()))
                    .setPublicKey(ByteString.copyFrom(p.publicKey())).setAlgorithm(p.algorithm()).setRequestId(r.requestId).build());
        }
    }

    static final class AdvancePlain extends KeyApi<KmsApi.AdvanceGenerateDataKeyPairRequest> {
        private final CryptoOperations engine;

        AdvancePlain(CryptoOperations engine) {
            super(KmsApi.AdvanceGenerateDataKeyPairRequest.parser(), KmsApi.AdvanceGenerateDataKeyPairRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.AdvanceGenerateDataKeyPairRequest m, Channel ch) {
            run(engine, r, ch, new Commands.DataKeyPair(m.getKeyId(), "", m.getKeyPairSpec(), m.getKeyFormat(), m.getAad().toByteArray(),
                    true), p -> KmsApi.AdvanceGenerateDataKeyPairResponse.newBuilder()
                    .setKeyId(p.keyId()).setIv(ByteString.copyFrom(p.iv())).setKeyPairSpec(p.keyPairSpec())
                    .setPrivateKeyPlaintext(ByteString.copyFrom(p.privateKeyPlaintext()))
                    .setPrivateKeyCiphertextBlob(ByteString.copyFrom(p.privateKeyCiphertextBlob()))
                    .setPublicKey(ByteString.copyFrom(p.publicKey())).setAlgorithm(p.algorithm()).setKeyVersionId(p.keyVersionId())
                    .setRequestId(r.requestId).build());
        }
    }

    static final class AdvanceWithoutPlaintext extends KeyApi<KmsApi.AdvanceGenerateDataKeyPairWithoutPlaintextRequest> {
        private final CryptoOperations engine;

        AdvanceWithoutPlaintext(CryptoOperations engine) {
            super(KmsApi.AdvanceGenerateDataKeyPairWithoutPlaintextRequest.parser(),
                    KmsApi.AdvanceGenerateDataKeyPairWithoutPlaintextRequest::getKeyId);
            this.engine = engine;
        }

        @Override
        public void execute(KmsRequest r, KmsApi.AdvanceGenerateDataKeyPairWithoutPlaintextRequest m, Channel ch) {
            run(engine, r, ch, new Commands.DataKeyPair(m.getKeyId(), "", m.getKeyPairSpec(), m.getKeyFormat(), m.getAad().toByteArray(),
                    true), p -> KmsApi.AdvanceGenerateDataKeyPairWithoutPlaintextResponse.newBuilder()
                    .setKeyId(p.keyId()).setIv(ByteString.copyFrom(p.iv())).setKeyPairSpec(p.keyPairSpec())
                    .setPrivateKeyCiphertextBlob(ByteString.copyFrom(p.privateKeyCiphertextBlob()))
                    .setPublicKey(ByteString.copyFrom(p.publicKey())).setAlgorithm(p.algorithm()).setKeyVersionId(p.keyVersionId())
                    .setRequestId(r.requestId).build());
        }
    }
}
