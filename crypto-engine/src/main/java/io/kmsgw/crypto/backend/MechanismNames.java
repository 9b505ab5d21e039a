package io.kmsgw.crypto.backend;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/** Names for the standard PKCS#11 mechanism numbers a module reports (vendor-defined ones stay numbers: they differ by vendor). */
final class MechanismNames {
    private static final long VENDOR_DEFINED = 0x80000000L;
    private static final Map<Long, String> NAMES = new HashMap<>();

    static {
        for (Field f : io.kmsgw.hsm.api.Pkcs11.class.getFields()) {
            if (f.getName().startsWith("CKM_") && Modifier.isStatic(f.getModifiers()) && f.getType() == long.class) {
                try {
                    long v = f.getLong(null);
                    if (v < VENDOR_DEFINED) {
                        NAMES.putIfAbsent(v, f.getName());
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        NAMES.put(0x0003L, "CKM_RSA_X_509");
        NAMES.put(0x0040L, "CKM_SHA256_RSA_PKCS");
        NAMES.put(0x0043L, "CKM_SHA256_RSA_PKCS_PSS");
        NAMES.put(0x1044L, "CKM_ECDSA_SHA256");
        NAMES.put(0x1050L, "CKM_ECDH1_DERIVE");
        NAMES.put(0x1085L, "CKM_AES_CBC_PAD");
        NAMES.put(0x2109L, "CKM_AES_KEY_WRAP");
        NAMES.put(Pkcs11Translation.CKM_AES_KEY_WRAP_PAD, "CKM_AES_KEY_WRAP_PAD");
        NAMES.put(0x0250L, "CKM_SHA256");
    }

    private MechanismNames() {
    }

    static String of(long mechanism) {
        String n = NAMES.get(mechanism);
        return n != null ? n : (mechanism >= VENDOR_DEFINED ? "vendor 0x" : "0x") + Long.toHexString(mechanism);
    }
}
