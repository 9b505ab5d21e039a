package io.kmsgw.hsm.api;

/**
 * CK_MECHANISM_INFO: key size range (bits for RSA/EC/AES as PKCS#11 defines per mechanism) and
 * the {@code CKF_*} operations the mechanism supports.
 */
public record MechanismInfo(long minKeySize, long maxKeySize, long flags) {

    public boolean supports(long flag) {
        return (flags & flag) == flag;
    }
}
