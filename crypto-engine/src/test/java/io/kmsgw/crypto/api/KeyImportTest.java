package io.kmsgw.crypto.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.MovableClock;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bring your own key through the engine: EXTERNAL keys, import tokens, the import itself, expiry, deletion and every refusal. */
class KeyImportTest {
    @TempDir
    Path dir;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private SqliteStore store;
    private HsmBackend hsm;
    private KmsEngine engine;

    @BeforeEach
    void start() {
        open();
    }

    private void open() {
        store = new SqliteStore(dir.resolve("kms.db"));
        hsm = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "import-secret-01".toCharArray(), 1000, 32,
                null, null));
        engine = new Engine(store, hsm, new KmsEngine.Settings(1, 64, 64), clock);
    }

    @AfterEach
    void close() {
        engine.close();
        hsm.close();
        store.close();
    }

    private static KmsException refused(KmsError error, Executable call) {
        KmsException e = assertThrows(KmsException.class, call);
        assertEquals(error, e.error(), e.getMessage());
        return e;
    }

    /** What a tenant does with the parameters: encrypt its material under the wrapping public key. */
    static byte[] wrap(KeyImport.Parameters p, String oaepHash, byte[] material) throws Exception {
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(p.publicKey())));
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(oaepHash, "MGF1", new MGF1ParameterSpec(oaepHash), PSource.PSpecified.DEFAULT));
        return c.doFinal(material);
    }

    private Encrypted encrypt(String keyId, byte[] pt) throws Exception {
        return KmsEngineTest.<Results.Padded>await((c, v) -> engine.crypto().encrypt(new Commands.Encrypt(keyId, pt, "", new byte[0],
                new byte[0], ""), c)).encrypted();
    }

    private byte[] decrypt(Encrypted e) throws Exception {
        return KmsEngineTest.<Results.Decrypted>await((c, v) -> engine.crypto().decrypt(new Commands.Decrypt(e.keyId(), e.ciphertextBlob(),
                e.algorithm(), new byte[0], e.iv(), "", ""), c)).plaintext();
    }

    @Test
    void anExternalKeyServesNothingUntilItsMaterialIsImportedThenServesWithExactlyThatMaterial() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "byok", Map.of(), "External");
        assertEquals(KeyState.PendingImport, k.state());
        assertEquals("EXTERNAL", k.origin());
        KmsException pending = refused(KmsError.KEY_PENDING_IMPORT, () -> encrypt(k.keyId(), new byte[] {1}));
        assertEquals("The request was rejected because the key state is PendingImport.", pending.getMessage());
        refused(KmsError.UNSUPPORTED_OPERATION, () -> engine.keys().createKeyVersion(k.keyId()));
        refused(KmsError.UNSUPPORTED_OPERATION, () -> engine.keys().updateRotationPolicy(k.keyId(), true, Duration.ofDays(30)));
        refused(KmsError.CONFLICT, () -> engine.keys().enableKey(k.keyId()));
        refused(KmsError.INVALID_PARAMETER, () -> engine.keys().createKey("HMAC_256", "", "", Map.of(), "EXTERNAL"));
        refused(KmsError.INVALID_PARAMETER, () -> engine.keys().createKey("Aliyun_AES_256", "", "", Map.of(), "Imported"));
        assertEquals(KeyMetadata.ALIYUN_KMS, engine.keys().createKey("Aliyun_AES_256", "", "", Map.of(), "AWS_KMS").origin());

        KeyImport.Parameters p = engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_256", "RSA_2048");
        assertEquals(clock.instant().plus(Duration.ofHours(24)), p.tokenExpireTime());
        byte[] material = new byte[32];
        new SecureRandom().nextBytes(material);
        KeyMetadata imported = engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-256", material), p.importToken(), null);
        assertEquals(KeyState.Enabled, imported.state());
        assertNull(imported.materialExpireTime());

        // the engine's ciphertext opens under the tenant's own material, outside kmsgw
        byte[] pt = "bring your own key".getBytes(StandardCharsets.UTF_8);
        Encrypted e = encrypt(k.keyId(), pt);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(material, "AES"), new GCMParameterSpec(128, e.iv()));
        assertArrayEquals(pt, gcm.doFinal(e.ciphertextBlob()));
        assertArrayEquals(pt, decrypt(e));

        // re-import: the same material is taken (a new token, another algorithm), other material never
        KeyImport.Parameters p2 = engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_1", "");
        KeyMetadata before = engine.keys().describeKey(k.keyId());
        byte[] other = material.clone();
        other[0] ^= 1;
        KmsException differs = refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), wrap(p2, "SHA-1",
                other), p2.importToken(), null));
        assertTrue(differs.getMessage().contains("only the same material"), differs.getMessage());
        assertEquals(before, engine.keys().describeKey(k.keyId()));
        assertArrayEquals(pt, decrypt(e));
        engine.imports().importKeyMaterial(k.keyId(), wrap(p2, "SHA-1", material), p2.importToken(), null);

        // DeleteKeyMaterial: PendingImport at once; the same material brings the old ciphertexts back
        assertEquals(KeyState.PendingImport, engine.imports().deleteKeyMaterial(k.keyId()).state());
        refused(KmsError.KEY_PENDING_IMPORT, () -> decrypt(e));
        assertEquals(KeyState.PendingImport, engine.imports().deleteKeyMaterial(k.keyId()).state(), "deleting twice is fine");
        engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-256", material), p.importToken(), null);
        assertArrayEquals(pt, decrypt(e));

        // the imported key survives a restart
        close();
        open();
        assertEquals(KeyState.Enabled, engine.keys().describeKey(k.keyId()).state());
        assertArrayEquals(pt, decrypt(e));
        KmsException differsAfterRestart = refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(),
                wrap(p2, "SHA-1", other), p2.importToken(), null));
        assertTrue(differsAfterRestart.getMessage().contains("only the same material"));
    }

    @Test
    void materialWithAnExpiryIsDeletedByMaintenanceAndComesBackOnlyAsTheSameMaterial() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_128", "", "", Map.of(), "EXTERNAL");
        KeyImport.Parameters p = engine.imports().getParametersForImport(k.keyId(), "", "");
        byte[] material = new byte[16];
        new SecureRandom().nextBytes(material);
        Instant expire = clock.instant().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-256", material), p.importToken(),
                clock.instant().minusSeconds(1)));
        assertEquals(expire, engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-256", material), p.importToken(), expire)
                .materialExpireTime());
        Encrypted e = encrypt(k.keyId(), new byte[] {7});
        assertEquals(0, engine.maintenance().runMaintenance().materialExpired());
        clock.advance(Duration.ofMinutes(61));
        assertEquals(1, engine.maintenance().runMaintenance().materialExpired());
        KeyMetadata after = engine.keys().describeKey(k.keyId());
        assertEquals(KeyState.PendingImport, after.state());
        assertNull(after.materialExpireTime());
        refused(KmsError.KEY_PENDING_IMPORT, () -> decrypt(e));
        assertEquals(0, engine.maintenance().runMaintenance().materialExpired(), "nothing twice");
        // the token is still within its 24 hours
        engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-256", material), p.importToken(), null);
        assertArrayEquals(new byte[] {7}, decrypt(e));
    }

    @Test
    void everyBadImportIsRefusedAndLeavesTheKeyAsItWas() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_AES_256", "", "", Map.of(), "EXTERNAL");
        KeyMetadata other = engine.keys().createKey("Aliyun_AES_256", "", "", Map.of(), "EXTERNAL");
        KeyMetadata generated = engine.keys().createKey("Aliyun_AES_256", "", "");
        KeyImport.Parameters p = engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_256", "RSA_2048");
        KeyImport.Parameters po = engine.imports().getParametersForImport(other.keyId(), "RSAES_OAEP_SHA_256", "RSA_2048");
        byte[] material = new byte[32];
        new SecureRandom().nextBytes(material);
        byte[] good = wrap(p, "SHA-256", material);

        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_512", ""));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_256", "EC_SM2"));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().getParametersForImport(generated.keyId(), "", ""));
        KmsException anotherKey = refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good,
                po.importToken(), null));
        assertTrue(anotherKey.getMessage().contains("another key"), anotherKey.getMessage());
        // a token edited to name this key is still the other key's sealed content
        String renamed = po.importToken().replace(other.keyId(), k.keyId());
        assertTrue(refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, renamed, null))
                .getMessage().contains("altered"));
        char[] t = p.importToken().toCharArray();
        t[t.length - 10] = t[t.length - 10] == 'A' ? 'B' : 'A';
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, new String(t), null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, "", null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, "kgit1.x.%%%", null));
        // wrapped with another algorithm, or under another key's wrapping key, or the wrong length, or nothing at all
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), wrap(p, "SHA-1", material), p.importToken(),
                null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), wrap(po, "SHA-256", material),
                p.importToken(), null));
        KmsException shortKey = refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(),
                wrap(p, "SHA-256", new byte[16]), p.importToken(), null));
        assertTrue(shortKey.getMessage().contains("32 bytes"), shortKey.getMessage());
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), new byte[0], p.importToken(), null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), new byte[2048], p.importToken(), null));
        // into a key that is not EXTERNAL, or one scheduled for deletion
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(generated.keyId(), good, p.importToken(), null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().deleteKeyMaterial(generated.keyId()));
        engine.keys().scheduleKeyDeletion(k.keyId(), 7);
        KeyMetadata scheduled = engine.keys().describeKey(k.keyId());
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, p.importToken(), null));
        assertEquals(scheduled, engine.keys().describeKey(k.keyId()));
        assertEquals(KeyState.PendingImport, engine.keys().cancelKeyDeletion(k.keyId()).state(), "back to waiting for its material");
        // an expired token
        clock.advance(Duration.ofHours(24));
        assertTrue(refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), good, p.importToken(), null))
                .getMessage().contains("expired"));
        assertEquals(KeyState.PendingImport, engine.keys().describeKey(k.keyId()).state());
        refused(KmsError.KEY_PENDING_IMPORT, () -> encrypt(k.keyId(), new byte[] {1}));
    }

    @Test
    void sm4MaterialImportsUnderAnSm2WrappingKeyInEitherCiphertextForm() throws Exception {
        KeyMetadata k = engine.keys().createKey("Aliyun_SM4", "", "", Map.of(), "EXTERNAL");
        KeyImport.Parameters p = engine.imports().getParametersForImport(k.keyId(), "SM2PKE", "EC_SM2");
        assertEquals("EC_SM2", p.wrappingKeySpec());
        byte[] material = new byte[16];
        new SecureRandom().nextBytes(material);
        java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        PublicKey pub = KeyFactory.getInstance("EC", "BC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(p.publicKey())));
        org.bouncycastle.crypto.engines.SM2Engine sm2 = new org.bouncycastle.crypto.engines.SM2Engine(
                org.bouncycastle.crypto.engines.SM2Engine.Mode.C1C3C2);
        sm2.init(true, new org.bouncycastle.crypto.params.ParametersWithRandom(
                org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil.generatePublicKeyParameter(pub), new SecureRandom()));
        byte[] raw = sm2.processBlock(material, 0, material.length);
        assertEquals(KeyState.Enabled, engine.imports().importKeyMaterial(k.keyId(), raw, p.importToken(), null).state());
        Encrypted e = encrypt(k.keyId(), new byte[] {9});
        engine.imports().deleteKeyMaterial(k.keyId());
        // the DER form (GM/T 0009), as openssl pkeyutl writes it
        byte[] again = sm2.processBlock(material, 0, material.length);
        byte[] der = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                new org.bouncycastle.asn1.ASN1Integer(new java.math.BigInteger(1, java.util.Arrays.copyOfRange(again, 1, 33))),
                new org.bouncycastle.asn1.ASN1Integer(new java.math.BigInteger(1, java.util.Arrays.copyOfRange(again, 33, 65))),
                new org.bouncycastle.asn1.DEROctetString(java.util.Arrays.copyOfRange(again, 65, 97)),
                new org.bouncycastle.asn1.DEROctetString(java.util.Arrays.copyOfRange(again, 97, again.length))}).getEncoded();
        engine.imports().importKeyMaterial(k.keyId(), der, p.importToken(), null);
        assertArrayEquals(new byte[] {9}, decrypt(e));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), new byte[] {0x30, 3, 1, 1, 0},
                p.importToken(), null));
    }

    /** The RSA_AES_KEY_WRAP envelope a tenant makes for a private key: OAEP of a fresh AES-256 key, then the PKCS#8 under it. */
    static byte[] envelope(KeyImport.Parameters p, String oaepHash, byte[] pkcs8) throws Exception {
        byte[] aes = new byte[32];
        new SecureRandom().nextBytes(aes);
        byte[] head = wrap(p, oaepHash, aes);
        Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
        kwp.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aes, "AES"));
        byte[] tail = kwp.doFinal(pkcs8);
        byte[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    private byte[] sign(String keyId, byte[] message) throws Exception {
        return KmsEngineTest.<Results.Signed>await((c, v) -> engine.crypto().sign(new Commands.Sign(keyId, "", message, new byte[0], "", ""),
                c)).signature();
    }

    @Test
    void aPrivateKeyImportedInAnEnvelopeSignsAsItsOwnerExpectsAndOnlyThatKeyComesBack() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        java.security.KeyPair mine = g.generateKeyPair();
        KeyMetadata k = engine.keys().createKey("RSA_2048", "SIGN/VERIFY", "", Map.of(), "EXTERNAL");
        assertEquals(KeyState.PendingImport, k.state());
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().getParametersForImport(k.keyId(), "RSAES_OAEP_SHA_256", ""));
        KeyImport.Parameters p = engine.imports().getParametersForImport(k.keyId(), "", "");
        assertEquals(KeyImport.WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256, p.algorithm());
        engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-256", mine.getPrivate().getEncoded()), p.importToken(), null);

        byte[] msg = "signed by my own key".getBytes(StandardCharsets.UTF_8);
        java.security.Signature v = java.security.Signature.getInstance("SHA256withRSA/PSS");
        v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        v.initVerify(mine.getPublic());
        v.update(msg);
        assertTrue(v.verify(sign(k.keyId(), msg)), "RSA_PSS_SHA_256 (the default) under the tenant's key");
        String pem = engine.crypto().getPublicKey(k.keyId(), "").pem();
        assertEquals(Base64.getEncoder().encodeToString(mine.getPublic().getEncoded()), pem.replaceAll("-----[A-Z ]+-----|\\s", ""));

        // another RSA-2048 key, an RSA-3072 key, an EC key: refused, the key unchanged
        KeyMetadata before = engine.keys().describeKey(k.keyId());
        java.security.KeyPair other = g.generateKeyPair();
        assertTrue(refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-256",
                other.getPrivate().getEncoded()), p.importToken(), null)).getMessage().contains("only the same material"));
        java.security.KeyPairGenerator g3 = java.security.KeyPairGenerator.getInstance("RSA");
        g3.initialize(3072);
        KmsException size = refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-256",
                g3.generateKeyPair().getPrivate().getEncoded()), p.importToken(), null));
        assertTrue(size.getMessage().contains("an RSA-3072 key") && size.getMessage().contains("takes an RSA-2048"), size.getMessage());
        java.security.KeyPairGenerator eg = java.security.KeyPairGenerator.getInstance("EC");
        eg.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-256",
                eg.generateKeyPair().getPrivate().getEncoded()), p.importToken(), null));
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-1",
                mine.getPrivate().getEncoded()), p.importToken(), null));
        assertEquals(before, engine.keys().describeKey(k.keyId()));

        // deleted and imported again: the same key signs again
        engine.imports().deleteKeyMaterial(k.keyId());
        refused(KmsError.KEY_PENDING_IMPORT, () -> sign(k.keyId(), msg));
        engine.imports().importKeyMaterial(k.keyId(), envelope(p, "SHA-256", mine.getPrivate().getEncoded()), p.importToken(), null);
        v.initVerify(mine.getPublic());
        v.update(msg);
        assertTrue(v.verify(sign(k.keyId(), msg)));

        // an EC P-256 key
        java.security.KeyPair ec = eg.generateKeyPair();
        KeyMetadata e = engine.keys().createKey("EC_P256", "SIGN/VERIFY", "", Map.of(), "EXTERNAL");
        KeyImport.Parameters pe = engine.imports().getParametersForImport(e.keyId(), "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048");
        engine.imports().importKeyMaterial(e.keyId(), envelope(pe, "SHA-1", ec.getPrivate().getEncoded()), pe.importToken(), null);
        java.security.Signature ev = java.security.Signature.getInstance("SHA256withECDSA");
        ev.initVerify(ec.getPublic());
        ev.update(msg);
        assertTrue(ev.verify(sign(e.keyId(), msg)));
        refused(KmsError.INVALID_PARAMETER, () -> engine.keys().createKey("HMAC_256", "", "", Map.of(), "EXTERNAL"));

        // an SM2 key (the simulated token has SM2): SM3withSM2 with the default user id verifies under the tenant's key
        org.bouncycastle.jce.provider.BouncyCastleProvider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        java.security.KeyPairGenerator sg = java.security.KeyPairGenerator.getInstance("EC", bc);
        sg.initialize(new java.security.spec.ECGenParameterSpec("sm2p256v1"));
        java.security.KeyPair sm2 = sg.generateKeyPair();
        KeyMetadata sk = engine.keys().createKey("EC_SM2", "SIGN/VERIFY", "", Map.of(), "EXTERNAL");
        KeyImport.Parameters ps = engine.imports().getParametersForImport(sk.keyId(), "", "");
        refused(KmsError.INVALID_PARAMETER, () -> engine.imports().importKeyMaterial(sk.keyId(), envelope(ps, "SHA-256",
                ec.getPrivate().getEncoded()), ps.importToken(), null)); // a P-256 key is no SM2 key
        engine.imports().importKeyMaterial(sk.keyId(), envelope(ps, "SHA-256", sm2.getPrivate().getEncoded()), ps.importToken(), null);
        java.security.Signature sv = java.security.Signature.getInstance("SM3withSM2", bc);
        sv.initVerify(sm2.getPublic());
        sv.update(msg);
        assertTrue(sv.verify(sign(sk.keyId(), msg)));
    }
}
