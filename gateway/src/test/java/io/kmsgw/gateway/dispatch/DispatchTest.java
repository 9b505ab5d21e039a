package io.kmsgw.gateway.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dispatch on its own: the operation table, what each API's body must carry, which key or secret it names for
 * authorization, and the body decoder and dispatcher as handlers on an embedded channel over a real engine.
 */
class DispatchTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private HsmBackend backend;
    private KmsEngine engine;
    private AuditLog audit;
    private ApiOperations ops;

    @BeforeEach
    void open() throws Exception {
        store = new SqliteStore(dir.resolve("kmsgw.db"));
        backend = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "dispatch-secret".toCharArray(), 1000, 16,
                null, null));
        engine = new Engine(store, backend, new KmsEngine.Settings(2, 64, 16), Clock.systemUTC());
        audit = new AuditLog(dir.resolve("audit"), store, 1 << 20, 1024);
        ops = new ApiOperations(engine);
    }

    @AfterEach
    void close() {
        audit.close();
        engine.close();
        backend.close();
        store.close();
    }

    private static KmsRequest request(ApiName api, byte[] body, String migrationVersion) {
        return new KmsRequest("req-1", System.nanoTime(), null, true, "dkms-gcs-0.2", api.name(), "RSA_PKCS1_SHA_256", "KAAP.k",
                null, null, "application/x-protobuf", null, "test", migrationVersion, List.of(), body);
    }

    @ParameterizedTest
    @EnumSource(ApiName.class)
    void everyApiOfTheProtocolIsServed(ApiName api) {
        assertNotNull(ops.get(api), api.name());
    }

    @Test
    void apisThatNameAKeyRequireItUnlessAVersionMayNameIt() throws Exception {
        Set<ApiName> versionMayNameKey = EnumSet.of(ApiName.Decrypt, ApiName.Sign, ApiName.Verify, ApiName.GetPublicKey,
                ApiName.AdvanceDecrypt);
        Set<ApiName> noKey = EnumSet.of(ApiName.GenerateRandom, ApiName.GetSecretValue);
        for (ApiName api : ApiName.values()) {
            if (noKey.contains(api)) {
                continue;
            }
            if (versionMayNameKey.contains(api)) {
                if (api == ApiName.AdvanceDecrypt) {
                    continue; // it requires its blob instead (below)
                }
                assertNotNull(ops.get(api).parse(new byte[0]), api + " parses without a KeyId");
            } else {
                KmsException e = assertThrows(KmsException.class, () -> ops.get(api).parse(new byte[0]), api.name());
                assertEquals("KeyId is required.", e.getMessage(), api.name());
            }
        }
        assertEquals("CiphertextBlob is required.", assertThrows(KmsException.class,
                () -> ops.get(ApiName.AdvanceDecrypt).parse(new byte[0])).getMessage());
    }

    @Test
    void aBodyThatIsNotTheMessageFailsToParse() {
        assertThrows(InvalidProtocolBufferException.class, () -> ops.get(ApiName.Encrypt).parse(new byte[] {(byte) 0xff, (byte) 0xff}));
    }

    @Test
    void whatEachApiNamesForAuthorization() throws Exception {
        KmsApi.EncryptRequest enc = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/a").build();
        assertEquals("alias/a", ops.get(ApiName.Encrypt).keyId(ops.get(ApiName.Encrypt).parse(enc.toByteArray())));
        assertNull(ops.get(ApiName.Encrypt).secretName(enc), "Encrypt names no secret");
        KmsApi.GetSecretValueRequest sec = KmsApi.GetSecretValueRequest.newBuilder().setSecretName("db").build();
        assertEquals("db", ops.get(ApiName.GetSecretValue).secretName(sec));
        assertNull(ops.get(ApiName.GenerateRandom).keyId(KmsApi.GenerateRandomRequest.getDefaultInstance()));
        Object dec = ops.get(ApiName.Decrypt).parse(new byte[0]);
        assertEquals("v-from-header", ops.get(ApiName.Decrypt).keyVersionId(request(ApiName.Decrypt, new byte[0], "v-from-header"), dec));
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "", "");
        assertEquals(k.initialVersionId(), engine.crypto().versionIdOfAdvanceBlob(advanceBlob(k)));
        KmsApi.AdvanceDecryptRequest adv = KmsApi.AdvanceDecryptRequest.newBuilder().setCiphertextBlob(ByteString.copyFrom(advanceBlob(k)))
                .build();
        assertEquals(k.initialVersionId(), ops.get(ApiName.AdvanceDecrypt).keyVersionId(request(ApiName.AdvanceDecrypt, new byte[0], null),
                adv), "a self-describing blob names its version");
    }

    private byte[] advanceBlob(KeyMetadata k) throws Exception {
        java.util.concurrent.CompletableFuture<byte[]> f = new java.util.concurrent.CompletableFuture<>();
        engine.crypto().advanceEncrypt(new io.kmsgw.crypto.api.Commands.Encrypt(k.keyId(), new byte[] {1}, "", null, null, ""),
                (r, e) -> f.complete(r.ciphertextBlob()));
        return f.get();
    }

    private static FullHttpResponse response(EmbeddedChannel ch) {
        FullHttpResponse r = ch.readOutbound();
        assertNotNull(r, "a response was written");
        return r;
    }

    @Test
    void theBodyDecoderPassesParsedRequestsOnAndAnswersBadBodiesItself() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new BodyDecoder(ops));
        KmsRequest good = request(ApiName.GenerateRandom, KmsApi.GenerateRandomRequest.newBuilder().setLength(8).build().toByteArray(), null);
        ch.writeInbound(good);
        KmsRequest passed = ch.readInbound();
        assertSame(good, passed);
        assertEquals(8, ((KmsApi.GenerateRandomRequest) passed.message()).getLength());

        ch.writeInbound(request(ApiName.Encrypt, new byte[] {(byte) 0xff, (byte) 0xff}, null));
        assertNull(ch.readInbound(), "a bad body goes no further");
        FullHttpResponse bad = response(ch);
        try {
            assertEquals(400, bad.status().code());
            KmsApi.Error err = KmsApi.Error.parseFrom(ByteBufUtil.getBytes(bad.content()));
            assertEquals("InvalidParameter", err.getErrorCode());
            assertTrue(err.getErrorMessage().contains("EncryptRequest"), err.getErrorMessage());
        } finally {
            bad.release();
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void theDispatcherRunsTheOperationAndRepliesOnTheChannel() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "", "");
        EmbeddedChannel ch = new EmbeddedChannel(new BodyDecoder(ops), new Dispatcher(ops, audit));
        byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId(k.keyId()).setPlaintext(ByteString.copyFromUtf8("hello")).build()
                .toByteArray();
        ch.writeInbound(request(ApiName.Encrypt, body, null));
        ch.runPendingTasks();
        FullHttpResponse ok = response(ch);
        try {
            assertEquals(200, ok.status().code());
            KmsApi.EncryptResponse r = KmsApi.EncryptResponse.parseFrom(ByteBufUtil.getBytes(ok.content()));
            assertEquals(k.keyId(), r.getKeyId());
            assertEquals("AES_GCM", r.getAlgorithm());
            assertEquals(12, r.getIv().size());
            assertEquals(5 + 16, r.getCiphertextBlob().size());
            assertEquals(k.initialVersionId(), ok.headers().get("x-kms-migrationkeyversionid"));
        } finally {
            ok.release();
        }

        byte[] unknownKey = KmsApi.EncryptRequest.newBuilder().setKeyId("key-none").setPlaintext(ByteString.copyFromUtf8("x")).build()
                .toByteArray();
        ch.writeInbound(request(ApiName.Encrypt, unknownKey, null));
        ch.runPendingTasks();
        FullHttpResponse notFound = response(ch);
        try {
            assertEquals(404, notFound.status().code());
            assertEquals("Forbidden.KeyNotFound", KmsApi.Error.parseFrom(ByteBufUtil.getBytes(notFound.content())).getErrorCode());
        } finally {
            notFound.release();
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void randomBytesComeBackAsAsked() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new BodyDecoder(ops), new Dispatcher(ops, audit));
        ch.writeInbound(request(ApiName.GenerateRandom, KmsApi.GenerateRandomRequest.newBuilder().setLength(24).build().toByteArray(), null));
        ch.runPendingTasks();
        FullHttpResponse ok = response(ch);
        try {
            KmsApi.GenerateRandomResponse r = KmsApi.GenerateRandomResponse.parseFrom(ByteBufUtil.getBytes(ok.content()));
            assertEquals(24, r.getRandom().size());
        } finally {
            ok.release();
        }
        ch.finishAndReleaseAll();
    }
}
