package io.kmsgw.crypto.key;

import java.time.Instant;

/**
 * One version of a key. {@code wrappedMaterial} is the key material wrapped under the HSM master key;
 * it is opaque outside the backend and never unwrapped outside the HSM.
 */
public record KeyVersion(String versionId, String keyId, Instant creationDate, byte[] wrappedMaterial) {
}
