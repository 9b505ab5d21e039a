package io.kmsgw.crypto.backend;

/**
 * Seals small files for the other gateways of a shared instance: AES-256-GCM in the HSM under a key
 * derived from the unseal secret, bound to {@code aad} (the file's name).
 */
public interface Sealer {

    /** Output: 12-byte IV, ciphertext, 16-byte tag. */
    byte[] seal(byte[] plaintext, byte[] aad);

    /** Opens what {@link #seal} produced; a wrong unseal secret, name or a tampered blob is DECRYPTION_FAILED. */
    byte[] unseal(byte[] sealed, byte[] aad);
}
