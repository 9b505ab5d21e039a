package io.kmsgw.crypto.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Immutable metadata of a key. {@code initialVersionId} serves Encrypt; {@code primaryVersionId}
 * serves Advance*. {@code deletionDate} is set while PendingDeletion; {@code rotationInterval} is set
 * when automatic rotation is on; {@code lastRotation} is when the primary version was made.
 */
public record KeyMetadata(String keyId, KeySpec spec, KeyUsage usage, KeyState state, String description, String origin,
                          Instant creationDate, String initialVersionId, String primaryVersionId, Instant deletionDate,
                          Duration rotationInterval, Instant lastRotation, Map<String, String> tags) {

    public KeyMetadata {
        tags = Map.copyOf(tags);
    }

    /** A new key: Enabled, one version, no rotation, no tags unless given. */
    public static KeyMetadata created(String keyId, KeySpec spec, KeyUsage usage, String description, Instant now, String versionId,
                                      Map<String, String> tags) {
        return new KeyMetadata(keyId, spec, usage, KeyState.Enabled, description, "Aliyun_KMS", now, versionId, versionId, null, null, now,
                tags);
    }

    public KeyMetadata withPrimary(String versionId, Instant at) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, versionId, deletionDate,
                rotationInterval, at, tags);
    }

    public KeyMetadata withState(KeyState s, Instant deletion) {
        return new KeyMetadata(keyId, spec, usage, s, description, origin, creationDate, initialVersionId, primaryVersionId, deletion,
                rotationInterval, lastRotation, tags);
    }

    public KeyMetadata withDescription(String d) {
        return new KeyMetadata(keyId, spec, usage, state, d, origin, creationDate, initialVersionId, primaryVersionId, deletionDate,
                rotationInterval, lastRotation, tags);
    }

    public KeyMetadata withRotation(Duration interval) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, primaryVersionId,
                deletionDate, interval, lastRotation, tags);
    }

    public KeyMetadata withTags(Map<String, String> t) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, primaryVersionId,
                deletionDate, rotationInterval, lastRotation, t);
    }

    /** When automatic rotation next makes a version, or null when it is off. */
    public Instant nextRotation() {
        return rotationInterval == null ? null : lastRotation.plus(rotationInterval);
    }
}
