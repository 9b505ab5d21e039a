package io.kmsgw.crypto.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key specs and usages as CreateKey takes them: names, aliases, defaults and the combinations that make sense. */
class KeySpecUsageTest {

    @ParameterizedTest
    @EnumSource(KeySpec.class)
    void everySpecParsesByItsOwnName(KeySpec spec) {
        assertEquals(spec, KeySpec.parse(spec.name()));
    }

    @ParameterizedTest
    @CsvSource({"SYMMETRIC_DEFAULT, Aliyun_AES_256", "ECC_NIST_P256, EC_P256", "ECC_NIST_P384, EC_P384", "ECC_NIST_P521, EC_P521",
            "ECC_SECG_P256K1, EC_P256K"})
    void awsSpellingsAreAccepted(String alias, KeySpec spec) {
        assertEquals(spec, KeySpec.parse(alias));
    }

    @Test
    void anEmptySpecIsAes256AndAnUnknownOneSaysWhatIsSupported() {
        assertEquals(KeySpec.Aliyun_AES_256, KeySpec.parse(""));
        assertEquals(KeySpec.Aliyun_AES_256, KeySpec.parse(null));
        KmsException e = assertThrows(KmsException.class, () -> KeySpec.parse("RSA_1024"));
        assertEquals(KmsError.INVALID_PARAMETER, e.error());
        assertTrue(e.getMessage().contains("RSA_2048") && e.getMessage().contains("EC_SM2"), e.getMessage());
        assertThrows(KmsException.class, () -> KeySpec.parse("aliyun_aes_256"), "names are case-sensitive");
    }

    @Test
    void sizesAndCurves() {
        assertEquals(32, KeySpec.Aliyun_AES_256.keyBytes());
        assertEquals(16, KeySpec.Aliyun_SM4.keyBytes());
        assertEquals(3072, KeySpec.RSA_3072.size());
        assertEquals("secp256k1", KeySpec.EC_P256K.curve());
        assertEquals("secp521r1", KeySpec.EC_P521.curve());
        assertTrue(!KeySpec.HMAC_384.symmetric(), "symmetric() is the cipher keys automatic rotation applies to");
        assertTrue(!KeySpec.EC_SM2.symmetric());
        Set<KeySpec> symmetric = EnumSet.noneOf(KeySpec.class);
        for (KeySpec s : KeySpec.values()) {
            if (s.symmetric()) {
                symmetric.add(s);
                assertEquals(null, s.curve(), s.name());
            }
        }
        assertEquals(EnumSet.of(KeySpec.Aliyun_AES_128, KeySpec.Aliyun_AES_192, KeySpec.Aliyun_AES_256, KeySpec.Aliyun_SM4), symmetric);
    }

    @ParameterizedTest
    @CsvSource({"Aliyun_AES_128, ENCRYPT_DECRYPT", "Aliyun_SM4, ENCRYPT_DECRYPT", "RSA_2048, ENCRYPT_DECRYPT", "EC_P256, SIGN_VERIFY",
            "EC_SM2, SIGN_VERIFY", "HMAC_256, GENERATE_VERIFY_MAC"})
    void eachFamilyHasADefaultUsage(KeySpec spec, KeyUsage usage) {
        assertEquals(usage, KeyUsage.parse("", spec));
        assertEquals(usage, KeyUsage.parse(null, spec));
    }

    @ParameterizedTest
    @CsvSource({"ENCRYPT/DECRYPT, ENCRYPT_DECRYPT", "ENCRYPT_DECRYPT, ENCRYPT_DECRYPT", "SIGN/VERIFY, SIGN_VERIFY",
            "SIGN_VERIFY, SIGN_VERIFY"})
    void bothSpellingsOfAUsageParse(String name, KeyUsage usage) {
        assertEquals(usage, KeyUsage.parse(name, KeySpec.RSA_2048));
    }

    @ParameterizedTest
    @CsvSource({"Aliyun_AES_256, SIGN/VERIFY", "Aliyun_SM4, GENERATE_VERIFY_MAC", "EC_P256, ENCRYPT/DECRYPT", "HMAC_256, ENCRYPT/DECRYPT",
            "RSA_2048, GENERATE_VERIFY_MAC"})
    void combinationsThatMakeNoSenseAreInvalid(KeySpec spec, String usage) {
        KmsException e = assertThrows(KmsException.class, () -> KeyUsage.parse(usage, spec));
        assertEquals(KmsError.INVALID_PARAMETER, e.error());
        assertTrue(e.getMessage().contains("valid combinations"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ENCRYPT", "sign/verify", "MAC", " "})
    void unknownUsagesAreInvalid(String usage) {
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> KeyUsage.parse(usage, KeySpec.RSA_2048)).error());
    }

    @Test
    void wireNamesAreAlibabas() {
        assertEquals("ENCRYPT/DECRYPT", KeyUsage.ENCRYPT_DECRYPT.wireName());
        assertEquals("SIGN/VERIFY", KeyUsage.SIGN_VERIFY.wireName());
        assertEquals("GENERATE_VERIFY_MAC", KeyUsage.GENERATE_VERIFY_MAC.wireName());
    }
}
