package io.kmsgw.crypto.key;

import io.kmsgw.crypto.api.KmsException;

/** Key usages, Alibaba names with the AWS spellings accepted. */
public enum KeyUsage {
    ENCRYPT_DECRYPT;

    /** Parses a usage for {@code spec}; default ENCRYPT/DECRYPT for symmetric keys. */
    public static KeyUsage parse(String name, KeySpec spec) {
        if (name == null || name.isEmpty() || name.equals("ENCRYPT/DECRYPT") || name.equals("ENCRYPT_DECRYPT")) {
            return ENCRYPT_DECRYPT;
        }
        throw KmsException.invalid("KeyUsage " + name + " is invalid for KeySpec " + spec.name()
                + "; valid: ENCRYPT/DECRYPT (alias ENCRYPT_DECRYPT).");
    }

    /** The Alibaba wire name. */
    public String wireName() {
        return "ENCRYPT/DECRYPT";
    }
}
