package io.kmsgw.crypto.api;

/** Results of data-plane operations. Byte arrays are owned by the receiver. */
public final class Results {
    private Results() {
    }

    /** Encrypt: the key id, the version used, ciphertext ‖ tag, the IV and the algorithm name. */
    public record Encrypted(String keyId, String keyVersionId, byte[] ciphertextBlob, byte[] iv, String algorithm) {
    }

    public record Decrypted(String keyId, String keyVersionId, byte[] plaintext, String algorithm) {
    }

    public record DataKey(String keyId, String keyVersionId, byte[] plaintext, byte[] ciphertextBlob, byte[] iv, String algorithm) {
    }
}
