package io.kmsgw.crypto.api;

import io.kmsgw.crypto.service.Engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key spec through the engine, checked against independent JCA/BouncyCastle implementations. */
class AsymmetricEngineTest {
    private static final byte[] NONE = new byte[0];
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    @TempDir
    static Path dir;
    static SqliteStore store;
    static KmsEngine engine;

    @BeforeAll
    static void open() {
        store = new SqliteStore(dir.resolve("db"));
        engine = new Engine(store, new SimHsmBackend(dir.resolve("hsm"), "engine-test-secret".toCharArray(), 1000, 64),
                new KmsEngine.Settings(2, 64, 64), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        engine.close();
        store.close();
    }

    private static PublicKey publicKey(String keyId) throws Exception {
        String pem = engine.crypto().getPublicKey(keyId).pem();
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"), pem);
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", ""));
        String alg = engine.keys().describeKey(keyId).spec().kind() == KeySpec.Kind.RSA ? "RSA" : "EC";
        // BouncyCastle's EC key factory reads SM2 (sm2p256v1) public keys too
        return KeyFactory.getInstance(alg, BC).generatePublic(new X509EncodedKeySpec(der));
    }

    @Test
    void everySpecGeneratesWithItsDefaultUsage() {
        for (KeySpec spec : KeySpec.values()) {
            if (spec == KeySpec.RSA_4096 || spec == KeySpec.RSA_3072) {
                continue; // slow to generate; signRsa covers them
            }
            KeyMetadata m = engine.keys().createKey(spec.name(), "", "");
            assertEquals(spec, m.spec());
            assertEquals(spec.kind() == KeySpec.Kind.EC || spec.kind() == KeySpec.Kind.SM2 ? KeyUsage.SIGN_VERIFY
                    : spec.kind() == KeySpec.Kind.HMAC
                    ? KeyUsage.GENERATE_VERIFY_MAC : KeyUsage.ENCRYPT_DECRYPT, m.usage());
        }
        assertEquals(KeySpec.EC_P256K, engine.keys().createKey("ECC_SECG_P256K1", "SIGN_VERIFY", "").spec());
        assertEquals(KeySpec.EC_P384, engine.keys().createKey("ECC_NIST_P384", "", "").spec());
    }

    @Test
    void aesModesRoundTripAndRefuseMisuse() throws Exception {
        String key = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        byte[] pt = "sixteen byte msg and a tail".getBytes(StandardCharsets.UTF_8);
        for (String[] c : new String[][] {{"AES_CBC", ""}, {"AES_CBC", "PKCS7_PADDING"}, {"AES_ECB", ""}, {"AES_CTR", ""}, {"AES_GCM", ""}}) {
            Results.Padded enc = KmsEngineTest.<Results.Padded>await((cb, v) -> engine.crypto().encrypt(new Commands.Encrypt(key, pt, c[0], NONE, NONE,
                    c[1]), cb));
            assertEquals(c[0], enc.encrypted().algorithm());
            byte[] back = KmsEngineTest.<Results.Decrypted>await((cb, v) -> engine.crypto().decrypt(new Commands.Decrypt(key,
                    enc.encrypted().ciphertextBlob(), c[0], NONE, enc.encrypted().iv(), enc.paddingMode(), ""), cb)).plaintext();
            assertArrayEquals(pt, back, c[0]);
        }
        byte[] block = new byte[32];
        Results.Padded raw = KmsEngineTest.<Results.Padded>await((cb, v) -> engine.crypto().encrypt(new Commands.Encrypt(key, block, "AES_CBC", NONE,
                NONE, "NO_PADDING"), cb));
        assertEquals(32, raw.encrypted().ciphertextBlob().length, "NO_PADDING adds nothing");
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(key,
                new byte[17], "AES_CBC", NONE, NONE, "NO_PADDING"), (r, e) -> { })).error());
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(key, pt,
                "AES_CBC", new byte[] {1}, NONE, ""), (r, e) -> { })).error(), "AAD with CBC");
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(key, pt,
                "AES_CBC", NONE, new byte[12], ""), (r, e) -> { })).error(), "wrong IV length");
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(key, pt,
                "AES_ECB", NONE, new byte[16], ""), (r, e) -> { })).error(), "ECB takes no IV");
        // a flipped bit in a padded ECB ciphertext: uniform failure, never a padding detail
        Results.Padded ecb = KmsEngineTest.<Results.Padded>await((cb, v) -> engine.crypto().encrypt(new Commands.Encrypt(key, pt, "AES_ECB", NONE,
                NONE, ""), cb));
        byte[] bad = ecb.encrypted().ciphertextBlob().clone();
        bad[bad.length - 1] ^= 1;
        KmsException fail = assertThrows(KmsException.class, () -> KmsEngineTest.<Results.Decrypted>await((cb, v) -> engine.crypto().decrypt(
                new Commands.Decrypt(key, bad, "AES_ECB", NONE, NONE, "", ""), cb)));
        assertEquals(KmsError.DECRYPTION_FAILED, fail.error());
    }

    @Test
    void rsaOaepInteroperatesWithTheJdk() throws Exception {
        String key = engine.keys().createKey("RSA_2048", "ENCRYPT/DECRYPT", "").keyId();
        PublicKey pub = publicKey(key);
        for (String[] alg : new String[][] {{"RSAES_OAEP_SHA_256", "SHA-256"}, {"RSAES_OAEP_SHA_1", "SHA-1"}}) {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(alg[1], "MGF1", new MGF1ParameterSpec(alg[1]), PSource.PSpecified.DEFAULT));
            byte[] local = c.doFinal("made locally".getBytes(StandardCharsets.UTF_8));
            byte[] back = KmsEngineTest.<Results.Decrypted>await((cb, v) -> engine.crypto().decrypt(new Commands.Decrypt(key, local, alg[0], NONE,
                    NONE, "", ""), cb)).plaintext();
            assertEquals("made locally", new String(back, StandardCharsets.UTF_8));
        }
        int max = 256 - 2 * 32 - 2;
        KmsEngineTest.<Results.Padded>await((cb, v) -> engine.crypto().encrypt(new Commands.Encrypt(key, new byte[max], "", NONE, NONE, ""), cb));
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(key,
                new byte[max + 1], "", NONE, NONE, ""), (r, e) -> { })).error());
        byte[] garbage = new byte[256];
        garbage[0] = 1;
        assertEquals(KmsError.DECRYPTION_FAILED, assertThrows(KmsException.class, () -> KmsEngineTest.<Results.Decrypted>await((cb, v) ->
                engine.crypto().decrypt(new Commands.Decrypt(key, garbage, "", NONE, NONE, "", ""), cb))).error());
    }

    private static void signAndCheck(String spec, String algorithm, String jcaAlgorithm, PSSParameterSpec pss) throws Exception {
        String key = engine.keys().createKey(spec, "SIGN/VERIFY", "").keyId();
        PublicKey pub = publicKey(key);
        byte[] msg = ("message for " + spec).getBytes(StandardCharsets.UTF_8);
        Results.Signed raw = KmsEngineTest.<Results.Signed>await((cb, v) -> engine.crypto().sign(new Commands.Sign(key, algorithm, msg, NONE, "", ""), cb));
        assertEquals("RAW", raw.messageType());
        Signature s = Signature.getInstance(jcaAlgorithm, BC);
        if (pss != null) {
            s.setParameter(pss);
        }
        s.initVerify(pub);
        s.update(msg);
        assertTrue(s.verify(raw.signature()), spec + " " + algorithm + ": Sign verifies with an independent verifier");

        String hash = jcaAlgorithm.startsWith("SHA384") ? "SHA-384" : jcaAlgorithm.startsWith("SHA512") ? "SHA-512" : "SHA-256";
        byte[] digest = MessageDigest.getInstance(hash).digest(msg);
        Results.Signed viaDigest = KmsEngineTest.<Results.Signed>await((cb, v) -> engine.crypto().sign(new Commands.Sign(key, algorithm, digest, NONE,
                "DIGEST", ""), cb));
        s.initVerify(pub);
        s.update(msg);
        assertTrue(s.verify(viaDigest.signature()), spec + ": MessageType DIGEST signs the same message");
        Results.Signed legacy = KmsEngineTest.<Results.Signed>await((cb, v) -> engine.crypto().sign(new Commands.Sign(key, algorithm, NONE, digest,
                "", ""), cb));
        assertEquals("DIGEST", legacy.messageType(), "a non-empty legacy Digest means DIGEST");

        Results.Verified ok = KmsEngineTest.<Results.Verified>await((cb, v) -> engine.crypto().verify(new Commands.Sign(key, algorithm, msg, NONE, "",
                ""), raw.signature(), cb));
        assertTrue(ok.value());
        byte[] tampered = raw.signature().clone();
        tampered[tampered.length / 2] ^= 1;
        assertFalse(KmsEngineTest.<Results.Verified>await((cb, v) -> engine.crypto().verify(new Commands.Sign(key, algorithm, msg, NONE, "", ""),
                tampered, cb)).value(), spec + ": a flipped bit does not verify");
        // a signature made locally cannot be made without the private key; the engine's own verify of it is the check above
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().sign(new Commands.Sign(key, algorithm,
                new byte[5], NONE, "DIGEST", ""), (r, e) -> { })).error(), "a digest of the wrong length");
    }

    @Test
    void ecdsaOnEveryCurve() throws Exception {
        signAndCheck("EC_P256", "", "SHA256withECDSA", null);
        signAndCheck("EC_P256K", "ECDSA_SHA_256", "SHA256withECDSA", null);
        signAndCheck("EC_P384", "", "SHA384withECDSA", null);
        signAndCheck("EC_P521", "ECDSA_SHA_512", "SHA512withECDSA", null);
        String p384 = engine.keys().createKey("EC_P384", "", "").keyId();
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().sign(new Commands.Sign(p384, "ECDSA_SHA_256",
                new byte[] {1}, NONE, "", ""), (r, e) -> { })).error(), "hash must fit the curve");
    }

    @Test
    void signRsa() throws Exception {
        PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
        signAndCheck("RSA_2048", "", "SHA256withRSAandMGF1", pss);
        signAndCheck("RSA_2048", "RSA_PKCS1_SHA_256", "SHA256withRSA", null);
        signAndCheck("RSA_3072", "RSA_PSS_SHA_256", "SHA256withRSAandMGF1", pss);
        signAndCheck("RSA_4096", "RSA_PKCS1_SHA_256", "SHA256withRSA", null);
        String enc = engine.keys().createKey("RSA_2048", "ENCRYPT/DECRYPT", "").keyId();
        assertEquals(KmsError.UNSUPPORTED_OPERATION, assertThrows(KmsException.class, () -> engine.crypto().sign(new Commands.Sign(enc, "",
                new byte[] {1}, NONE, "", ""), (r, e) -> { })).error(), "usage decides");
        String aes = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        assertEquals(KmsError.UNSUPPORTED_OPERATION, assertThrows(KmsException.class, () -> engine.crypto().getPublicKey(aes)).error());
    }

    @Test
    void dataKeyPairGenerationIsCappedAndReleasesItsPermit() throws Exception {
        try (KmsEngine capped = new Engine(store, new SimHsmBackend(dir.resolve("hsm2"), "cap-test-secret".toCharArray(), 1000, 16),
                new KmsEngine.Settings(2, 64, 64, 1), Clock.systemUTC())) {
            String key = capped.keys().createKey("Aliyun_AES_256", "", "").keyId();
            java.util.concurrent.CompletableFuture<io.kmsgw.crypto.api.Results.DataKeyPair> first = new java.util.concurrent.CompletableFuture<>();
            capped.crypto().generateDataKeyPair(new io.kmsgw.crypto.api.Commands.DataKeyPair(key, "", "RSA_4096", "DER", NONE, false),
                    (r, e) -> {
                        if (e != null) {
                            first.completeExceptionally(e);
                        } else {
                            first.complete(r);
                        }
                    });
            KmsException busy = assertThrows(KmsException.class, () -> capped.crypto().generateDataKeyPair(
                    new io.kmsgw.crypto.api.Commands.DataKeyPair(key, "", "EC_P256", "DER", NONE, false), (r, e) -> { }));
            assertEquals(KmsError.THROTTLED, busy.error());
            assertEquals("Concurrency Limit Exceeded.", busy.getMessage());
            assertEquals(512, ((java.security.interfaces.RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                    new X509EncodedKeySpec(first.get(60, java.util.concurrent.TimeUnit.SECONDS).publicKey())))
                    .getModulus().bitLength() / 8);
            // the permit came back
            KmsEngineTest.<io.kmsgw.crypto.api.Results.DataKeyPair>await((cb, v) -> capped.crypto().generateDataKeyPair(
                    new io.kmsgw.crypto.api.Commands.DataKeyPair(key, "", "EC_P256", "DER", NONE, false), cb));
        }
    }

    @Test
    void sm4ModesAndSm2AgainstBouncyCastle() throws Exception {
        String sm4 = engine.keys().createKey("Aliyun_SM4", "", "").keyId();
        byte[] pt = "national algorithms".getBytes(StandardCharsets.UTF_8);
        for (String alg : new String[] {"", "SM4_GCM", "SM4_CBC", "SM4_CTR", "SM4_ECB"}) {
            Results.Padded enc = KmsEngineTest.<Results.Padded>await((cb, v) -> engine.crypto().encrypt(new Commands.Encrypt(sm4, pt, alg, NONE, NONE,
                    ""), cb));
            assertEquals(alg.isEmpty() ? "SM4_GCM" : alg, enc.encrypted().algorithm());
            assertArrayEquals(pt, KmsEngineTest.<Results.Decrypted>await((cb, v) -> engine.crypto().decrypt(new Commands.Decrypt(sm4,
                    enc.encrypted().ciphertextBlob(), alg, NONE, enc.encrypted().iv(), enc.paddingMode(), ""), cb)).plaintext(), alg);
        }
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().encrypt(new Commands.Encrypt(sm4, pt, "AES_GCM",
                NONE, NONE, ""), (r, e) -> { })).error());

        String sign = engine.keys().createKey("EC_SM2", "SIGN/VERIFY", "").keyId();
        Results.Signed s = KmsEngineTest.<Results.Signed>await((cb, v) -> engine.crypto().sign(new Commands.Sign(sign, "", pt, NONE, "", ""), cb));
        assertEquals("SM2DSA", s.algorithm());
        Signature v = Signature.getInstance("SM3withSM2", BC);
        v.initVerify(publicKey(sign));
        v.update(pt);
        assertTrue(v.verify(s.signature()), "an SM2 signature verifies with BouncyCastle over GetPublicKey's PEM");
        assertTrue(KmsEngineTest.<Results.Verified>await((cb, x) -> engine.crypto().verify(new Commands.Sign(sign, "SM2DSA", pt, NONE, "", ""),
                s.signature(), cb)).value());
        // DIGEST: the message is e = SM3(Z_A || M), 32 bytes (checked against BouncyCastle over M in Sm2DigestSignerTest and
        // KeyVersionWireTest); a signature over e verifies over e only
        byte[] e = new byte[32];
        new java.security.SecureRandom().nextBytes(e);
        Results.Signed overE = KmsEngineTest.<Results.Signed>await((cb, x) -> engine.crypto().sign(new Commands.Sign(sign, "", e, NONE, "DIGEST", ""),
                cb));
        assertEquals("DIGEST", overE.messageType());
        assertTrue(KmsEngineTest.<Results.Verified>await((cb, x) -> engine.crypto().verify(new Commands.Sign(sign, "SM2DSA", e, NONE, "DIGEST", ""),
                overE.signature(), cb)).value());
        byte[] otherE = e.clone();
        otherE[0] ^= 1;
        assertFalse(KmsEngineTest.<Results.Verified>await((cb, x) -> engine.crypto().verify(new Commands.Sign(sign, "SM2DSA", otherE, NONE, "DIGEST",
                ""), overE.signature(), cb)).value());
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> engine.crypto().sign(new Commands.Sign(sign, "", new byte[31],
                NONE, "DIGEST", ""), (r, x) -> { })).error(), "SM2DSA's digest is 32 bytes");

        String enc = engine.keys().createKey("EC_SM2", "ENCRYPT/DECRYPT", "").keyId();
        org.bouncycastle.crypto.engines.SM2Engine local = new org.bouncycastle.crypto.engines.SM2Engine(
                org.bouncycastle.crypto.engines.SM2Engine.Mode.C1C3C2);
        local.init(true, new org.bouncycastle.crypto.params.ParametersWithRandom(
                org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil.generatePublicKeyParameter(publicKey(enc)),
                new java.security.SecureRandom()));
        byte[] made = local.processBlock(pt, 0, pt.length);
        assertArrayEquals(pt, KmsEngineTest.<Results.Decrypted>await((cb, x) -> engine.crypto().decrypt(new Commands.Decrypt(enc, made, "SM2PKE",
                NONE, NONE, "", ""), cb)).plaintext(), "a locally made SM2 ciphertext opens through Decrypt");
        Results.Padded viaEngine = KmsEngineTest.<Results.Padded>await((cb, x) -> engine.crypto().encrypt(new Commands.Encrypt(enc, pt, "", NONE,
                NONE, ""), cb));
        assertEquals(pt.length + 97, viaEngine.encrypted().ciphertextBlob().length);
    }

    @Test
    void hmacIsDeterministicPerKeyAndSized() throws Exception {
        for (String spec : new String[] {"HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"}) {
            String k1 = engine.keys().createKey(spec, "GENERATE_VERIFY_MAC", "").keyId();
            String k2 = engine.keys().createKey(spec, "", "").keyId();
            byte[] msg = {1, 2, 3};
            byte[] a = KmsEngineTest.<Results.Mac>await((cb, v) -> engine.crypto().hmac(k1, msg, cb)).mac();
            byte[] b = KmsEngineTest.<Results.Mac>await((cb, v) -> engine.crypto().hmac(k1, msg, cb)).mac();
            byte[] c = KmsEngineTest.<Results.Mac>await((cb, v) -> engine.crypto().hmac(k2, msg, cb)).mac();
            assertEquals(Integer.parseInt(spec.substring(5)) / 8, a.length);
            assertArrayEquals(a, b);
            assertNotEquals(java.util.HexFormat.of().formatHex(a), java.util.HexFormat.of().formatHex(c), "a different key");
        }
        String aes = engine.keys().createKey("Aliyun_AES_256", "", "").keyId();
        assertEquals(KmsError.UNSUPPORTED_OPERATION, assertThrows(KmsException.class, () -> engine.crypto().hmac(aes, new byte[] {1},
                (r, e) -> { })).error());
    }
}
