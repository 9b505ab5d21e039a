package io.kmsgw.crypto.api;

import java.time.Instant;

/**
 * Bring your own key: key material imported into a key of Origin {@link KeyMetadata#EXTERNAL}. The tenant asks for a
 * wrapping public key and an import token, encrypts its material under that key, and imports it; the HSM unwraps it
 * inside itself. Blocking (HSM calls, store writes): call it off event loops. A failed call changed nothing.
 */
public interface KeyImport {

    /**
     * How the tenant encrypts its material under the wrapping public key, by the KMS APIs' names. Symmetric material is
     * encrypted directly (RSAES_*, SM2PKE). A private key (PKCS#8) does not fit one RSA block, so it travels in an envelope
     * (RSA_AES_KEY_WRAP_*, as AWS KMS names it): RSA-OAEP of a fresh AES key, followed by the PKCS#8 key wrapped under that
     * AES key with AES Key Wrap with Padding (RFC 5649).
     */
    enum WrappingAlgorithm {
        RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSAES_PKCS1_V1_5, SM2PKE, RSA_AES_KEY_WRAP_SHA_256, RSA_AES_KEY_WRAP_SHA_1;

        /**
         * The algorithm named, or by default the one for {@code spec} (RSAES_OAEP_SHA_256 for symmetric keys,
         * RSA_AES_KEY_WRAP_SHA_256 for private keys); INVALID_PARAMETER for a name that is none, or one for the other kind of key.
         */
        public static WrappingAlgorithm parse(String name, KeySpec spec) {
            if (name == null || name.isEmpty()) {
                return spec.symmetric() ? RSAES_OAEP_SHA_256 : RSA_AES_KEY_WRAP_SHA_256;
            }
            for (WrappingAlgorithm a : values()) {
                if (a.name().equals(name)) {
                    if (a.envelope() == spec.symmetric()) {
                        throw KmsException.invalid("WrappingAlgorithm " + name + " is not for " + spec.name() + " keys; use "
                                + (spec.symmetric() ? "RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSAES_PKCS1_V1_5 or SM2PKE"
                                : "RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1") + ".");
                    }
                    return a;
                }
            }
            throw KmsException.invalid("WrappingAlgorithm " + name + " is invalid; valid: RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, "
                    + "RSAES_PKCS1_V1_5, SM2PKE (symmetric keys), RSA_AES_KEY_WRAP_SHA_256, RSA_AES_KEY_WRAP_SHA_1 (private keys).");
        }

        /** Whether the material travels in an envelope (a private key), not under the wrapping key directly. */
        public boolean envelope() {
            return this == RSA_AES_KEY_WRAP_SHA_256 || this == RSA_AES_KEY_WRAP_SHA_1;
        }

        /** The wrapping key spec this algorithm needs: RSA_2048, or EC_SM2 for SM2PKE. */
        public String keySpec() {
            return this == SM2PKE ? "EC_SM2" : "RSA_2048";
        }
    }

    /**
     * GetParametersForImport's answer: the wrapping public key (DER SubjectPublicKeyInfo, Base64), the token that binds it to
     * the key, the algorithm and its expiry, and that expiry.
     */
    record Parameters(String keyId, String publicKey, String importToken, Instant tokenExpireTime, WrappingAlgorithm algorithm,
                      String wrappingKeySpec) {
    }

    /**
     * GetParametersForImport: a wrapping key pair generated in the HSM for this key (its private key kept only wrapped under the
     * master key, inside the token), valid 24 hours. The key must be EXTERNAL and not PendingDeletion.
     */
    Parameters getParametersForImport(String keyIdOrAlias, String wrappingAlgorithm, String wrappingKeySpec);

    /**
     * ImportKeyMaterial: unwraps {@code encryptedKeyMaterial} in the HSM with the token's wrapping key and algorithm, checks its
     * length for the key spec (a private key: its type, size or curve, and the public key the HSM derives from it), and
     * makes it the key's version; the key turns Enabled (from PendingImport). A key that had material takes only the same
     * material again. {@code materialExpire} (null: never) is when the material is deleted.
     */
    KeyMetadata importKeyMaterial(String keyIdOrAlias, byte[] encryptedKeyMaterial, String importToken, Instant materialExpire);

    /** DeleteKeyMaterial: the key's material is deleted now and the key returns to PendingImport (its ciphertexts wait). */
    KeyMetadata deleteKeyMaterial(String keyIdOrAlias);
}
