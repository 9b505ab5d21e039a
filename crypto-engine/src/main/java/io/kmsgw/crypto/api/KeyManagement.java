package io.kmsgw.crypto.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Key lifecycle: create, version, enable/disable, schedule and cancel deletion, describe, tag, rotate.
 * Blocking (store writes, HSM key generation): call it off event loops. A change is visible only after
 * it is committed; a failed call changed nothing. Keys are named by id or alias.
 */
public interface KeyManagement {

    /** CreateKey: generates the first version in the HSM and commits key and version in one transaction. */
    default KeyMetadata createKey(String keySpec, String keyUsage, String description, Map<String, String> tags) {
        return createKey(keySpec, keyUsage, description, tags, KeyMetadata.ALIYUN_KMS);
    }

    /**
     * CreateKey with an {@code origin}: {@code Aliyun_KMS} (also {@code AWS_KMS}, or empty) generates the material in the HSM;
     * {@code EXTERNAL} (also {@code External}) makes a PendingImport key whose material is imported ({@link KeyImport}), for
     * the AES, SM4, RSA and EC (SM2 included) specs; not HMAC.
     */
    KeyMetadata createKey(String keySpec, String keyUsage, String description, Map<String, String> tags, String origin);

    default KeyMetadata createKey(String keySpec, String keyUsage, String description) {
        return createKey(keySpec, keyUsage, description, Map.of());
    }

    /** CreateKeyVersion: a new primary version; Encrypt keeps using the initial one, Advance* the primary. */
    KeyVersionInfo createKeyVersion(String keyIdOrAlias);

    /** EnableKey: Disabled → Enabled (Enabled stays); PendingDeletion is a conflict. */
    KeyMetadata enableKey(String keyIdOrAlias);

    /** DisableKey: Enabled → Disabled (Disabled stays); PendingDeletion is a conflict. */
    KeyMetadata disableKey(String keyIdOrAlias);

    /** ScheduleKeyDeletion: 7–366 days (0 means 30); refused while a secret depends on the key. */
    KeyMetadata scheduleKeyDeletion(String keyIdOrAlias, int pendingWindowInDays);

    /** CancelKeyDeletion: PendingDeletion → Enabled. */
    KeyMetadata cancelKeyDeletion(String keyIdOrAlias);

    KeyMetadata updateKeyDescription(String keyIdOrAlias, String description);

    KeyMetadata tagResource(String keyIdOrAlias, Map<String, String> add);

    KeyMetadata untagResource(String keyIdOrAlias, List<String> tagKeys);

    /** UpdateRotationPolicy: automatic rotation every {@code interval} (7 to 730 days), or off. */
    KeyMetadata updateRotationPolicy(String keyIdOrAlias, boolean enable, Duration interval);

    KeyMetadata describeKey(String keyIdOrAlias);

    List<KeyMetadata> listKeys();

    /** The key's versions, oldest first. */
    List<KeyVersionInfo> listKeyVersions(String keyIdOrAlias);
}
