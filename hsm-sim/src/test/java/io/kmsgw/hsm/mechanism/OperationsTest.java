package io.kmsgw.hsm.mechanism;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Curves;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.mechanism.ActiveOperation.Kind;
import io.kmsgw.hsm.object.HsmObject;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The mechanism layer's misuse ladder: the wrong key type, a missing usage, bad parameters and bad lengths each
 * give their own CKR before any crypto runs; tampered input fails closed.
 */
class OperationsTest {
    private static final HexFormat HEX = HexFormat.of();
    private final KeyMaker maker = new KeyMaker(0, new SecureRandom());
    private final EngineCache engines = new EngineCache();

    static void assertCkr(Ckr expected, Executable call) {
        assertCkr(expected, call, "");
    }

    static void assertCkr(Ckr expected, Executable call, String why) {
        assertEquals(expected, assertThrows(HsmException.class, call, why).ckr(), why);
    }

    private HsmObject secret(long keyType, byte[] value, Template usage) {
        return maker.importSecret(Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, keyType).set(CKA_VALUE, value)
                .putAll(usage), 1);
    }

    private HsmObject aes(Template usage) {
        return secret(CKK_AES, new byte[32], usage);
    }

    private static Template all() {
        return Template.of().set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true).set(CKA_SIGN, true).set(CKA_VERIFY, true);
    }

    private byte[] run(Kind kind, Mechanism m, HsmObject key, byte[] data) {
        return Operations.crypt(Operations.init(kind, m, key, engines), data);
    }

    @Test
    void aKeyWithoutTheUsageIsNotPermitted() {
        HsmObject k = aes(Template.of().set(CKA_ENCRYPT, true));
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null, 128));
        Operations.init(Kind.ENCRYPT, gcm, k, engines);
        assertCkr(Ckr.KEY_FUNCTION_NOT_PERMITTED, () -> Operations.init(Kind.DECRYPT, gcm, k, engines));
        HsmObject verifyOnly = secret(CKK_GENERIC_SECRET, new byte[32], Template.of().set(CKA_VERIFY, true));
        Operations.init(Kind.VERIFY, Mechanism.of(CKM_SHA256_HMAC), verifyOnly, engines);
        assertCkr(Ckr.KEY_FUNCTION_NOT_PERMITTED, () -> Operations.init(Kind.SIGN, Mechanism.of(CKM_SHA256_HMAC), verifyOnly, engines));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.SIGN, Mechanism.of(CKM_SHA256_HMAC), k, engines),
                "the key type is checked before the usage");
    }

    @Test
    void aMechanismMeetsOnlyItsKeyType() {
        HsmObject aesKey = aes(all());
        HsmObject hmacKey = secret(CKK_GENERIC_SECRET, new byte[32], all());
        HsmObject[] ec = maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of().set(CKA_EC_PARAMS, Curves.params(Curves.P256))
                .set(CKA_VERIFY, true), Template.of().set(CKA_SIGN, true).set(CKA_DECRYPT, true), 1);
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.SIGN, Mechanism.of(CKM_SHA256_HMAC), aesKey, engines));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_CBC,
                new Mechanism.IvParams(new byte[16])), hmacKey, engines));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.SIGN, Mechanism.of(CKM_SHA256_RSA_PKCS), ec[1], engines));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.DECRYPT, new Mechanism(CKM_RSA_PKCS_OAEP,
                new Mechanism.OaepParams(CKM_SHA256)), ec[1], engines));
        assertCkr(Ckr.MECHANISM_INVALID, () -> Operations.init(Kind.ENCRYPT, Mechanism.of(CKM_SHA256_HMAC), aesKey, engines),
                "HMAC does not encrypt");
        assertCkr(Ckr.MECHANISM_INVALID, () -> Operations.init(Kind.SIGN, Mechanism.of(0x7fffffffL), aesKey, engines));
    }

    @Test
    void gcmParametersAreChecked() {
        HsmObject k = aes(all());
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, Mechanism.of(CKM_AES_GCM), k, engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_GCM,
                new Mechanism.GcmParams(new byte[0], null, 128)), k, engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_GCM,
                new Mechanism.GcmParams(new byte[12], null, 40)), k, engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_GCM,
                new Mechanism.IvParams(new byte[12])), k, engines));
    }

    @Test
    void blockModesNeedASixteenByteIvAndEcbNone() {
        HsmObject k = aes(all());
        for (long mode : new long[] {CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_AES_CTR}) {
            assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(mode, new Mechanism.IvParams(new byte[12])),
                    k, engines));
            assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, Mechanism.of(mode), k, engines));
        }
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_ECB,
                new Mechanism.IvParams(new byte[16])), k, engines));
    }

    @Test
    void unpaddedModesTakeWholeBlocksOnly() {
        HsmObject k = aes(all());
        assertCkr(Ckr.DATA_LEN_RANGE, () -> run(Kind.ENCRYPT, Mechanism.of(CKM_AES_ECB), k, new byte[15]));
        assertCkr(Ckr.DATA_LEN_RANGE, () -> run(Kind.ENCRYPT, new Mechanism(CKM_AES_CBC, new Mechanism.IvParams(new byte[16])), k,
                new byte[17]));
        assertCkr(Ckr.ENCRYPTED_DATA_LEN_RANGE, () -> run(Kind.DECRYPT, new Mechanism(CKM_AES_CBC, new Mechanism.IvParams(new byte[16])), k,
                new byte[17]));
        byte[] padded = run(Kind.ENCRYPT, new Mechanism(CKM_AES_CBC_PAD, new Mechanism.IvParams(new byte[16])), k, new byte[17]);
        assertEquals(32, padded.length, "CBC_PAD pads to the next block");
        assertArrayEquals(new byte[17], run(Kind.DECRYPT, new Mechanism(CKM_AES_CBC_PAD, new Mechanism.IvParams(new byte[16])), k, padded));
        assertEquals(5, run(Kind.ENCRYPT, new Mechanism(CKM_AES_CTR, new Mechanism.IvParams(new byte[16])), k, new byte[5]).length,
                "CTR is a stream");
    }

    @Test
    void aTamperedGcmCiphertextFailsAsInvalidData() {
        HsmObject k = aes(all());
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], "aad".getBytes(), 128));
        byte[] ct = run(Kind.ENCRYPT, gcm, k, "plaintext".getBytes());
        assertArrayEquals("plaintext".getBytes(), run(Kind.DECRYPT, gcm, k, ct));
        ct[0] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> run(Kind.DECRYPT, gcm, k, ct));
        ct[0] ^= 1;
        Mechanism otherAad = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], "AAD".getBytes(), 128));
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> run(Kind.DECRYPT, otherAad, k, ct));
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> run(Kind.DECRYPT, gcm, k, new byte[5]), "shorter than a tag");
    }

    @Test
    void hmacSignsAndVerifiesAndRejectsAnyOtherTag() throws Exception {
        byte[] key = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        HsmObject k = secret(CKK_GENERIC_SECRET, key, all());
        byte[] tag = Operations.sign(Operations.init(Kind.SIGN, Mechanism.of(CKM_SHA256_HMAC), k, engines), "Hi There".getBytes());
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", HEX.formatHex(tag), "RFC 4231 case 1");
        Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_SHA256_HMAC), k, engines), "Hi There".getBytes(), tag);
        tag[31] ^= 1;
        byte[] bad = tag;
        assertCkr(Ckr.SIGNATURE_INVALID, () -> Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_SHA256_HMAC), k, engines),
                "Hi There".getBytes(), bad));
        assertCkr(Ckr.SIGNATURE_INVALID, () -> Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_SHA256_HMAC), k, engines),
                "Hi There".getBytes(), new byte[3]));
    }

    @Test
    void rawEcdsaTakesADigestAndFixedLengthSignatures() throws Exception {
        HsmObject[] ec = maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of().set(CKA_EC_PARAMS, Curves.params(Curves.P256))
                .set(CKA_VERIFY, true), Template.of().set(CKA_SIGN, true), 1);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("m".getBytes());
        byte[] sig = Operations.sign(Operations.init(Kind.SIGN, Mechanism.of(CKM_ECDSA), ec[1], engines), digest);
        assertEquals(64, sig.length, "r || s, 32 bytes each");
        Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_ECDSA), ec[0], engines), digest, sig);
        assertCkr(Ckr.DATA_LEN_RANGE, () -> Operations.sign(Operations.init(Kind.SIGN, Mechanism.of(CKM_ECDSA), ec[1], engines), new byte[8]));
        byte[] other = MessageDigest.getInstance("SHA-256").digest("n".getBytes());
        assertCkr(Ckr.SIGNATURE_INVALID, () -> Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_ECDSA), ec[0], engines), other,
                sig));
        assertCkr(Ckr.SIGNATURE_LEN_RANGE, () -> Operations.verify(Operations.init(Kind.VERIFY, Mechanism.of(CKM_ECDSA), ec[0], engines),
                digest, new byte[63]));
    }

    @Test
    void rsaPssAndPkcs1ParametersAreChecked() {
        HsmObject[] rsa = maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of().set(CKA_MODULUS_BITS, 2048L)
                .set(CKA_VERIFY, true).set(CKA_ENCRYPT, true), Template.of().set(CKA_SIGN, true).set(CKA_DECRYPT, true), 1);
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.SIGN, Mechanism.of(CKM_RSA_PKCS_PSS), rsa[1], engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.SIGN, new Mechanism(CKM_RSA_PKCS_PSS,
                new Mechanism.PssParams(CKM_SHA256, 65)), rsa[1], engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.SIGN, new Mechanism(CKM_SHA256_RSA_PKCS_PSS,
                new Mechanism.PssParams(CKM_SHA_1, 32)), rsa[1], engines), "the hash must match the mechanism's");
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.SIGN, new Mechanism(CKM_RSA_PKCS,
                new Mechanism.IvParams(new byte[16])), rsa[1], engines));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, Mechanism.of(CKM_RSA_PKCS_OAEP), rsa[0], engines));
        byte[] ct = run(Kind.ENCRYPT, new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256)), rsa[0], new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, run(Kind.DECRYPT, new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256)),
                rsa[1], ct));
        ct[10] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> run(Kind.DECRYPT, new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256)),
                rsa[1], ct));
        assertCkr(Ckr.DATA_LEN_RANGE, () -> run(Kind.ENCRYPT, new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256)), rsa[0],
                new byte[300]));
    }

    @Test
    void sm4KeysMeetOnlySm4MechanismsAndGcmFailsClosed() {
        HsmObject sm4 = secret(CKK_SM4, new byte[16], all());
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_AES_GCM,
                new Mechanism.GcmParams(new byte[12], null, 128)), sm4, engines));
        assertCkr(Ckr.KEY_TYPE_INCONSISTENT, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_SM4_GCM,
                new Mechanism.GcmParams(new byte[12], null, 128)), aes(all()), engines));
        Mechanism gcm = new Mechanism(CKM_SM4_GCM, new Mechanism.GcmParams(new byte[12], null, 128));
        byte[] ct = run(Kind.ENCRYPT, gcm, sm4, "sm4".getBytes());
        assertArrayEquals("sm4".getBytes(), run(Kind.DECRYPT, gcm, sm4, ct));
        ct[1] ^= 1;
        assertCkr(Ckr.ENCRYPTED_DATA_INVALID, () -> run(Kind.DECRYPT, gcm, sm4, ct));
        assertCkr(Ckr.MECHANISM_PARAM_INVALID, () -> Operations.init(Kind.ENCRYPT, new Mechanism(CKM_SM4_CBC,
                new Mechanism.IvParams(new byte[8])), sm4, engines));
    }

    @Test
    void theMechanismTableListsWhatTheTokenDoes() {
        long[] all = MechanismTable.list();
        assertEquals(all.length, java.util.Arrays.stream(all).distinct().count());
        assertEquals(32, MechanismTable.info(CKM_AES_GCM).maxKeySize());
        MechanismTable.require(CKM_AES_GCM, CKF_ENCRYPT);
        assertCkr(Ckr.MECHANISM_INVALID, () -> MechanismTable.require(CKM_AES_GCM, CKF_SIGN));
        assertCkr(Ckr.MECHANISM_INVALID, () -> MechanismTable.info(0x7fffffffL));
        for (long m : all) {
            MechanismTable.info(m); // every listed mechanism has its info
        }
    }
}
