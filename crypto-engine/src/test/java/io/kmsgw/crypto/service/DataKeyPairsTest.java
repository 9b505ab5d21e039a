package io.kmsgw.crypto.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Data key pairs: usable key pairs in either format, sealed under the key, bound to the AAD, and a bounded number at a time. */
class DataKeyPairsTest {
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    @TempDir
    Path dir;
    private Store store;
    private HsmBackend backend;
    private KmsEngine engine;
    private KeyMetadata key;

    @BeforeEach
    void open() {
        store = new SqliteStore(dir.resolve("kmsgw.db"));
        backend = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "pairs-secret-01".toCharArray(), 1000, 16,
                null, null));
        engine = new Engine(store, backend, new KmsEngine.Settings(1, 64, 16, 1, false), Clock.systemUTC());
        key = engine.keys().createKey("Aliyun_AES_256", "", "");
    }

    @AfterEach
    void close() {
        engine.close();
        backend.close();
        store.close();
    }

    private Results.DataKeyPair generate(String spec, String format, byte[] aad, boolean advance) throws Exception {
        CompletableFuture<Results.DataKeyPair> f = new CompletableFuture<>();
        engine.crypto().generateDataKeyPair(new Commands.DataKeyPair(key.keyId(), "", spec, format, aad, advance), (r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static byte[] der(byte[] encoded, String format) {
        if (format.equals("DER")) {
            return encoded;
        }
        String pem = new String(encoded, StandardCharsets.US_ASCII);
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private byte[] open(Results.DataKeyPair p, byte[] aad) throws Exception {
        CompletableFuture<Results.Decrypted> f = new CompletableFuture<>();
        Commands.Decrypt cmd = new Commands.Decrypt(key.keyId(), p.privateKeyCiphertextBlob(), "AES_GCM", aad, p.iv(), "", null);
        try {
            engine.crypto().decrypt(cmd, (r, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(r);
                }
            });
            return f.get(30, TimeUnit.SECONDS).plaintext();
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @ParameterizedTest
    @CsvSource({"EC_P256, PEM, EC, SHA256withECDSA", "EC_P256K, DER, EC, SHA256withECDSA", "RSA_2048, DER, RSA, SHA256withRSA",
            "RSA_2048, PEM, RSA, SHA256withRSA"})
    void aPairSignsWhatItsPublicKeyVerifiesAndItsBlobOpensToTheSameKey(String spec, String format, String alg, String sigAlg)
            throws Exception {
        byte[] aad = "context".getBytes();
        Results.DataKeyPair p = generate(spec, format, aad, false);
        assertEquals(spec, p.keyPairSpec());
        assertEquals(key.initialVersionId(), p.keyVersionId());
        if (format.equals("PEM")) {
            assertTrue(new String(p.privateKeyPlaintext(), StandardCharsets.US_ASCII).startsWith("-----BEGIN PRIVATE KEY-----"));
        }
        PrivateKey sk = KeyFactory.getInstance(alg, BC).generatePrivate(new PKCS8EncodedKeySpec(der(p.privateKeyPlaintext(), format)));
        PublicKey pk = KeyFactory.getInstance(alg, BC).generatePublic(new X509EncodedKeySpec(der(p.publicKey(), format)));
        Signature s = Signature.getInstance(sigAlg, BC); // BouncyCastle: the JDK has no secp256k1
        s.initSign(sk);
        s.update("data".getBytes());
        byte[] sig = s.sign();
        s.initVerify(pk);
        s.update("data".getBytes());
        assertTrue(s.verify(sig));
        assertArrayEquals(p.privateKeyPlaintext(), open(p, aad), "the blob holds the private key as returned");
        assertEquals(KmsError.DECRYPTION_FAILED, assertThrows(KmsException.class, () -> open(p, "other".getBytes())).error());
    }

    @Test
    void theAdvanceVariantUsesThePrimaryVersionAndASelfDescribingBlob() throws Exception {
        String v2 = engine.keys().createKeyVersion(key.keyId()).versionId();
        Results.DataKeyPair p = generate("EC_P256", "PEM", null, true);
        assertEquals(v2, p.keyVersionId());
        assertEquals(v2, engine.crypto().versionIdOfAdvanceBlob(p.privateKeyCiphertextBlob()));
    }

    @Test
    void specsFormatsAndAlgorithmsAreChecked() {
        for (Commands.DataKeyPair bad : new Commands.DataKeyPair[] {
            new Commands.DataKeyPair(key.keyId(), "", "RSA_1024", "PEM", null, false),
            new Commands.DataKeyPair(key.keyId(), "", "EC_P256", "JWK", null, false),
            new Commands.DataKeyPair(key.keyId(), "SM4_GCM", "EC_P256", "PEM", null, false),
            new Commands.DataKeyPair(key.keyId(), "", "EC_P256", "PEM", new byte[8193], false)}) {
            KmsException e = assertThrows(KmsException.class, () -> engine.crypto().generateDataKeyPair(bad, (r, err) -> {
                throw new AssertionError("refused requests do not complete");
            }));
            assertEquals(KmsError.INVALID_PARAMETER, e.error(), e.getMessage());
        }
    }

    @Test
    void beyondTheConcurrencyLimitARequestIsThrottledAtOnceAndThePermitComesBack() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // occupy the one worker with a job that waits, so the first pair stays queued, holding its permit
        CompletableFuture<Results.DataKeyPair> first = new CompletableFuture<>();
        engine.crypto().sign(new Commands.Sign(engine.keys().createKey("EC_P256", "", "").keyId(), "", new byte[1], null, "RAW", null),
                (r, e) -> {
                    started.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        engine.crypto().generateDataKeyPair(new Commands.DataKeyPair(key.keyId(), "", "EC_P256", "PEM", null, false), (r, e) -> {
            if (e != null) {
                first.completeExceptionally(e);
            } else {
                first.complete(r);
            }
        });
        KmsException throttled = assertThrows(KmsException.class, () -> generate("EC_P256", "PEM", null, false));
        assertEquals(KmsError.THROTTLED, throttled.error());
        release.countDown();
        first.get(60, TimeUnit.SECONDS);
        generate("EC_P256", "DER", null, false); // the permit came back with the completion
    }
}
