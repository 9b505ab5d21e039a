package io.kmsgw.crypto.backend;

/**
 * One HSM session. Handles returned by {@link #load} are valid only in this session. Failures are
 * {@link io.kmsgw.crypto.api.KmsException}s: DECRYPTION_FAILED for a ciphertext that does not
 * authenticate, UNAVAILABLE for device errors, INTERNAL otherwise.
 */
public interface BackendSession extends AutoCloseable {

    /** Generates a symmetric key of {@code bytes} inside the HSM and returns it wrapped under the master key. */
    byte[] generateWrappedSymmetricKey(int bytes);

    /** Unwraps a key produced by {@link #generateWrappedSymmetricKey} into this session; returns its handle. */
    long loadSymmetricKey(byte[] wrapped);

    /** Destroys a loaded key's session object. */
    void unload(long handle);

    /** AES-GCM with a 128-bit tag: returns ciphertext ‖ tag. */
    byte[] encryptGcm(long handle, byte[] iv, byte[] aad, byte[] plaintext);

    /** AES-GCM decryption of ciphertext ‖ tag. */
    byte[] decryptGcm(long handle, byte[] iv, byte[] aad, byte[] ciphertextAndTag);

    /** Fills {@code out} from the HSM's random generator. */
    void random(byte[] out);

    @Override
    void close();
}
