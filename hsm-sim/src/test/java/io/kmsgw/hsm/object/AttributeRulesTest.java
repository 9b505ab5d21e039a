package io.kmsgw.hsm.object;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The PKCS#11 attribute rules as data: what a template may name, the defaults, and what may change later. */
class AttributeRulesTest {

    static void assertCkr(Ckr expected, Executable call) {
        assertEquals(expected, assertThrows(HsmException.class, call).ckr());
    }

    @Test
    void aNewSecretKeyIsPrivateSensitiveAndNotExtractableByDefault() {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of(), true);
        assertEquals(CKO_SECRET_KEY, t.num(CKA_CLASS, -1));
        assertEquals(CKK_AES, t.num(CKA_KEY_TYPE, -1));
        assertTrue(t.bool(CKA_PRIVATE, false));
        assertTrue(t.bool(CKA_SENSITIVE, false));
        assertFalse(t.bool(CKA_EXTRACTABLE, true));
        assertFalse(t.bool(CKA_TOKEN, true), "a session object unless asked");
        assertTrue(t.bool(CKA_MODIFIABLE, false));
        assertFalse(t.bool(CKA_ENCRYPT, false), "no usage unless asked");
        assertTrue(t.bool(CKA_LOCAL, false));
        assertTrue(t.bool(CKA_ALWAYS_SENSITIVE, false), "generated sensitive: always sensitive");
        assertTrue(t.bool(CKA_NEVER_EXTRACTABLE, false), "generated unextractable: never extractable");
    }

    @Test
    void anImportedKeyIsNeitherAlwaysSensitiveNorNeverExtractable() {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of(), false);
        assertFalse(t.bool(CKA_LOCAL, true));
        assertFalse(t.bool(CKA_ALWAYS_SENSITIVE, true), "its value was outside the token once");
        assertFalse(t.bool(CKA_NEVER_EXTRACTABLE, true));
    }

    @Test
    void aGeneratedExtractableOrNonSensitiveKeyIsMarkedSo() {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(CKA_EXTRACTABLE, true).set(CKA_SENSITIVE, false), true);
        assertFalse(t.bool(CKA_ALWAYS_SENSITIVE, true));
        assertFalse(t.bool(CKA_NEVER_EXTRACTABLE, true));
    }

    @Test
    void aPublicKeyIsPublicAndHasNoSensitivity() {
        Template t = AttributeRules.newKey(CKO_PUBLIC_KEY, CKK_RSA, Template.of().set(CKA_VERIFY, true), true);
        assertFalse(t.bool(CKA_PRIVATE, true));
        assertFalse(t.has(CKA_SENSITIVE));
        assertFalse(t.has(CKA_ALWAYS_SENSITIVE));
        assertTrue(t.bool(CKA_VERIFY, false), "the caller's template applies over the defaults");
    }

    @Test
    void theCallersTemplateOverridesDefaultsButNotTheTokensOwnAttributes() {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(CKA_LABEL, "mine").set(CKA_ID, new byte[] {1})
                .set(CKA_TOKEN, true), false);
        assertEquals("mine", t.string(CKA_LABEL));
        assertArrayEquals(new byte[] {1}, t.bytes(CKA_ID));
        assertTrue(t.bool(CKA_TOKEN, false));
        assertFalse(t.bool(CKA_LOCAL, true), "CKA_LOCAL is the token's to say");
    }

    @ParameterizedTest
    @ValueSource(longs = {CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_POINT,
            CKA_VENDOR_PUBLIC_KEY_INFO})
    void aTemplateThatNamesATokenSetAttributeIsInconsistent(long type) {
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> AttributeRules.checkCreationTemplate(Template.of().set(type, true)));
    }

    @Test
    void anUnknownAttributeTypeIsInvalid() {
        assertCkr(Ckr.ATTRIBUTE_TYPE_INVALID, () -> AttributeRules.checkCreationTemplate(Template.of().set(0x7777L, true)));
        assertCkr(Ckr.ATTRIBUTE_TYPE_INVALID, () -> AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(0x7777L, 1L), true));
    }

    @Test
    void aGeneratedKeysValueComesFromTheMechanism() {
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(CKA_VALUE, new byte[16]),
                true));
    }

    @Test
    void aClassOrKeyTypeThatContradictsTheMechanismIsInconsistent() {
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of()
                .set(CKA_CLASS, CKO_PRIVATE_KEY), true));
        assertCkr(Ckr.TEMPLATE_INCONSISTENT, () -> AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of()
                .set(CKA_KEY_TYPE, CKK_GENERIC_SECRET), true));
        Template same = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES),
                true);
        assertEquals(CKK_AES, same.num(CKA_KEY_TYPE, -1), "naming the right ones is fine");
    }

    private static HsmObject secretKey(Template extra) {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, extra, true);
        return new HsmObject(0, t, new SecretKeySpec(new byte[16], "AES"), null, 1);
    }

    @ParameterizedTest
    @ValueSource(longs = {CKA_CLASS, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_VALUE, CKA_VALUE_LEN, CKA_LOCAL, CKA_ALWAYS_SENSITIVE,
            CKA_NEVER_EXTRACTABLE})
    void immutableAttributesAreReadOnly(long type) {
        HsmObject o = secretKey(Template.of());
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> AttributeRules.checkChange(o, Template.of().set(type, true)));
    }

    @Test
    void sensitivityAndExtractabilityOnlyEverTightenAndLabelsChangeFreely() {
        HsmObject strict = secretKey(Template.of());
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> AttributeRules.checkChange(strict, Template.of().set(CKA_SENSITIVE, false)));
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> AttributeRules.checkChange(strict, Template.of().set(CKA_EXTRACTABLE, true)));
        AttributeRules.checkChange(strict, Template.of().set(CKA_LABEL, "renamed").set(CKA_ENCRYPT, true));
        AttributeRules.checkChange(strict, Template.of().set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false));

        HsmObject loose = secretKey(Template.of().set(CKA_SENSITIVE, false).set(CKA_EXTRACTABLE, true));
        AttributeRules.checkChange(loose, Template.of().set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false));
    }

    @Test
    void anUnmodifiableObjectRefusesEveryChange() {
        HsmObject o = secretKey(Template.of().set(CKA_MODIFIABLE, false));
        assertCkr(Ckr.ATTRIBUTE_READ_ONLY, () -> AttributeRules.checkChange(o, Template.of().set(CKA_LABEL, "x")));
    }

    @Test
    void aChangeNamingAnUnknownTypeIsInvalid() {
        assertCkr(Ckr.ATTRIBUTE_TYPE_INVALID, () -> AttributeRules.checkChange(secretKey(Template.of()), Template.of().set(0x7777L, true)));
    }
}
