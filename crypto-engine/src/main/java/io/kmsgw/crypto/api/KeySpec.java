package io.kmsgw.crypto.api;

import io.kmsgw.crypto.api.KmsException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Key specs, by their Alibaba names, with the AWS/CipherTrust names accepted as aliases.
 * {@code size} is the AES/HMAC key length in bits, the RSA modulus bits, or the EC field size.
 */
public enum KeySpec {
    Aliyun_AES_128(Kind.AES, 128, null),
    Aliyun_AES_192(Kind.AES, 192, null),
    Aliyun_AES_256(Kind.AES, 256, null),
    Aliyun_SM4(Kind.SM4, 128, null),
    RSA_2048(Kind.RSA, 2048, null),
    RSA_3072(Kind.RSA, 3072, null),
    RSA_4096(Kind.RSA, 4096, null),
    EC_P256(Kind.EC, 256, "secp256r1"),
    EC_P256K(Kind.EC, 256, "secp256k1"),
    EC_P384(Kind.EC, 384, "secp384r1"),
    EC_P521(Kind.EC, 521, "secp521r1"),
    EC_SM2(Kind.SM2, 256, "sm2p256v1"),
    HMAC_224(Kind.HMAC, 224, null),
    HMAC_256(Kind.HMAC, 256, null),
    HMAC_384(Kind.HMAC, 384, null),
    HMAC_512(Kind.HMAC, 512, null);

    /** The family a spec belongs to; it decides usages, algorithms and how the HSM holds the key. */
    public enum Kind { AES, SM4, RSA, EC, SM2, HMAC }

    private static final Map<String, KeySpec> ALIASES = Map.of(
            "SYMMETRIC_DEFAULT", Aliyun_AES_256,
            "ECC_NIST_P256", EC_P256,
            "ECC_NIST_P384", EC_P384,
            "ECC_NIST_P521", EC_P521,
            "ECC_SECG_P256K1", EC_P256K);
    private static final Set<String> NOT_YET = Set.of();

    private final Kind kind;
    private final int size;
    private final String curve;

    KeySpec(Kind kind, int size, String curve) {
        this.kind = kind;
        this.size = size;
        this.curve = curve;
    }

    public Kind kind() {
        return kind;
    }

    public int size() {
        return size;
    }

    /** Secret key length in bytes (AES, HMAC). */
    public int keyBytes() {
        return size / 8;
    }

    /** The named curve (EC), else null. */
    public String curve() {
        return curve;
    }

    public boolean symmetric() {
        return kind == Kind.AES || kind == Kind.SM4;
    }

    /** Parses a spec name (Alibaba or alias); default Aliyun_AES_256. */
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
        if (NOT_YET.contains(name)) {
            throw KmsException.invalid("KeySpec " + name + " is not supported by this build yet; supported: " + supported() + ".");
        }
        throw KmsException.invalid("KeySpec " + name + " is invalid; supported: " + supported() + ".");
    }

    static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (aliases "
                + String.join(", ", new java.util.TreeSet<>(ALIASES.keySet())) + ")";
    }
}
