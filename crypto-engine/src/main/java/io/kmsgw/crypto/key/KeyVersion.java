package io.kmsgw.crypto.key;

import java.time.Instant;

/**
 * One version of a key. {@code wrappedMaterial} is the secret or private key material wrapped under
 * the HSM master key; it is opaque outside the backend and never unwrapped outside the HSM.
 * {@code publicKey} is the DER SubjectPublicKeyInfo of an asymmetric version (null for AES and HMAC).
 */
public record KeyVersion(String versionId, String keyId, Instant creationDate, byte[] wrappedMaterial, byte[] publicKey) {
}
