package io.kmsgw.crypto.backend;

/**
 * One HSM session. Handles returned by the load methods are valid only in this session. Failures are
 * {@link io.kmsgw.crypto.api.KmsException}s: DECRYPTION_FAILED for a ciphertext that does not
 * authenticate or unpad, UNAVAILABLE for device errors, INTERNAL otherwise.
 */
public interface BackendSession extends AutoCloseable {

    /** What kind of key material a handle or a generation request is about. */
    enum KeyKind { AES, SM4, HMAC, RSA, EC, SM2 }

    /** Symmetric cipher modes over AES keys. */
    enum CipherMode { GCM, CBC, CBC_PAD, CTR, ECB }

    /** Signature schemes; all take a message digest (the engine hashes RAW messages). */
    enum SignScheme { RSA_PSS, RSA_PKCS1, ECDSA }

    /** Generated material: the secret or private key wrapped under the master key, and the public key (SPKI) if any. */
    record Generated(byte[] wrapped, byte[] publicKey) {
    }

    /**
     * Generates a key inside the HSM and returns it wrapped under the master key.
     *
     * @param size  AES/HMAC key bits, RSA modulus bits; ignored for EC
     * @param curve EC curve name (secp256r1, secp256k1, secp384r1, secp521r1), else null
     */
    Generated generate(KeyKind kind, int size, String curve);

    /** Generates an AES key inside the HSM and returns it wrapped (shorthand kept for the symmetric paths). */
    default byte[] generateWrappedSymmetricKey(int bytes) {
        return generate(KeyKind.AES, bytes * 8, null).wrapped();
    }

    /** How imported key material is encrypted under a wrapping key pair's public key. */
    enum Unwrap { RSA_OAEP_SHA256, RSA_OAEP_SHA1, RSA_PKCS1, SM2 }

    /**
     * Imported material: wrapped under the master key, its check value (see {@link #importSecret}; null for a private key,
     * whose public key identifies it) and, for a private key, its public key (SubjectPublicKeyInfo, DER).
     */
    record Imported(byte[] wrapped, byte[] check, byte[] publicKey) {
    }

    /**
     * Imports secret key material inside the HSM: the wrapping pair's private key ({@code wrappingPrivate}, wrapped under the
     * master key) unwraps {@code encrypted} straight into a secret key object of {@code kind} (AES or SM4), which must be
     * {@code bytes} long; the HSM wraps it under the master key and computes its check value (the key in ECB over the 16-byte
     * {@code checkInput}). The material is never outside the HSM in plaintext. Material that does not unwrap, or
     * is not a key of that kind and length, is INVALID_PARAMETER.
     */
    Imported importSecret(KeyKind wrappingKind, byte[] wrappingPrivate, Unwrap how, KeyKind kind, int bytes, byte[] encrypted,
                          byte[] checkInput);

    /**
     * Imports a private key inside the HSM from an envelope: {@code encrypted} is RSA-OAEP ({@code how}) of an AES key under the
     * wrapping pair's public key, followed by the PKCS#8 private key wrapped under that AES key (RFC 5649). The wrapping pair's
     * private key unwraps the AES key into a key object, which unwraps the private key into a key object of {@code kind}; the
     * HSM wraps that under the master key and gives its public key. Nothing of either key is ever outside the HSM in
     * plaintext. An envelope that does not unwrap, or holds no {@code kind} key, is INVALID_PARAMETER.
     */
    Imported importPrivate(byte[] wrappingPrivate, Unwrap how, KeyKind kind, byte[] encrypted);

    /** A data key pair for the caller: the private key in PKCS#8 DER (plaintext, by design) and the SubjectPublicKeyInfo. */
    record DataKeyPair(byte[] privateKey, byte[] publicKey) {
    }

    /** Generates an exportable key pair in the HSM (a data key pair, not a KMS key), then destroys its objects. */
    DataKeyPair generateDataKeyPair(KeyKind kind, int size, String curve);

    /** Unwraps secret (AES, HMAC) or private (RSA, EC) material into this session; returns its handle. */
    long load(KeyKind kind, byte[] wrapped);

    /** Unwraps an AES key (shorthand). */
    default long loadSymmetricKey(byte[] wrapped) {
        return load(KeyKind.AES, wrapped);
    }

    /** Imports a public key (RSA, EC) from its SubjectPublicKeyInfo for verification and RSA encryption. */
    long loadPublic(KeyKind kind, byte[] spki);

    /** Destroys a loaded key's session object. */
    void unload(long handle);

    /** AES in {@code mode}; GCM output is ciphertext ‖ 16-byte tag, and {@code aad} applies to GCM only. */
    byte[] cipher(long handle, CipherMode mode, boolean encrypt, byte[] iv, byte[] aad, byte[] data);

    /** SM4 in {@code mode}, with the same conventions as {@link #cipher}. */
    byte[] sm4(long handle, CipherMode mode, boolean encrypt, byte[] iv, byte[] aad, byte[] data);

    /** SM2 public-key encryption (C1C3C2) with a public handle, or decryption with a private handle. */
    byte[] sm2Crypt(long handle, boolean encrypt, byte[] data);

    /**
     * SM2 signature, DER. With {@code digest} false the input is the message (SM3withSM2, default user id: the HSM
     * computes Z_A from the public key); with {@code digest} true it is the 32-byte e = SM3(Z_A ‖ M) itself.
     */
    byte[] sm2Sign(long privateHandle, byte[] input, boolean digest);

    boolean sm2Verify(long publicHandle, byte[] input, boolean digest, byte[] signature);

    /** AES-GCM with a 128-bit tag: returns ciphertext ‖ tag. */
    default byte[] encryptGcm(long handle, byte[] iv, byte[] aad, byte[] plaintext) {
        return cipher(handle, CipherMode.GCM, true, iv, aad, plaintext);
    }

    /** AES-GCM decryption of ciphertext ‖ tag. */
    default byte[] decryptGcm(long handle, byte[] iv, byte[] aad, byte[] ciphertextAndTag) {
        return cipher(handle, CipherMode.GCM, false, iv, aad, ciphertextAndTag);
    }

    /** RSA-OAEP with {@code hash} ("SHA-256" or "SHA-1") for both OAEP and MGF1. */
    byte[] rsaOaep(long handle, boolean encrypt, String hash, byte[] data);

    /** Signs a digest; ECDSA signatures are r ‖ s (fixed length), as PKCS#11 returns them. */
    byte[] sign(long privateHandle, SignScheme scheme, String hash, byte[] digest);

    /** Verifies a signature over a digest (ECDSA as r ‖ s); false when it does not verify. */
    boolean verify(long publicHandle, SignScheme scheme, String hash, byte[] digest, byte[] signature);

    /** HMAC with SHA-{@code bits} (224, 256, 384, 512). */
    byte[] mac(long handle, int bits, byte[] data);

    /** Fills {@code out} from the HSM's random generator. */
    void random(byte[] out);

    @Override
    void close();

    /**
     * True once a call found the session gone (closed under it, the user logged out, the device lost or reset): its loaded
     * keys are gone too, and the owner replaces it with a new session. Calls on it meanwhile fail with UNAVAILABLE.
     */
    default boolean broken() {
        return false;
    }
}
