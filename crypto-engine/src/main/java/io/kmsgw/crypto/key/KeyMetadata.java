package io.kmsgw.crypto.key;

import java.time.Instant;

/** Immutable metadata of a key. {@code initialVersionId} serves Encrypt; {@code primaryVersionId} serves Advance*. */
public record KeyMetadata(String keyId, KeySpec spec, KeyUsage usage, KeyState state, String description, String origin,
                          Instant creationDate, String initialVersionId, String primaryVersionId) {

    public KeyMetadata withPrimary(String versionId) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, versionId);
    }
}
