package io.kmsgw.crypto.api;

import io.kmsgw.crypto.api.KmsException;

/** Key usages, Alibaba names with the AWS spellings accepted, and which specs allow which. */
public enum KeyUsage {
    ENCRYPT_DECRYPT("ENCRYPT/DECRYPT"),
    SIGN_VERIFY("SIGN/VERIFY"),
    GENERATE_VERIFY_MAC("GENERATE_VERIFY_MAC");

    private final String wireName;

    KeyUsage(String wireName) {
        this.wireName = wireName;
    }

    /** The Alibaba wire name. */
    public String wireName() {
        return wireName;
    }

    /** Parses a usage for {@code spec}: the default when empty, and only combinations that make sense. */
    public static KeyUsage parse(String name, KeySpec spec) {
        KeyUsage u;
        if (name == null || name.isEmpty()) {
            u = defaultFor(spec);
        } else if (name.equals("ENCRYPT/DECRYPT") || name.equals("ENCRYPT_DECRYPT")) {
            u = ENCRYPT_DECRYPT;
        } else if (name.equals("SIGN/VERIFY") || name.equals("SIGN_VERIFY")) {
            u = SIGN_VERIFY;
        } else if (name.equals("GENERATE_VERIFY_MAC")) {
            u = GENERATE_VERIFY_MAC;
        } else {
            throw KmsException.invalid("KeyUsage " + name + " is invalid; valid: ENCRYPT/DECRYPT, SIGN/VERIFY, GENERATE_VERIFY_MAC.");
        }
        if (!allowed(spec, u)) {
            throw KmsException.invalid("KeyUsage " + u.wireName + " does not fit KeySpec " + spec.name() + "; valid combinations: "
                    + "Aliyun_AES_* and Aliyun_SM4 with ENCRYPT/DECRYPT, RSA_* and EC_SM2 with ENCRYPT/DECRYPT or SIGN/VERIFY, "
                    + "other EC_* with SIGN/VERIFY, HMAC_* with GENERATE_VERIFY_MAC.");
        }
        return u;
    }

    static KeyUsage defaultFor(KeySpec spec) {
        return switch (spec.kind()) {
            case AES, SM4, RSA -> ENCRYPT_DECRYPT;
            case EC, SM2 -> SIGN_VERIFY;
            case HMAC -> GENERATE_VERIFY_MAC;
        };
    }

    static boolean allowed(KeySpec spec, KeyUsage u) {
        return switch (spec.kind()) {
            case AES, SM4 -> u == ENCRYPT_DECRYPT;
            case RSA, SM2 -> u == ENCRYPT_DECRYPT || u == SIGN_VERIFY;
            case EC -> u == SIGN_VERIFY;
            case HMAC -> u == GENERATE_VERIFY_MAC;
        };
    }
}
