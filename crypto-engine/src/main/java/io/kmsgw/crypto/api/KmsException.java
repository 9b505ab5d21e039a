package io.kmsgw.crypto.api;

/**
 * A domain failure with a client-safe message: never key material, plaintext or stack detail.
 * Stack traces are not captured; these are expected outcomes on the hot path.
 */
public final class KmsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final KmsError error;

    public KmsException(KmsError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public KmsError error() {
        return error;
    }

    public static KmsException invalid(String message) {
        return new KmsException(KmsError.INVALID_PARAMETER, message);
    }

    public static KmsException decryptionFailed() {
        return new KmsException(KmsError.DECRYPTION_FAILED, "The ciphertext could not be decrypted.");
    }
}
