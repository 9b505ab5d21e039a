package io.kmsgw.hsm.api;

/** PKCS#11 constants used by the simulator: object classes, key types, attributes, mechanisms, flags. */
public final class Pkcs11 {
    private Pkcs11() {
    }

    // user types
    public static final long CKU_SO = 0;
    public static final long CKU_USER = 1;

    // session flags
    public static final long CKF_RW_SESSION = 0x2;
    public static final long CKF_SERIAL_SESSION = 0x4;

    // object classes
    public static final long CKO_PUBLIC_KEY = 2;
    public static final long CKO_PRIVATE_KEY = 3;
    public static final long CKO_SECRET_KEY = 4;

    // key types
    public static final long CKK_RSA = 0x00;
    public static final long CKK_EC = 0x03;
    public static final long CKK_GENERIC_SECRET = 0x10;
    public static final long CKK_AES = 0x1F;
    public static final long CKK_SHA256_HMAC = 0x2B;

    /** Vendor-defined (PKCS#11 has no SM2/SM4): the Chinese national algorithms, via BouncyCastle. */
    public static final long CKK_SM4 = 0x80000041L;
    public static final long CKK_SM2 = 0x80000042L;

    // attributes
    public static final long CKA_CLASS = 0x000;
    public static final long CKA_TOKEN = 0x001;
    public static final long CKA_PRIVATE = 0x002;
    public static final long CKA_LABEL = 0x003;
    public static final long CKA_VALUE = 0x011;
    public static final long CKA_KEY_TYPE = 0x100;
    public static final long CKA_ID = 0x102;
    public static final long CKA_SENSITIVE = 0x103;
    public static final long CKA_ENCRYPT = 0x104;
    public static final long CKA_DECRYPT = 0x105;
    public static final long CKA_WRAP = 0x106;
    public static final long CKA_UNWRAP = 0x107;
    public static final long CKA_SIGN = 0x108;
    public static final long CKA_VERIFY = 0x10A;
    public static final long CKA_MODULUS = 0x120;
    public static final long CKA_MODULUS_BITS = 0x121;
    public static final long CKA_PUBLIC_EXPONENT = 0x122;
    public static final long CKA_PRIVATE_EXPONENT = 0x123;
    public static final long CKA_VALUE_LEN = 0x161;
    public static final long CKA_EXTRACTABLE = 0x162;
    public static final long CKA_LOCAL = 0x163;
    public static final long CKA_NEVER_EXTRACTABLE = 0x164;
    public static final long CKA_ALWAYS_SENSITIVE = 0x165;
    public static final long CKA_MODIFIABLE = 0x170;
    public static final long CKA_EC_PARAMS = 0x180;
    public static final long CKA_EC_POINT = 0x181;
    /** Simulator extension (vendor-defined range): the DER SubjectPublicKeyInfo of a public key. */
    public static final long CKA_VENDOR_PUBLIC_KEY_INFO = 0x80000001L;

    // mechanisms
    public static final long CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0000;
    public static final long CKM_RSA_PKCS = 0x0001;
    public static final long CKM_RSA_PKCS_OAEP = 0x0009;
    public static final long CKM_RSA_PKCS_PSS = 0x000D;
    public static final long CKM_SHA256_RSA_PKCS = 0x0040;
    public static final long CKM_SHA256_RSA_PKCS_PSS = 0x0043;
    public static final long CKM_SHA_1 = 0x0220;
    public static final long CKM_SHA256 = 0x0250;
    public static final long CKM_SHA256_HMAC = 0x0251;
    public static final long CKM_SHA224 = 0x0255;
    public static final long CKM_SHA224_HMAC = 0x0256;
    public static final long CKM_SHA384_HMAC = 0x0261;
    public static final long CKM_SHA512_HMAC = 0x0271;
    public static final long CKM_SHA384 = 0x0260;
    public static final long CKM_SHA512 = 0x0270;
    public static final long CKM_GENERIC_SECRET_KEY_GEN = 0x0350;
    public static final long CKM_EC_KEY_PAIR_GEN = 0x1040;
    public static final long CKM_ECDSA = 0x1041;
    public static final long CKM_ECDSA_SHA256 = 0x1044;
    public static final long CKM_AES_KEY_GEN = 0x1080;
    public static final long CKM_AES_ECB = 0x1081;
    public static final long CKM_AES_CBC = 0x1082;
    public static final long CKM_AES_CBC_PAD = 0x1085;
    public static final long CKM_AES_CTR = 0x1086;
    public static final long CKM_AES_GCM = 0x1087;
    public static final long CKM_AES_KEY_WRAP_KWP = 0x210B;

    // vendor-defined SM4/SM2 mechanisms; SM2 signing takes the message (Z needs the public key), output DER
    public static final long CKM_SM4_KEY_GEN = 0x80000041L;
    public static final long CKM_SM4_ECB = 0x80000042L;
    public static final long CKM_SM4_CBC = 0x80000043L;
    public static final long CKM_SM4_CBC_PAD = 0x80000044L;
    public static final long CKM_SM4_CTR = 0x80000045L;
    public static final long CKM_SM4_GCM = 0x80000046L;
    public static final long CKM_SM2_KEY_PAIR_GEN = 0x80000047L;
    public static final long CKM_SM3_SM2 = 0x80000048L;
    public static final long CKM_SM2_ENCRYPT = 0x80000049L;
    /** SM2 signing over a given e = SM3(Z_A ‖ M) (32 bytes), as CKM_ECDSA takes a digest; output DER. */
    public static final long CKM_SM2 = 0x8000004AL;

    // mechanism info flags
    public static final long CKF_HW = 0x1;
    public static final long CKF_ENCRYPT = 0x100;
    public static final long CKF_DECRYPT = 0x200;
    public static final long CKF_DIGEST = 0x400;
    public static final long CKF_SIGN = 0x800;
    public static final long CKF_VERIFY = 0x2000;
    public static final long CKF_GENERATE = 0x8000;
    public static final long CKF_GENERATE_KEY_PAIR = 0x10000;
    public static final long CKF_WRAP = 0x20000;
    public static final long CKF_UNWRAP = 0x40000;
    public static final long CKF_EC_NAMED_CURVE = 0x800000;
}
