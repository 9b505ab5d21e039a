package io.kmsgw.crypto.api;

import java.time.Instant;
import java.util.List;

/**
 * Secrets: values sealed in the HSM under a key of the instance, with versions and stages. Management
 * calls block; {@link #getSecretValue} is a data-plane call like those of {@link CryptoOperations}.
 */
public interface SecretManagement {

    /** The alias of the key that protects secrets created without an EncryptionKeyId. */
    String DEFAULT_SECRET_KEY_ALIAS = "alias/kmsgw/secrets";

    /** CreateSecret: seals the first version (ACSCurrent) under EncryptionKeyId or the instance's secret key. */
    Secret createSecret(String name, String secretData, String dataType, String versionId, String encryptionKeyId, String description,
                        String extendedConfig);

    /** PutSecretValue: a new version that becomes ACSCurrent (the old one ACSPrevious). */
    Secret putSecretValue(String name, String secretData, String dataType, String versionId);

    Secret describeSecret(String name);

    Secret updateSecretVersionStage(String name, String stage, String removeFrom, String moveTo);

    /** DeleteSecret; returns the planned deletion time, or null when forced. */
    Instant deleteSecret(String name, int recoveryWindowInDays, boolean force);

    Secret restoreSecret(String name);

    List<Secret> listSecrets();

    /** The key protecting a secret, or null when the secret does not exist (authorization needs KeyUser on it). */
    String secretEncryptionKeyId(String name);

    /** GetSecretValue: the named version (stage or id), decrypted in the HSM. */
    void getSecretValue(String name, String stage, String versionId, Completion<SecretValue> done);
}
