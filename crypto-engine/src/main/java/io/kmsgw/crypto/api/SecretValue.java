package io.kmsgw.crypto.api;

/** What GetSecretValue returns: the value as the API shows it (text, or Base64 for binary) and its version. */
public record SecretValue(Secret secret, Secret.Version version, String secretData) {
}
