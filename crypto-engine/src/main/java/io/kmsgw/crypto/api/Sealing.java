package io.kmsgw.crypto.api;

/**
 * Small secrets the instance itself must be able to read back (an AccessKey's secret, which verifying an HMAC needs),
 * sealed in the HSM: each value under a fresh AES-256 key generated in the HSM and kept only wrapped under the master
 * key, with AES-GCM bound to a context the caller names (the record it belongs to). What is sealed opens on every gateway
 * sharing the master key, and nowhere else. Both calls block on the HSM: never call them on an event loop.
 */
public interface Sealing {

    /** Seals {@code plaintext} bound to {@code context}; the caller clears its plaintext. */
    byte[] seal(byte[] plaintext, String context);

    /**
     * Opens what {@link #seal} made for the same {@code context}. A blob that is damaged, of another context or sealed under
     * another master key is {@link KmsError#KEY_MATERIAL_DAMAGED}.
     */
    byte[] unseal(byte[] sealed, String context);
}
