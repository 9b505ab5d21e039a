package io.kmsgw.hsm;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.api.Curves;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SimHsmTest {
    private static final char[] SO = "so-pin-1234".toCharArray();
    private static final char[] USER = "user-pin-5678".toCharArray();
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;
    Cryptoki hsm;
    long rw;

    @BeforeEach
    void setUp() {
        hsm = SimHsm.initialize(new SimHsm.Options(dir, 2, 8, 1000));
        hsm.initToken(0, SO, "test");
        long so = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        hsm.login(so, CKU_SO, SO);
        hsm.initPin(so, USER);
        hsm.logout(so);
        hsm.closeSession(so);
        rw = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        hsm.login(rw, CKU_USER, USER);
    }

    @AfterEach
    void tearDown() {
        try {
            hsm.close();
        } catch (HsmException ignored) {
            // already finalised by the test
        }
    }

    static void assertCkr(Ckr expected, Executable call) {
        HsmException e = assertThrows(HsmException.class, call);
        assertEquals(expected, e.ckr(), e.getMessage());
    }

    private long aesKey(long session, boolean token, boolean extractable) {
        return hsm.generateKey(session, Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                .set(CKA_VALUE_LEN, 32L).set(CKA_TOKEN, token).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true)
                .set(CKA_EXTRACTABLE, extractable).set(CKA_LABEL, "k"));
    }

    private long importAes(byte[] value, boolean token, String label) {
        return hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
                .set(CKA_VALUE, value).set(CKA_TOKEN, token).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true)
                .set(CKA_LABEL, label));
    }

    private byte[] gcm(boolean encrypt, long key, byte[] iv, byte[] aad, byte[] data) {
        Mechanism m = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(iv, aad, 128));
        if (encrypt) {
            hsm.encryptInit(rw, m, key);
            return hsm.encrypt(rw, data);
        }
        hsm.decryptInit(rw, m, key);
        return hsm.decrypt(rw, data);
    }

    @Test
    void uninitialisedTokenAndSlotChecks() {
        assertCkr(Ckr.TOKEN_NOT_RECOGNIZED, () -> hsm.openSession(1, CKF_SERIAL_SESSION));
        assertCkr(Ckr.SLOT_ID_INVALID, () -> hsm.openSession(7, CKF_SERIAL_SESSION));
        assertCkr(Ckr.SESSION_PARALLEL_NOT_SUPPORTED, () -> hsm.openSession(0, CKF_RW_SESSION));
        assertCkr(Ckr.SESSION_EXISTS, () -> hsm.initToken(0, SO, "again"));
        assertTrue(hsm.getSlotInfo(0).tokenInitialized());
        assertFalse(hsm.getSlotInfo(1).tokenInitialized());
    }

    @Test
    void loginRules() {
        assertCkr(Ckr.USER_ALREADY_LOGGED_IN, () -> hsm.login(rw, CKU_USER, USER));
        assertCkr(Ckr.USER_ANOTHER_ALREADY_LOGGED_IN, () -> hsm.login(rw, CKU_SO, SO));
        hsm.logout(rw);
        assertCkr(Ckr.USER_NOT_LOGGED_IN, () -> hsm.logout(rw));
        assertCkr(Ckr.PIN_INCORRECT, () -> hsm.login(rw, CKU_USER, "wrong-pin".toCharArray()));
        assertCkr(Ckr.USER_TYPE_INVALID, () -> hsm.login(rw, 7, USER));
        long ro = hsm.openSession(0, CKF_SERIAL_SESSION);
        assertCkr(Ckr.SESSION_READ_ONLY_EXISTS, () -> hsm.login(rw, CKU_SO, SO));
        hsm.closeSession(ro);
        hsm.login(rw, CKU_USER, USER);
        // the token in slot 1 has no user PIN yet
        hsm.initToken(1, SO, "second");
        long s1 = hsm.openSession(1, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        assertCkr(Ckr.USER_PIN_NOT_INITIALIZED, () -> hsm.login(s1, CKU_USER, USER));
        assertCkr(Ckr.PIN_LEN_RANGE, () -> hsm.setPin(rw, USER, "abc".toCharArray()));
    }

    @Test
    void pinLocksAfterRepeatedFailures() {
        hsm.logout(rw);
        for (int i = 0; i < 10; i++) {
            assertCkr(Ckr.PIN_INCORRECT, () -> hsm.login(rw, CKU_USER, "nope-nope".toCharArray()));
        }
        assertCkr(Ckr.PIN_LOCKED, () -> hsm.login(rw, CKU_USER, USER));
    }

    @Test
    void sensitiveNonExtractableKeyCannotBeReadOrWrapped() {
        long key = aesKey(rw, false, false);
        long wrapKey = hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 32L).set(CKA_WRAP, true));
        assertCkr(Ckr.ATTRIBUTE_SENSITIVE, () -> hsm.getAttributeValue(rw, key, CKA_VALUE));
        assertCkr(Ckr.KEY_UNEXTRACTABLE, () -> hsm.wrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, key));
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> hsm.setAttributeValue(rw, key, Template.of().set(CKA_SENSITIVE, false)));
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> hsm.setAttributeValue(rw, key, Template.of().set(CKA_EXTRACTABLE, true)));
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> hsm.setAttributeValue(rw, key, Template.of().set(CKA_CLASS, CKO_PUBLIC_KEY)));
        Template t = hsm.getAttributeValue(rw, key, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_LOCAL, CKA_VALUE_LEN);
        assertTrue(t.bool(CKA_ALWAYS_SENSITIVE, false));
        assertTrue(t.bool(CKA_NEVER_EXTRACTABLE, false));
        assertTrue(t.bool(CKA_LOCAL, false));
        assertEquals(32L, t.num(CKA_VALUE_LEN, 0));
        // a key without CKA_WRAP cannot wrap
        long extractable = aesKey(rw, false, true);
        assertCkr(Ckr.KEY_FUNCTION_NOT_PERMITTED, () -> hsm.wrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), key, extractable));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN),
                Template.of().set(CKA_VALUE_LEN, 32L).set(CKA_ALWAYS_SENSITIVE, true)));
        assertCkr(Ckr.ATTRIBUTE_TYPE_INVALID, () -> hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN),
                Template.of().set(CKA_VALUE_LEN, 32L).set(0x7777L, true)));
    }

    @Test
    void handlesDieWithTheirSession() {
        long other = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        long sessionKey = aesKey(other, false, false);
        long tokenKey = aesKey(other, true, false);
        hsm.encryptInit(rw, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null, 128)), sessionKey);
        hsm.encrypt(rw, new byte[4]);
        hsm.closeSession(other);
        assertCkr(Ckr.KEY_HANDLE_INVALID, () -> hsm.encryptInit(rw, new Mechanism(CKM_AES_GCM,
                new Mechanism.GcmParams(new byte[12], null, 128)), sessionKey));
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> hsm.generateRandom(other, new byte[4]));
        // token objects outlive the session that made them, but logout invalidates their handles
        assertEquals(1, hsm.findObjects(rw, Template.of().set(CKA_TOKEN, true)).length);
        hsm.getAttributeValue(rw, tokenKey, CKA_LABEL);
        hsm.logout(rw);
        assertCkr(Ckr.OBJECT_HANDLE_INVALID, () -> hsm.getAttributeValue(rw, tokenKey, CKA_LABEL));
        assertEquals(0, hsm.findObjects(rw, Template.of()).length);
    }

    @Test
    void oneActiveOperationPerSession() {
        long key = aesKey(rw, false, false);
        Mechanism m = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null, 128));
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.encrypt(rw, new byte[1]));
        hsm.encryptInit(rw, m, key);
        assertCkr(Ckr.OPERATION_ACTIVE, () -> hsm.decryptInit(rw, m, key));
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.decrypt(rw, new byte[32]));
        hsm.encrypt(rw, new byte[1]);
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.encrypt(rw, new byte[1]));
    }

    @Test
    void mechanismAndKeyChecks() {
        long key = aesKey(rw, false, false);
        long noUsage = hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 16L));
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null, 128));
        assertCkr(Ckr.KEY_FUNCTION_NOT_PERMITTED, () -> hsm.encryptInit(rw, gcm, noUsage));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> hsm.signInit(rw, Mechanism.of(CKM_ECDSA_SHA256), key));
        assertCkr(Ckr.MECHANISM_INVALID, () -> hsm.encryptInit(rw, Mechanism.of(0x9999), key));
        assertCkr(Ckr.MECHANISM_INVALID, () -> hsm.encryptInit(rw, Mechanism.of(CKM_AES_KEY_GEN), key));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> hsm.encryptInit(rw, new Mechanism(CKM_AES_GCM,
                new Mechanism.GcmParams(new byte[12], null, 64)), key));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> hsm.encryptInit(rw, new Mechanism(CKM_AES_CBC_PAD,
                new Mechanism.IvParams(new byte[8])), key));
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 20L)));
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN), Template.of()));
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> hsm.generateKeyPair(rw, Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN),
                Template.of().set(CKA_MODULUS_BITS, 1024L), Template.of()));
        assertCkr(Ckr.CURVE_NOT_SUPPORTED, () -> hsm.generateKeyPair(rw, Mechanism.of(CKM_EC_KEY_PAIR_GEN),
                Template.of().set(CKA_EC_PARAMS, Curves.params(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.132.0.33"))),
                Template.of()));
        assertCkr(Ckr.DATA_LEN_RANGE, () -> {
            hsm.encryptInit(rw, new Mechanism(CKM_AES_CBC, new Mechanism.IvParams(new byte[16])), key);
            hsm.encrypt(rw, new byte[15]);
        });
    }

    @Test
    void aesGcmNistVectors() {
        // GCM spec (McGrew & Viega) test cases 2, 4 and 16
        long k0 = importAes(new byte[16], false, "zero");
        byte[] out = gcm(true, k0, new byte[12], null, new byte[16]);
        assertEquals("0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf", HEX.formatHex(out));

        byte[] p = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] a = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
        long k128 = importAes(HEX.parseHex("feffe9928665731c6d6a8f9467308308"), false, "tc4");
        assertEquals("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47",
                HEX.formatHex(gcm(true, k128, iv, a, p)));
        long k256 = importAes(HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"), false, "tc16");
        byte[] c16 = gcm(true, k256, iv, a, p);
        assertEquals("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b",
                HEX.formatHex(c16));
        assertArrayEquals(p, gcm(false, k256, iv, a, c16));
        // tamper: ciphertext, tag, AAD
        byte[] bad = c16.clone();
        bad[0] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> gcm(false, k256, iv, a, bad));
        byte[] badTag = c16.clone();
        badTag[badTag.length - 1] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> gcm(false, k256, iv, a, badTag));
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> gcm(false, k256, iv, new byte[] {1}, c16));
    }

    @Test
    void aesEcbCbcCtrNistSp800_38a() {
        // SP 800-38A F.1.1, F.2.1, F.5.1 (AES-128), first two blocks
        long k = importAes(HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c"), false, "sp800-38a");
        byte[] pt = HEX.parseHex("6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51");
        hsm.encryptInit(rw, Mechanism.of(CKM_AES_ECB), k);
        assertEquals("3ad77bb40d7a3660a89ecaf32466ef97" + "f5d3d58503b9699de785895a96fdbaaf", HEX.formatHex(hsm.encrypt(rw, pt)));
        hsm.encryptInit(rw, new Mechanism(CKM_AES_CBC, new Mechanism.IvParams(HEX.parseHex("000102030405060708090a0b0c0d0e0f"))), k);
        byte[] cbc = hsm.encrypt(rw, pt);
        assertEquals("7649abac8119b246cee98e9b12e9197d" + "5086cb9b507219ee95db113a917678b2", HEX.formatHex(cbc));
        Mechanism ctr = new Mechanism(CKM_AES_CTR, new Mechanism.IvParams(HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")));
        hsm.encryptInit(rw, ctr, k);
        byte[] ct = hsm.encrypt(rw, pt);
        assertEquals("874d6191b620e3261bef6864990db6ce" + "9806f66b7970fdff8617187bb9fffdff", HEX.formatHex(ct));
        hsm.decryptInit(rw, ctr, k);
        assertArrayEquals(pt, hsm.decrypt(rw, ct));
        hsm.decryptInit(rw, new Mechanism(CKM_AES_CBC, new Mechanism.IvParams(HEX.parseHex("000102030405060708090a0b0c0d0e0f"))), k);
        assertArrayEquals(pt, hsm.decrypt(rw, cbc));
    }

    @Test
    void sm4KnownAnswerAndSm2() throws Exception {
        // GB/T 32907-2016 Appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210
        byte[] k = HEX.parseHex("0123456789abcdeffedcba9876543210");
        long sm4 = hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_SM4).set(CKA_VALUE, k)
                .set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true));
        hsm.encryptInit(rw, Mechanism.of(CKM_SM4_ECB), sm4);
        assertEquals("681edf34d206965e86b3e94f536e4246", HEX.formatHex(hsm.encrypt(rw, k)));
        Mechanism gcm = new Mechanism(CKM_SM4_GCM, new Mechanism.GcmParams(new byte[12], new byte[] {1}, 128));
        hsm.encryptInit(rw, gcm, sm4);
        byte[] ct = hsm.encrypt(rw, "sm4 gcm".getBytes(StandardCharsets.UTF_8));
        hsm.decryptInit(rw, gcm, sm4);
        assertEquals("sm4 gcm", new String(hsm.decrypt(rw, ct), StandardCharsets.UTF_8));
        ct[0] ^= 1;
        byte[] bad = ct;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> {
            hsm.decryptInit(rw, gcm, sm4);
            hsm.decrypt(rw, bad);
        });
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> hsm.generateKey(rw, Mechanism.of(CKM_SM4_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 32L)));

        long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_SM2_KEY_PAIR_GEN), Template.of().set(CKA_VERIFY, true).set(CKA_ENCRYPT, true),
                Template.of().set(CKA_SIGN, true).set(CKA_DECRYPT, true));
        byte[] msg = "sm2 message".getBytes(StandardCharsets.UTF_8);
        hsm.signInit(rw, Mechanism.of(CKM_SM3_SM2), kp[1]);
        byte[] sig = hsm.sign(rw, msg);
        Signature v = Signature.getInstance("SM3withSM2", io.kmsgw.hsm.mechanism.Engines.BC);
        v.initVerify(publicKey(kp[0], "EC"));
        v.update(msg);
        assertTrue(v.verify(sig), "SM2 signature verifies with an independent verifier (default user id)");
        hsm.encryptInit(rw, Mechanism.of(CKM_SM2_ENCRYPT), kp[0]);
        byte[] sm2ct = hsm.encrypt(rw, msg);
        assertEquals(0x04, sm2ct[0], "C1 is an uncompressed point");
        hsm.decryptInit(rw, Mechanism.of(CKM_SM2_ENCRYPT), kp[1]);
        assertArrayEquals(msg, hsm.decrypt(rw, sm2ct));
        sm2ct[70] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> {
            hsm.decryptInit(rw, Mechanism.of(CKM_SM2_ENCRYPT), kp[1]);
            hsm.decrypt(rw, sm2ct);
        });
    }

    @Test
    void hmacRfc4231() {
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        long k = hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
                .set(CKA_VALUE, key).set(CKA_SIGN, true).set(CKA_VERIFY, true));
        hsm.signInit(rw, Mechanism.of(CKM_SHA256_HMAC), k);
        byte[] mac = hsm.sign(rw, "Hi There".getBytes(StandardCharsets.US_ASCII));
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", HEX.formatHex(mac));
        hsm.verifyInit(rw, Mechanism.of(CKM_SHA256_HMAC), k);
        hsm.verify(rw, "Hi There".getBytes(StandardCharsets.US_ASCII), mac);
        mac[0] ^= 1;
        hsm.verifyInit(rw, Mechanism.of(CKM_SHA256_HMAC), k);
        assertCkr(Ckr.SIGNATURE_INVALID, () -> hsm.verify(rw, "Hi There".getBytes(StandardCharsets.US_ASCII), mac));
    }

    @Test
    void hmacSha224_384_512Rfc4231() {
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        long k = hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
                .set(CKA_VALUE, key).set(CKA_SIGN, true));
        byte[] data = "Hi There".getBytes(StandardCharsets.US_ASCII);
        long[] mechs = {CKM_SHA224_HMAC, CKM_SHA384_HMAC, CKM_SHA512_HMAC};
        String[] expected = {
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"};
        for (int i = 0; i < mechs.length; i++) {
            hsm.signInit(rw, Mechanism.of(mechs[i]), k);
            assertEquals(expected[i], HEX.formatHex(hsm.sign(rw, data)));
        }
    }

    @Test
    void rsaSignaturesOverADigestAndImportedPublicKeys() throws Exception {
        long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN),
                Template.of().set(CKA_MODULUS_BITS, 2048L), Template.of().set(CKA_SIGN, true).set(CKA_DECRYPT, true));
        byte[] msg = "digest me".getBytes(StandardCharsets.UTF_8);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(msg);
        PublicKey pub = publicKey(kp[0], "RSA");

        hsm.signInit(rw, new Mechanism(CKM_RSA_PKCS_PSS, new Mechanism.PssParams(CKM_SHA256, 32)), kp[1]);
        byte[] pss = hsm.sign(rw, digest);
        Signature v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        v.initVerify(pub);
        v.update(msg);
        assertTrue(v.verify(pss), "PSS over the digest verifies as PSS over the message");

        // every hash and salt the engine uses, checked by the JDK's PSS over the message
        for (Object[] c : new Object[][] {{CKM_SHA256, "SHA-256", 0}, {CKM_SHA384, "SHA-384", 48}, {CKM_SHA512, "SHA-512", 64}}) {
            byte[] d = java.security.MessageDigest.getInstance((String) c[1]).digest(msg);
            Mechanism m = new Mechanism(CKM_RSA_PKCS_PSS, new Mechanism.PssParams((Long) c[0], (Integer) c[2]));
            hsm.signInit(rw, m, kp[1]);
            byte[] sig = hsm.sign(rw, d);
            v.setParameter(new java.security.spec.PSSParameterSpec((String) c[1], "MGF1", new java.security.spec.MGF1ParameterSpec((String) c[1]),
                    (Integer) c[2], 1));
            v.initVerify(pub);
            v.update(msg);
            assertTrue(v.verify(sig), c[1] + " PSS, salt " + c[2]);
            hsm.signInit(rw, m, kp[1]);
            assertCkr(Ckr.DATA_LEN_RANGE, () -> hsm.sign(rw, java.util.Arrays.copyOf(d, d.length - 1)));
        }

        byte[] digestInfo = HEX.parseHex("3031300d060960864801650304020105000420" + HEX.formatHex(digest));
        hsm.signInit(rw, Mechanism.of(CKM_RSA_PKCS), kp[1]);
        byte[] pkcs1 = hsm.sign(rw, digestInfo);
        Signature v2 = Signature.getInstance("SHA256withRSA");
        v2.initVerify(pub);
        v2.update(msg);
        assertTrue(v2.verify(pkcs1), "PKCS#1 v1.5 over the DigestInfo verifies as SHA256withRSA over the message");

        // an imported public key verifies and encrypts inside the token
        long imported = hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_PUBLIC_KEY).set(CKA_KEY_TYPE, CKK_RSA)
                .set(CKA_VALUE, pub.getEncoded()).set(CKA_VERIFY, true).set(CKA_ENCRYPT, true));
        hsm.verifyInit(rw, Mechanism.of(CKM_RSA_PKCS), imported);
        hsm.verify(rw, digestInfo, pkcs1);
        Mechanism oaep = new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA_1));
        hsm.encryptInit(rw, oaep, imported);
        byte[] ct = hsm.encrypt(rw, msg);
        hsm.decryptInit(rw, oaep, kp[1]);
        assertArrayEquals(msg, hsm.decrypt(rw, ct));
        assertCkr(Ckr.ATTRIBUTE_VALUE_INVALID, () -> hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_PUBLIC_KEY)
                .set(CKA_KEY_TYPE, CKK_RSA).set(CKA_VALUE, new byte[] {1, 2, 3})));
        assertCkr(Ckr.ATTRIBUTE_VALUE_INVALID, () -> hsm.createObject(rw, Template.of().set(CKA_CLASS, CKO_PUBLIC_KEY)
                .set(CKA_KEY_TYPE, CKK_EC).set(CKA_VALUE, pub.getEncoded())));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> hsm.signInit(rw, new Mechanism(CKM_RSA_PKCS_PSS,
                new Mechanism.PssParams(CKM_SHA_1, 20)), kp[1]));
    }

    private PublicKey publicKey(long handle, String alg) throws Exception {
        byte[] spki = hsm.getAttributeValue(rw, handle, CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO);
        return KeyFactory.getInstance(alg, io.kmsgw.hsm.mechanism.Engines.BC).generatePublic(new X509EncodedKeySpec(spki));
    }

    @Test
    void rsaSignaturesAndOaep() throws Exception {
        long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN),
                Template.of().set(CKA_MODULUS_BITS, 2048L).set(CKA_VERIFY, true).set(CKA_ENCRYPT, true),
                Template.of().set(CKA_SIGN, true).set(CKA_DECRYPT, true));
        byte[] msg = "message".getBytes(StandardCharsets.UTF_8);
        hsm.signInit(rw, Mechanism.of(CKM_SHA256_RSA_PKCS), kp[1]);
        byte[] sig = hsm.sign(rw, msg);
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(publicKey(kp[0], "RSA"));
        v.update(msg);
        assertTrue(v.verify(sig), "PKCS#1 v1.5 signature verifies with a standard verifier");

        Mechanism pss = new Mechanism(CKM_SHA256_RSA_PKCS_PSS, new Mechanism.PssParams(CKM_SHA256, 32));
        hsm.signInit(rw, pss, kp[1]);
        byte[] pssSig = hsm.sign(rw, msg);
        hsm.verifyInit(rw, pss, kp[0]);
        hsm.verify(rw, msg, pssSig);
        hsm.verifyInit(rw, pss, kp[0]);
        assertCkr(Ckr.SIGNATURE_INVALID, () -> hsm.verify(rw, "other".getBytes(StandardCharsets.UTF_8), pssSig));

        Mechanism oaep = new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256));
        hsm.encryptInit(rw, oaep, kp[0]);
        byte[] ct = hsm.encrypt(rw, msg);
        hsm.decryptInit(rw, oaep, kp[1]);
        assertArrayEquals(msg, hsm.decrypt(rw, ct));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> hsm.encryptInit(rw, oaep, kp[1]));
        assertCkr(Ckr.ATTRIBUTE_SENSITIVE, () -> hsm.getAttributeValue(rw, kp[1], CKA_VALUE));
        assertEquals(2048L, hsm.getAttributeValue(rw, kp[1], CKA_MODULUS_BITS).num(CKA_MODULUS_BITS, 0));
    }

    @Test
    void ecdsaOnP256AndSecp256k1() throws Exception {
        for (var curve : new org.bouncycastle.asn1.ASN1ObjectIdentifier[] {Curves.P256, Curves.SECP256K1}) {
            long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_EC_KEY_PAIR_GEN),
                    Template.of().set(CKA_EC_PARAMS, Curves.params(curve)).set(CKA_VERIFY, true),
                    Template.of().set(CKA_SIGN, true));
            byte[] msg = "ecdsa".getBytes(StandardCharsets.UTF_8);
            hsm.signInit(rw, Mechanism.of(CKM_ECDSA_SHA256), kp[1]);
            byte[] sig = hsm.sign(rw, msg);
            assertEquals(64, sig.length, "PKCS#11 ECDSA signatures are r||s");
            hsm.verifyInit(rw, Mechanism.of(CKM_ECDSA_SHA256), kp[0]);
            hsm.verify(rw, msg, sig);
            // CKM_ECDSA over a digest agrees with an independent verifier
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(msg);
            hsm.signInit(rw, Mechanism.of(CKM_ECDSA), kp[1]);
            byte[] raw = hsm.sign(rw, digest);
            Signature v = Signature.getInstance("SHA256withPLAIN-ECDSA", io.kmsgw.hsm.mechanism.Engines.BC);
            v.initVerify(publicKey(kp[0], "EC"));
            v.update(msg);
            assertTrue(v.verify(raw));
            sig[5] ^= 1;
            hsm.verifyInit(rw, Mechanism.of(CKM_ECDSA_SHA256), kp[0]);
            assertCkr(Ckr.SIGNATURE_INVALID, () -> hsm.verify(rw, msg, sig));
        }
    }

    @Test
    void wrapAndUnwrapKeepKeysUsable() {
        long wrapKey = hsm.generateKey(rw, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 32L)
                .set(CKA_WRAP, true).set(CKA_UNWRAP, true));
        long data = aesKey(rw, false, true);
        byte[] wrapped = hsm.wrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, data);
        long back = hsm.unwrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, wrapped, Template.of()
                .set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES).set(CKA_DECRYPT, true));
        byte[] iv = new byte[12];
        byte[] ct = gcm(true, data, iv, null, "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello", new String(gcm(false, back, iv, null, ct), StandardCharsets.UTF_8));
        assertFalse(hsm.getAttributeValue(rw, back, CKA_LOCAL).bool(CKA_LOCAL, true));
        assertFalse(hsm.getAttributeValue(rw, back, CKA_ALWAYS_SENSITIVE).bool(CKA_ALWAYS_SENSITIVE, true));
        byte[] tampered = wrapped.clone();
        tampered[3] ^= 1;
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> hsm.unwrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, tampered,
                Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)));
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> hsm.unwrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, wrapped,
                Template.of()));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> hsm.unwrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, wrapped,
                Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES).set(CKA_VALUE, new byte[32])));
        // private keys wrap as PKCS#8 and still sign after unwrapping
        long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_EC_KEY_PAIR_GEN),
                Template.of().set(CKA_EC_PARAMS, Curves.params(Curves.SECP256K1)).set(CKA_VERIFY, true),
                Template.of().set(CKA_SIGN, true).set(CKA_EXTRACTABLE, true));
        byte[] wrappedPriv = hsm.wrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, kp[1]);
        long priv = hsm.unwrapKey(rw, Mechanism.of(CKM_AES_KEY_WRAP_KWP), wrapKey, wrappedPriv, Template.of()
                .set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_EC).set(CKA_SIGN, true));
        hsm.signInit(rw, Mechanism.of(CKM_ECDSA_SHA256), priv);
        byte[] sig = hsm.sign(rw, new byte[] {1, 2, 3});
        hsm.verifyInit(rw, Mechanism.of(CKM_ECDSA_SHA256), kp[0]);
        hsm.verify(rw, new byte[] {1, 2, 3}, sig);
    }

    @Test
    void sessionRightsAndLimits() {
        long ro = hsm.openSession(0, CKF_SERIAL_SESSION);
        assertCkr(Ckr.SESSION_READ_ONLY, () -> aesKey(ro, true, false));
        aesKey(ro, false, false);
        hsm.logout(rw);
        assertCkr(Ckr.USER_NOT_LOGGED_IN, () -> aesKey(rw, false, false));
        for (int i = 2; i < 8; i++) {
            hsm.openSession(0, CKF_SERIAL_SESSION);
        }
        assertCkr(Ckr.SESSION_COUNT, () -> hsm.openSession(0, CKF_SERIAL_SESSION));
        hsm.close();
        assertCkr(Ckr.CRYPTOKI_NOT_INITIALIZED, () -> hsm.openSession(0, CKF_SERIAL_SESSION));
    }

    @Test
    void tokenObjectsPersistSealedAcrossRestart() throws Exception {
        byte[] value = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        long key = importAes(value, true, "persisted");
        byte[] iv = new byte[12];
        byte[] ct = gcm(true, key, iv, null, "survives".getBytes(StandardCharsets.UTF_8));
        long[] kp = hsm.generateKeyPair(rw, Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN),
                Template.of().set(CKA_MODULUS_BITS, 2048L).set(CKA_TOKEN, true).set(CKA_VERIFY, true),
                Template.of().set(CKA_TOKEN, true).set(CKA_SIGN, true).set(CKA_LABEL, "rsa"));
        byte[] spki = hsm.getAttributeValue(rw, kp[0], CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO);
        hsm.close();

        byte[] onDisk = Files.readAllBytes(dir.resolve("slot-0/objects.bin"));
        assertFalse(HEX.formatHex(onDisk).contains(HEX.formatHex(value)), "key material is sealed on disk");

        hsm = SimHsm.initialize(new SimHsm.Options(dir, 2, 8, 1000));
        rw = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        assertEquals(0, hsm.findObjects(rw, Template.of()).length, "nothing private is visible before login");
        assertCkr(Ckr.PIN_INCORRECT, () -> hsm.login(rw, CKU_USER, "bad-pin-000".toCharArray()));
        hsm.login(rw, CKU_USER, USER);
        long[] found = hsm.findObjects(rw, Template.of().set(CKA_LABEL, "persisted"));
        assertEquals(1, found.length);
        assertEquals("survives", new String(gcm(false, found[0], iv, null, ct), StandardCharsets.UTF_8));
        long rsa = hsm.findObjects(rw, Template.of().set(CKA_LABEL, "rsa"))[0];
        assertArrayEquals(spki, hsm.getAttributeValue(rw, rsa, CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO));
        assertCkr(Ckr.ATTRIBUTE_SENSITIVE, () -> hsm.getAttributeValue(rw, found[0], CKA_VALUE));

        // destroying a token object is durable too
        hsm.destroyObject(rw, found[0]);
        hsm.close();
        hsm = SimHsm.initialize(new SimHsm.Options(dir, 2, 8, 1000));
        rw = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        hsm.login(rw, CKU_USER, USER);
        assertEquals(0, hsm.findObjects(rw, Template.of().set(CKA_LABEL, "persisted")).length);
        assertEquals(1, hsm.findObjects(rw, Template.of().set(CKA_LABEL, "rsa")).length);
    }

    @Test
    void userPinChangeKeepsObjects() {
        importAes(new byte[32], true, "kept");
        hsm.setPin(rw, USER, "new-user-pin".toCharArray());
        hsm.logout(rw);
        assertCkr(Ckr.PIN_INCORRECT, () -> hsm.login(rw, CKU_USER, USER));
        hsm.login(rw, CKU_USER, "new-user-pin".toCharArray());
        assertEquals(1, hsm.findObjects(rw, Template.of().set(CKA_LABEL, "kept")).length);
    }
}
