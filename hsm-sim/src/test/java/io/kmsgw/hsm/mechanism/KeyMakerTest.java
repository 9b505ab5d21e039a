package io.kmsgw.hsm.mechanism;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Curves;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.object.HsmObject;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key generation, import, wrapping and restoring: sizes, templates and the rules that keep key material inside. */
class KeyMakerTest {
    private final KeyMaker maker = new KeyMaker(0, new SecureRandom());
    private final EngineCache engines = new EngineCache();

    static void assertCkr(Ckr expected, Executable call) {
        assertEquals(expected, assertThrows(HsmException.class, call).ckr());
    }

    private HsmObject aes(int bytes, boolean extractable, boolean wrap) {
        return maker.generateSecret(Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, (long) bytes)
                .set(CKA_EXTRACTABLE, extractable).set(CKA_WRAP, wrap).set(CKA_UNWRAP, wrap).set(CKA_ENCRYPT, true), 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 24, 32})
    void aesKeysOfEveryStandardSize(int bytes) {
        HsmObject k = aes(bytes, false, false);
        assertEquals(bytes, k.key().getEncoded().length);
        assertEquals(CKK_AES, k.keyType());
        assertTrue(k.flag(CKA_LOCAL));
        assertFalse(k.readable());
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of(CKM_AES_KEY_GEN, 15L), Arguments.of(CKM_AES_KEY_GEN, 33L),
                Arguments.of(CKM_SM4_KEY_GEN, 32L), Arguments.of(CKM_SM4_KEY_GEN, 8L),
                Arguments.of(CKM_GENERIC_SECRET_KEY_GEN, 13L),
                Arguments.of(CKM_GENERIC_SECRET_KEY_GEN, 129L));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void aSizeOutsideTheKeyTypesRangeIsRefused(long mechanism, long bytes) {
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> maker.generateSecret(Mechanism.of(mechanism), Template.of().set(CKA_VALUE_LEN, bytes), 1));
    }

    @Test
    void generationNeedsALengthAndNeverTakesAValue() {
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> maker.generateSecret(Mechanism.of(CKM_AES_KEY_GEN), Template.of(), 1));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> maker.generateSecret(Mechanism.of(CKM_AES_KEY_GEN), Template.of()
                .set(CKA_VALUE_LEN, 32L).set(CKA_VALUE, new byte[32]), 1));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> maker.generateSecret(Mechanism.of(CKM_GENERIC_SECRET_KEY_GEN), Template.of()
                .set(CKA_VALUE_LEN, 32L).set(CKA_KEY_TYPE, CKK_AES), 1));
        assertCkr(Ckr.MECHANISM_INVALID, () -> maker.generateSecret(Mechanism.of(CKM_AES_GCM), Template.of().set(CKA_VALUE_LEN, 32L), 1));
    }

    @Test
    void importedSecretsKeepTheirValueAndAreNotLocal() {
        byte[] v = new byte[16];
        v[0] = 5;
        HsmObject k = maker.importSecret(Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_SM4).set(CKA_VALUE, v), 1);
        assertArrayEquals(v, k.key().getEncoded());
        assertFalse(k.flag(CKA_LOCAL));
        assertFalse(k.attributes().has(CKA_VALUE), "the value is the key, not an attribute");
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> maker.importSecret(Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES), 1));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> maker.importSecret(Template.of().set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_RSA)
                .set(CKA_VALUE, new byte[16]), 1));
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> maker.importSecret(Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
                .set(CKA_VALUE, new byte[20]), 1));
    }

    @Test
    void rsaPairsHonourModulusAndExponentRules() {
        HsmObject[] pair = maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of().set(CKA_MODULUS_BITS, 2048L),
                Template.of().set(CKA_SIGN, true), 1);
        RSAPublicKey pub = (RSAPublicKey) pair[0].key();
        assertEquals(2048, pub.getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), pub.getPublicExponent());
        assertEquals(CKO_PRIVATE_KEY, pair[1].objectClass());
        assertTrue(pair[1].flag(CKA_SIGN));
        assertEquals(pub, pair[1].publicKey(), "the private object knows its public half");
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of()
                .set(CKA_MODULUS_BITS, 1024L), Template.of(), 1));
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of()
                .set(CKA_MODULUS_BITS, 8192L), Template.of(), 1));
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of(), Template.of(), 1));
        assertCkr(Ckr.ATTRIBUTE_VALUE_INVALID, () -> maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of()
                .set(CKA_MODULUS_BITS, 2048L).set(CKA_PUBLIC_EXPONENT, new byte[] {3}), Template.of(), 1));
    }

    @ParameterizedTest
    @CsvSource({"1.2.840.10045.3.1.7, 256", "1.3.132.0.34, 384", "1.3.132.0.35, 521", "1.3.132.0.10, 256"})
    void ecPairsOnEverySupportedCurve(String oid, int bits) {
        HsmObject[] pair = maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of()
                .set(CKA_EC_PARAMS, Curves.params(new ASN1ObjectIdentifier(oid))), Template.of(), 1);
        assertEquals(bits, ((ECPublicKey) pair[0].key()).getParams().getOrder().bitLength());
        assertFalse(pair[1].readable());
    }

    @Test
    void anEcPairNeedsASupportedCurve() {
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of(), Template.of(), 1));
        assertCkr(Ckr.CURVE_NOT_SUPPORTED, () -> maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of()
                .set(CKA_EC_PARAMS, Curves.params(new ASN1ObjectIdentifier("1.3.132.0.33"))), Template.of(), 1));
    }

    @Test
    void wrapAndUnwrapRoundTripAnExtractableKey() {
        HsmObject kek = aes(32, false, true);
        HsmObject target = aes(16, true, false);
        byte[] wrapped = maker.wrap(Mechanism.of(CKM_AES_KEY_WRAP_KWP), kek, target, engines);
        HsmObject back = maker.unwrap(Mechanism.of(CKM_AES_KEY_WRAP_KWP), kek, wrapped, Template.of().set(CKA_CLASS, CKO_SECRET_KEY)
                .set(CKA_KEY_TYPE, CKK_AES).set(CKA_DECRYPT, true), engines, 1);
        assertArrayEquals(target.key().getEncoded(), back.key().getEncoded());
        assertTrue(back.flag(CKA_DECRYPT));
        assertFalse(back.flag(CKA_LOCAL), "an unwrapped key was outside the token");
    }

    @Test
    void wrappingRefusesWhatMustNotLeave() {
        HsmObject kek = aes(32, false, true);
        Mechanism kwp = Mechanism.of(CKM_AES_KEY_WRAP_KWP);
        assertCkr(Ckr.KEY_UNEXTRACTABLE, () -> maker.wrap(kwp, kek, aes(32, false, false), engines));
        HsmObject[] pair = maker.generatePair(Mechanism.of(CKM_EC_KEY_PAIR_GEN), Template.of()
                .set(CKA_EC_PARAMS, Curves.params(Curves.P256)), Template.of().set(CKA_EXTRACTABLE, true), 1);
        assertCkr(Ckr.KEY_NOT_WRAPPABLE, () -> maker.wrap(kwp, kek, pair[0], engines));
        assertCkr(Ckr.MECHANISM_INVALID, () -> maker.wrap(Mechanism.of(CKM_AES_GCM), kek, aes(16, true, false), engines));
        assertCkr(Ckr.WRAPPING_KEY_TYPE_INCONSISTENT, () -> maker.wrap(kwp, pair[1], aes(16, true, false), engines));
        byte[] privateWrapped = maker.wrap(kwp, kek, pair[1], engines);
        HsmObject back = maker.unwrap(kwp, kek, privateWrapped, Template.of().set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_EC),
                engines, 1);
        assertEquals(pair[0].key(), back.publicKey(), "an unwrapped private key derives its public key");
    }

    @Test
    void unwrappingChecksItsInputs() {
        HsmObject kek = aes(32, false, true);
        Mechanism kwp = Mechanism.of(CKM_AES_KEY_WRAP_KWP);
        Template secret = Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES);
        byte[] wrapped = maker.wrap(kwp, kek, aes(16, true, false), engines);
        assertCkr(Ckr.TEMPLATE_INCOMPLETE, () -> maker.unwrap(kwp, kek, wrapped, Template.of().set(CKA_CLASS, CKO_SECRET_KEY), engines, 1));
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(kwp, kek, new byte[15], secret, engines, 1));
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(kwp, kek, null, secret, engines, 1));
        byte[] tampered = wrapped.clone();
        tampered[3] ^= 1;
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(kwp, kek, tampered, secret, engines, 1));
        HsmObject otherKek = aes(32, false, true);
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(kwp, otherKek, wrapped, secret, engines, 1));
        assertCkr(Ckr.MECHANISM_INVALID, () -> maker.unwrap(Mechanism.of(CKM_AES_ECB), kek, wrapped, secret, engines, 1));
    }

    @Test
    void restoreRebuildsEachObjectClass() {
        HsmObject secret = aes(32, false, false);
        HsmObject restored = maker.restore(secret.attributes(), secret.key().getEncoded(), null);
        assertArrayEquals(secret.key().getEncoded(), restored.key().getEncoded());
        HsmObject[] pair = maker.generatePair(Mechanism.of(CKM_RSA_PKCS_KEY_PAIR_GEN), Template.of().set(CKA_MODULUS_BITS, 2048L),
                Template.of(), 1);
        byte[] spki = pair[0].key().getEncoded();
        HsmObject pub = maker.restore(pair[0].attributes(), spki, spki);
        assertEquals(pair[0].key(), pub.key());
        assertNull(pub.publicKey());
        HsmObject priv = maker.restore(pair[1].attributes(), pair[1].key().getEncoded(), spki);
        assertEquals(pair[0].key(), priv.publicKey());
        assertCkr(Ckr.DEVICE_ERROR, () -> maker.restore(pair[1].attributes(), new byte[] {1, 2, 3}, spki));
    }

    private HsmObject[] unwrappingPair(long mechanism, Template pub, boolean unwrap) {
        return maker.generatePair(Mechanism.of(mechanism), pub, Template.of().set(CKA_UNWRAP, unwrap).set(CKA_SENSITIVE, true), 1);
    }

    private static final Template AES_SECRET = Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
            .set(CKA_ENCRYPT, true).set(CKA_EXTRACTABLE, true);

    @ParameterizedTest
    @CsvSource({"OAEP, SHA-256", "OAEP, SHA-1", "PKCS1, ''"})
    void keyMaterialEncryptedUnderAnRsaPublicKeyUnwrapsIntoASecretKey(String padding, String hash) throws Exception {
        HsmObject[] pair = unwrappingPair(CKM_RSA_PKCS_KEY_PAIR_GEN, Template.of().set(CKA_MODULUS_BITS, 2048L), true);
        byte[] material = new byte[32];
        new SecureRandom().nextBytes(material);
        javax.crypto.Cipher c;
        Mechanism m;
        if (padding.equals("OAEP")) {
            c = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(javax.crypto.Cipher.ENCRYPT_MODE, pair[0].key(), new javax.crypto.spec.OAEPParameterSpec(hash, "MGF1",
                    new java.security.spec.MGF1ParameterSpec(hash), javax.crypto.spec.PSource.PSpecified.DEFAULT));
            m = new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(hash.equals("SHA-1") ? CKM_SHA_1 : CKM_SHA256));
        } else {
            c = javax.crypto.Cipher.getInstance("RSA/ECB/PKCS1Padding");
            c.init(javax.crypto.Cipher.ENCRYPT_MODE, pair[0].key());
            m = Mechanism.of(CKM_RSA_PKCS);
        }
        byte[] wrapped = c.doFinal(material);
        HsmObject k = maker.unwrap(m, pair[1], wrapped, AES_SECRET, engines, 1);
        assertArrayEquals(material, k.key().getEncoded());
        assertEquals(CKK_AES, k.keyType());
        assertFalse(k.flag(CKA_LOCAL));

        wrapped[wrapped.length - 1] ^= 1;
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(m, pair[1], wrapped, AES_SECRET, engines, 1));
        assertCkr(Ckr.WRAPPED_KEY_LEN_RANGE, () -> maker.unwrap(m, pair[1], java.util.Arrays.copyOf(wrapped, 255), AES_SECRET, engines, 1));
    }

    @Test
    void publicKeyUnwrappingChecksItsKeyMechanismAndTemplate() throws Exception {
        HsmObject[] pair = unwrappingPair(CKM_RSA_PKCS_KEY_PAIR_GEN, Template.of().set(CKA_MODULUS_BITS, 2048L), true);
        Mechanism sha256 = new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256));
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, pair[0].key(), new javax.crypto.spec.OAEPParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, javax.crypto.spec.PSource.PSpecified.DEFAULT));
        byte[] twenty = c.doFinal(new byte[20]);
        // decrypted, but 20 bytes are no AES key
        assertCkr(Ckr.KEY_SIZE_RANGE, () -> maker.unwrap(sha256, pair[1], twenty, AES_SECRET, engines, 1));
        byte[] wrapped = c.doFinal(new byte[16]);
        // the other OAEP hash does not decode it
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA_1)), pair[1],
                wrapped, AES_SECRET, engines, 1));
        // a private key without CKA_UNWRAP, a public key, a private-key template, a mechanism that does not unwrap
        HsmObject[] noUnwrap = unwrappingPair(CKM_RSA_PKCS_KEY_PAIR_GEN, Template.of().set(CKA_MODULUS_BITS, 2048L), false);
        assertCkr(Ckr.KEY_FUNCTION_NOT_PERMITTED, () -> maker.unwrap(sha256, noUnwrap[1], wrapped, AES_SECRET, engines, 1));
        assertCkr(Ckr.UNWRAPPING_KEY_TYPE_INCONSISTENT, () -> maker.unwrap(sha256, pair[0], wrapped, AES_SECRET, engines, 1));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> maker.unwrap(sha256, pair[1], wrapped, Template.of().set(CKA_CLASS, CKO_PRIVATE_KEY)
                .set(CKA_KEY_TYPE, CKK_RSA), engines, 1));
        assertCkr(Ckr.MECHANISM_INVALID, () -> maker.unwrap(Mechanism.of(CKM_RSA_PKCS_PSS), pair[1], wrapped, AES_SECRET, engines, 1));
        HsmObject back = maker.unwrap(sha256, pair[1], wrapped, AES_SECRET, engines, 1);
        assertArrayEquals(new byte[16], back.key().getEncoded());
    }

    @Test
    void sm2EncryptedMaterialUnwrapsUnderAnSm2Key() throws Exception {
        HsmObject[] pair = unwrappingPair(CKM_SM2_KEY_PAIR_GEN, Template.of(), true);
        byte[] material = new byte[16];
        new SecureRandom().nextBytes(material);
        org.bouncycastle.crypto.engines.SM2Engine sm2 = new org.bouncycastle.crypto.engines.SM2Engine(
                org.bouncycastle.crypto.engines.SM2Engine.Mode.C1C3C2);
        sm2.init(true, new org.bouncycastle.crypto.params.ParametersWithRandom(
                org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil.generatePublicKeyParameter((java.security.PublicKey) pair[0].key()),
                new SecureRandom()));
        byte[] wrapped = sm2.processBlock(material, 0, material.length);
        Template sm4 = Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_SM4).set(CKA_ENCRYPT, true);
        assertArrayEquals(material, maker.unwrap(Mechanism.of(CKM_SM2_ENCRYPT), pair[1], wrapped, sm4, engines, 1).key().getEncoded());
        wrapped[wrapped.length - 1] ^= 1;
        assertCkr(Ckr.WRAPPED_KEY_INVALID, () -> maker.unwrap(Mechanism.of(CKM_SM2_ENCRYPT), pair[1], wrapped, sm4, engines, 1));
    }
}
