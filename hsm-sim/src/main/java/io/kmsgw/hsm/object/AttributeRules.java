package io.kmsgw.hsm.object;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.util.Set;

/**
 * PKCS#11 attribute rules as data: which attributes a caller may set at creation, which can change
 * later and in which direction, and the defaults a new key gets.
 */
public final class AttributeRules {
    private AttributeRules() {
    }

    /** Attributes the token sets itself; a template that names them is inconsistent. */
    private static final Set<Long> TOKEN_SET = Set.of(CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE,
            CKA_VENDOR_PUBLIC_KEY_INFO, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_POINT);

    /** Attributes that may never change after creation. */
    private static final Set<Long> IMMUTABLE = Set.of(CKA_CLASS, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_VALUE,
            CKA_VALUE_LEN, CKA_MODULUS_BITS, CKA_EC_PARAMS, CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE,
            CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_POINT, CKA_VENDOR_PUBLIC_KEY_INFO);

    /** Attributes a caller can name in a template at all. */
    private static final Set<Long> KNOWN = Set.of(CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_VALUE, CKA_KEY_TYPE,
            CKA_ID, CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_VERIFY,
            CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_VALUE_LEN, CKA_EXTRACTABLE, CKA_MODIFIABLE, CKA_EC_PARAMS,
            CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_MODULUS, CKA_EC_POINT, CKA_VENDOR_PUBLIC_KEY_INFO);

    /** Rejects unknown attribute types and attributes only the token may set. */
    public static void checkCreationTemplate(Template t) {
        for (long type : t.types()) {
            if (!KNOWN.contains(type)) {
                throw new HsmException(Ckr.ATTRIBUTE_TYPE_INVALID, "0x" + Long.toHexString(type));
            }
            if (TOKEN_SET.contains(type)) {
                throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "0x" + Long.toHexString(type) + " is set by the token");
            }
        }
    }

    /**
     * The attributes of a new key: caller's template over the defaults, with the token-set attributes.
     * Defaults are the safe ones: private, sensitive, not extractable, no usages.
     */
    public static Template newKey(long objectClass, long keyType, Template caller, boolean local) {
        checkCreationTemplate(caller);
        if (caller.has(CKA_VALUE)) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_VALUE comes from the mechanism, not the template");
        }
        if (caller.has(CKA_CLASS) && caller.num(CKA_CLASS, -1) != objectClass) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_CLASS");
        }
        if (caller.has(CKA_KEY_TYPE) && caller.num(CKA_KEY_TYPE, -1) != keyType) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_KEY_TYPE");
        }
        boolean publicKey = objectClass == CKO_PUBLIC_KEY;
        Template t = Template.of()
                .set(CKA_CLASS, objectClass)
                .set(CKA_KEY_TYPE, keyType)
                .set(CKA_TOKEN, false)
                .set(CKA_PRIVATE, !publicKey)
                .set(CKA_MODIFIABLE, true)
                .set(CKA_LABEL, "")
                .set(CKA_ID, new byte[0]);
        if (!publicKey) {
            t.set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false);
        }
        t.putAll(caller);
        t.set(CKA_LOCAL, local);
        if (!publicKey) {
            boolean sensitive = t.bool(CKA_SENSITIVE, true);
            boolean extractable = t.bool(CKA_EXTRACTABLE, false);
            t.set(CKA_ALWAYS_SENSITIVE, local && sensitive);
            t.set(CKA_NEVER_EXTRACTABLE, local && !extractable);
        }
        return t;
    }

    /** C_SetAttributeValue rules: immutable attributes, one-way CKA_SENSITIVE and CKA_EXTRACTABLE, CKA_MODIFIABLE. */
    public static void checkChange(HsmObject object, Template changes) {
        if (!object.flag(CKA_MODIFIABLE)) {
            throw new HsmException(Ckr.ATTRIBUTE_READ_ONLY, "object is not modifiable");
        }
        for (long type : changes.types()) {
            if (!KNOWN.contains(type)) {
                throw new HsmException(Ckr.ATTRIBUTE_TYPE_INVALID, "0x" + Long.toHexString(type));
            }
            if (IMMUTABLE.contains(type)) {
                throw new HsmException(Ckr.ATTRIBUTE_READ_ONLY, "0x" + Long.toHexString(type));
            }
        }
        if (changes.has(CKA_SENSITIVE) && object.flag(CKA_SENSITIVE) && !changes.bool(CKA_SENSITIVE, true)) {
            throw new HsmException(Ckr.ATTRIBUTE_READ_ONLY, "CKA_SENSITIVE can only go from false to true");
        }
        if (changes.has(CKA_EXTRACTABLE) && !object.flag(CKA_EXTRACTABLE) && changes.bool(CKA_EXTRACTABLE, false)) {
            throw new HsmException(Ckr.ATTRIBUTE_READ_ONLY, "CKA_EXTRACTABLE can only go from true to false");
        }
    }
}
