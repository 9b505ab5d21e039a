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

    /** Encrypt's result also carries the padding mode it applied (CBC/ECB), else "". */
    public record Padded(Encrypted encrypted, String paddingMode) {
    }

    /** Sign: the signature (DER for ECDSA), the algorithm and message type used. */
    public record Signed(String keyId, String keyVersionId, byte[] signature, String algorithm, String messageType) {
    }

    public record Verified(String keyId, String keyVersionId, boolean value, String algorithm, String messageType) {
    }

    public record Mac(String keyId, String keyVersionId, byte[] mac) {
    }

    /** GetPublicKey: the PEM SubjectPublicKeyInfo. */
    public record PublicKey(String keyId, String keyVersionId, String pem) {
    }

    /** A generated data key pair: the plaintext private key (formatted; empty without plaintext), its ciphertext, the public key, the IV. */
    public record DataKeyPair(String keyId, String keyVersionId, String keyPairSpec, byte[] privateKeyPlaintext,
                              byte[] privateKeyCiphertextBlob, byte[] publicKey, byte[] iv, String algorithm) {
    }
}
