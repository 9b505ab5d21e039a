package io.kmsgw.crypto.api;

/**
 * The data plane. Each call validates on the caller's thread (throwing {@link KmsException} for bad
 * input or an unusable key), then runs on the bounded worker pool, or inline when light, and completes
 * {@code done} exactly once. A full pool completes with THROTTLED. Never blocks the caller.
 */
public interface CryptoOperations {

    /** Encrypt with an AES or SM4 key, an RSA key (OAEP) or an EC_SM2 key (SM2PKE), of usage ENCRYPT/DECRYPT. */
    void encrypt(Commands.Encrypt cmd, Completion<Results.Padded> done);

    /** Decrypt; with no key id, the key is the one owning the version the command names. */
    void decrypt(Commands.Decrypt cmd, Completion<Results.Decrypted> done);

    void sign(Commands.Sign cmd, Completion<Results.Signed> done);

    void verify(Commands.Sign cmd, byte[] signature, Completion<Results.Verified> done);

    void hmac(String keyId, byte[] message, Completion<Results.Mac> done);

    /** AdvanceEncrypt: the primary version, a self-describing ciphertext. */
    void advanceEncrypt(Commands.Encrypt cmd, Completion<Results.Encrypted> done);

    void advanceDecrypt(Commands.Decrypt cmd, Completion<Results.Decrypted> done);

    void advanceGenerateDataKey(Commands.DataKey cmd, Completion<Results.DataKey> done);

    void generateDataKey(Commands.DataKey cmd, Completion<Results.DataKey> done);

    /** GenerateDataKeyPair(WithoutPlaintext) and the Advance variants. */
    void generateDataKeyPair(Commands.DataKeyPair cmd, Completion<Results.DataKeyPair> done);

    void generateRandom(int length, Completion<byte[]> done);

    /** GetPublicKey of the version named (it may name the key alone), else the initial one; answered from memory. */
    Results.PublicKey getPublicKey(String keyIdOrAlias, String keyVersionId);

    default Results.PublicKey getPublicKey(String keyIdOrAlias) {
        return getPublicKey(keyIdOrAlias, null);
    }

    /** The key version a self-describing (Advance) ciphertext names, or null when the blob is not one (no crypto: a header read). */
    String versionIdOfAdvanceBlob(byte[] blob);

    /** Jobs waiting for a worker. */
    int queueDepth();
}
