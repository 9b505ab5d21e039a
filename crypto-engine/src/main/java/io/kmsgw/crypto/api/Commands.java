package io.kmsgw.crypto.api;

/**
 * Data-plane requests as they arrive from the wire: empty arrays and strings mean "not given". The
 * engine validates them on the caller's thread; byte arrays are owned by the engine once passed.
 */
public final class Commands {
    private Commands() {
    }

    /** Encrypt and AdvanceEncrypt. */
    public record Encrypt(String keyId, byte[] plaintext, String algorithm, byte[] aad, byte[] iv, String paddingMode) {
    }

    /** Decrypt and AdvanceDecrypt; with no key id, {@code keyVersionId} (x-kms-migrationkeyversionid) names the key. */
    public record Decrypt(String keyId, byte[] ciphertextBlob, String algorithm, byte[] aad, byte[] iv, String paddingMode,
                          String keyVersionId) {
    }

    /** GenerateDataKey and AdvanceGenerateDataKey. */
    public record DataKey(String keyId, String algorithm, int numberOfBytes, byte[] aad) {
    }

    /** Sign and Verify: a message (RAW) or its digest (DIGEST), and optionally the key version to use. */
    public record Sign(String keyId, String algorithm, byte[] message, byte[] digest, String messageType, String keyVersionId) {
    }

    /** GenerateDataKeyPair(WithoutPlaintext) and the Advance variants ({@code advance}: primary version, self-describing blob). */
    public record DataKeyPair(String keyId, String algorithm, String keyPairSpec, String keyFormat, byte[] aad, boolean advance) {
    }
}
