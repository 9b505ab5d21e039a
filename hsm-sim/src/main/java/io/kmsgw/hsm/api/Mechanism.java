package io.kmsgw.hsm.api;

/**
 * A mechanism and its parameter, as passed to a *Init or key-generation call.
 *
 * @param type  a {@code CKM_*} value
 * @param param {@code null} or one of the nested parameter records
 */
public record Mechanism(long type, Object param) {

    public static Mechanism of(long type) {
        return new Mechanism(type, null);
    }

    /** CK_GCM_PARAMS: IV, additional authenticated data and tag length in bits. */
    public record GcmParams(byte[] iv, byte[] aad, int tagBits) {
    }

    /** An IV for CBC, CBC_PAD and CTR (the full 16-byte counter block for CTR). */
    public record IvParams(byte[] iv) {
    }

    /** CK_RSA_PKCS_OAEP_PARAMS: hash mechanism ({@code CKM_SHA256}, {@code CKM_SHA_1}); MGF1 uses the same hash. */
    public record OaepParams(long hashMechanism) {
    }

    /** CK_RSA_PKCS_PSS_PARAMS: hash mechanism and salt length; MGF1 uses the same hash. */
    public record PssParams(long hashMechanism, int saltLength) {
    }
}
