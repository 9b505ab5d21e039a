package io.kmsgw.hsm.mechanism;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.MechanismInfo;
import java.util.Map;
import java.util.TreeMap;

/** The mechanisms a simulated token supports, with CK_MECHANISM_INFO (key sizes in bytes for AES/HMAC, bits for RSA/EC). */
public final class MechanismTable {
    private static final Map<Long, MechanismInfo> INFO = new TreeMap<>();

    static {
        long crypt = CKF_HW | CKF_ENCRYPT | CKF_DECRYPT;
        long sign = CKF_HW | CKF_SIGN | CKF_VERIFY;
        INFO.put(CKM_AES_KEY_GEN, new MechanismInfo(16, 32, CKF_HW | CKF_GENERATE));
        INFO.put(CKM_AES_GCM, new MechanismInfo(16, 32, crypt));
        INFO.put(CKM_AES_CBC, new MechanismInfo(16, 32, crypt));
        INFO.put(CKM_AES_CBC_PAD, new MechanismInfo(16, 32, crypt));
        INFO.put(CKM_AES_ECB, new MechanismInfo(16, 32, crypt));
        INFO.put(CKM_AES_CTR, new MechanismInfo(16, 32, crypt));
        INFO.put(CKM_AES_KEY_WRAP_KWP, new MechanismInfo(16, 32, CKF_HW | CKF_WRAP | CKF_UNWRAP));
        INFO.put(CKM_GENERIC_SECRET_KEY_GEN, new MechanismInfo(14, 128, CKF_HW | CKF_GENERATE));
        INFO.put(CKM_SHA224_HMAC, new MechanismInfo(14, 128, sign));
        INFO.put(CKM_SHA256_HMAC, new MechanismInfo(14, 128, sign));
        INFO.put(CKM_SHA384_HMAC, new MechanismInfo(14, 128, sign));
        INFO.put(CKM_SHA512_HMAC, new MechanismInfo(14, 128, sign));
        INFO.put(CKM_RSA_PKCS, new MechanismInfo(2048, 4096, sign | CKF_UNWRAP));
        INFO.put(CKM_RSA_PKCS_PSS, new MechanismInfo(2048, 4096, sign));
        INFO.put(CKM_RSA_PKCS_KEY_PAIR_GEN, new MechanismInfo(2048, 4096, CKF_HW | CKF_GENERATE_KEY_PAIR));
        INFO.put(CKM_RSA_PKCS_OAEP, new MechanismInfo(2048, 4096, crypt | CKF_UNWRAP));
        INFO.put(CKM_SHA256_RSA_PKCS, new MechanismInfo(2048, 4096, sign));
        INFO.put(CKM_SHA256_RSA_PKCS_PSS, new MechanismInfo(2048, 4096, sign));
        INFO.put(CKM_EC_KEY_PAIR_GEN, new MechanismInfo(256, 521, CKF_HW | CKF_GENERATE_KEY_PAIR | CKF_EC_NAMED_CURVE));
        INFO.put(CKM_ECDSA, new MechanismInfo(256, 521, sign | CKF_EC_NAMED_CURVE));
        INFO.put(CKM_ECDSA_SHA256, new MechanismInfo(256, 521, sign | CKF_EC_NAMED_CURVE));
        INFO.put(CKM_SM4_KEY_GEN, new MechanismInfo(16, 16, CKF_HW | CKF_GENERATE));
        INFO.put(CKM_SM4_ECB, new MechanismInfo(16, 16, crypt));
        INFO.put(CKM_SM4_CBC, new MechanismInfo(16, 16, crypt));
        INFO.put(CKM_SM4_CBC_PAD, new MechanismInfo(16, 16, crypt));
        INFO.put(CKM_SM4_CTR, new MechanismInfo(16, 16, crypt));
        INFO.put(CKM_SM4_GCM, new MechanismInfo(16, 16, crypt));
        INFO.put(CKM_SM2_KEY_PAIR_GEN, new MechanismInfo(256, 256, CKF_HW | CKF_GENERATE_KEY_PAIR));
        INFO.put(CKM_SM3_SM2, new MechanismInfo(256, 256, sign));
        INFO.put(CKM_SM2, new MechanismInfo(256, 256, sign));
        INFO.put(CKM_SM2_ENCRYPT, new MechanismInfo(256, 256, crypt | CKF_UNWRAP));
    }

    private MechanismTable() {
    }

    public static long[] list() {
        return INFO.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** The info of a supported mechanism, or CKR_MECHANISM_INVALID. */
    public static MechanismInfo info(long mechanism) {
        MechanismInfo info = INFO.get(mechanism);
        if (info == null) {
            throw new HsmException(Ckr.MECHANISM_INVALID, "0x" + Long.toHexString(mechanism));
        }
        return info;
    }

    /** CKR_MECHANISM_INVALID unless the mechanism supports the operation flag. */
    public static void require(long mechanism, long flag) {
        if (!info(mechanism).supports(flag)) {
            throw new HsmException(Ckr.MECHANISM_INVALID, "0x" + Long.toHexString(mechanism) + " does not support this operation");
        }
    }
}
