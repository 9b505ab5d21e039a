package io.kmsgw.crypto.key;

import io.kmsgw.crypto.api.KmsException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Key specs, by their Alibaba names, with the AWS/CipherTrust names accepted as aliases. This build
 * creates symmetric AES keys; the other specs are recognised so that a request for one gets a precise
 * "not supported yet" instead of "unknown".
 */
public enum KeySpec {
    Aliyun_AES_128(16, true),
    Aliyun_AES_192(24, true),
    Aliyun_AES_256(32, true);

    private static final Map<String, KeySpec> ALIASES = Map.of("SYMMETRIC_DEFAULT", Aliyun_AES_256);
    private static final java.util.Set<String> KNOWN_LATER = java.util.Set.of("Aliyun_SM4", "RSA_2048", "RSA_3072", "RSA_4096",
            "EC_P256", "EC_P256K", "EC_SM2", "EC_P384", "EC_P521", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
            "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1");

    private final int keyBytes;
    private final boolean symmetric;

    KeySpec(int keyBytes, boolean symmetric) {
        this.keyBytes = keyBytes;
        this.symmetric = symmetric;
    }

    public int keyBytes() {
        return keyBytes;
    }

    public boolean symmetric() {
        return symmetric;
    }

    /** Parses a spec name (Alibaba or alias, case-sensitive as the APIs are); default Aliyun_AES_256. */
    public static KeySpec parse(String name) {
        if (name == null || name.isEmpty()) {
            return Aliyun_AES_256;
        }
        KeySpec alias = ALIASES.get(name);
        if (alias != null) {
            return alias;
        }
        for (KeySpec s : values()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        if (KNOWN_LATER.contains(name) || KNOWN_LATER.contains(name.toUpperCase(Locale.ROOT))) {
            throw KmsException.invalid("KeySpec " + name + " is not supported by this build yet; supported: " + supported() + ".");
        }
        throw KmsException.invalid("KeySpec " + name + " is invalid; supported: " + supported() + ".");
    }

    static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", SYMMETRIC_DEFAULT";
    }
}
