package io.kmsgw.crypto.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Immutable metadata of a key. {@code initialVersionId} serves Encrypt; {@code primaryVersionId}
 * serves Advance*. {@code deletionDate} is set while PendingDeletion; {@code rotationInterval} is set
 * when automatic rotation is on; {@code lastRotation} is when the primary version was made. A key of Origin
 * {@link #EXTERNAL} has one version, whose material is imported; {@code materialExpireTime} is when that material
 * is deleted (null: never).
 */
public record KeyMetadata(String keyId, KeySpec spec, KeyUsage usage, KeyState state, String description, String origin,
                          Instant creationDate, String initialVersionId, String primaryVersionId, Instant deletionDate,
                          Duration rotationInterval, Instant lastRotation, Map<String, String> tags, Instant materialExpireTime) {
    /** Key material generated in the HSM. */
    public static final String ALIYUN_KMS = "Aliyun_KMS";
    /** Key material the tenant imports (bring your own key). */
    public static final String EXTERNAL = "EXTERNAL";

    public KeyMetadata {
        tags = Map.copyOf(tags);
    }

    /** A new key: Enabled, one version, no rotation, no tags unless given. */
    public static KeyMetadata created(String keyId, KeySpec spec, KeyUsage usage, String description, Instant now, String versionId,
                                      Map<String, String> tags) {
        return new KeyMetadata(keyId, spec, usage, KeyState.Enabled, description, ALIYUN_KMS, now, versionId, versionId, null, null, now,
                tags, null);
    }

    /** A new key of Origin EXTERNAL: PendingImport, its one version named but without material yet. */
    public static KeyMetadata createdExternal(String keyId, KeySpec spec, KeyUsage usage, String description, Instant now,
                                              String versionId, Map<String, String> tags) {
        return new KeyMetadata(keyId, spec, usage, KeyState.PendingImport, description, EXTERNAL, now, versionId, versionId, null, null,
                now, tags, null);
    }

    public boolean external() {
        return EXTERNAL.equals(origin);
    }

    public KeyMetadata withPrimary(String versionId, Instant at) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, versionId, deletionDate,
                rotationInterval, at, tags, materialExpireTime);
    }

    public KeyMetadata withState(KeyState s, Instant deletion) {
        return new KeyMetadata(keyId, spec, usage, s, description, origin, creationDate, initialVersionId, primaryVersionId, deletion,
                rotationInterval, lastRotation, tags, materialExpireTime);
    }

    public KeyMetadata withDescription(String d) {
        return new KeyMetadata(keyId, spec, usage, state, d, origin, creationDate, initialVersionId, primaryVersionId, deletionDate,
                rotationInterval, lastRotation, tags, materialExpireTime);
    }

    public KeyMetadata withRotation(Duration interval) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, primaryVersionId,
                deletionDate, interval, lastRotation, tags, materialExpireTime);
    }

    public KeyMetadata withTags(Map<String, String> t) {
        return new KeyMetadata(keyId, spec, usage, state, description, origin, creationDate, initialVersionId, primaryVersionId,
                deletionDate, rotationInterval, lastRotation, t, materialExpireTime);
    }

    /** Imported material (state {@code s}) expiring at {@code expire} (null: never), or none ({@code s} PendingImport, null). */
    public KeyMetadata withMaterial(KeyState s, Instant expire) {
        return new KeyMetadata(keyId, spec, usage, s, description, origin, creationDate, initialVersionId, primaryVersionId, deletionDate,
                rotationInterval, lastRotation, tags, expire);
    }

    /** When automatic rotation next makes a version, or null when it is off. */
    public Instant nextRotation() {
        return rotationInterval == null ? null : lastRotation.plus(rotationInterval);
    }
}
