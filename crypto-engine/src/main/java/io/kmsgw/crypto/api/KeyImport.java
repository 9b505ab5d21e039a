package io.kmsgw.crypto.api;

import java.time.Instant;

/**
 * Bring your own key: key material imported into a key of Origin {@link KeyMetadata#EXTERNAL}. The tenant asks for a
 * wrapping public key and an import token, encrypts its material under that key, and imports it; the HSM unwraps it
 * inside itself. Blocking (HSM calls, store writes): call it off event loops. A failed call changed nothing.
 */
public interface KeyImport {

    /** How the tenant encrypts its material under the wrapping public key, by the KMS API's names. */
    enum WrappingAlgorithm {
        RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSAES_PKCS1_V1_5, SM2PKE;

        /** The algorithm named (RSAES_OAEP_SHA_256 when empty), or INVALID_PARAMETER listing the valid names. */
        public static WrappingAlgorithm parse(String name) {
            if (name == null || name.isEmpty()) {
                return RSAES_OAEP_SHA_256;
            }
            for (WrappingAlgorithm a : values()) {
                if (a.name().equals(name)) {
                    return a;
                }
            }
            throw KmsException.invalid("WrappingAlgorithm " + name + " is invalid; valid: RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, "
                    + "RSAES_PKCS1_V1_5, SM2PKE.");
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
     * length for the key spec, and makes it the key's version; the key turns Enabled (from PendingImport). A key that had
     * material takes only the same material again. {@code materialExpire} (null: never) is when the material is deleted.
     */
    KeyMetadata importKeyMaterial(String keyIdOrAlias, byte[] encryptedKeyMaterial, String importToken, Instant materialExpire);

    /** DeleteKeyMaterial: the key's material is deleted now and the key returns to PendingImport (its ciphertexts wait). */
    KeyMetadata deleteKeyMaterial(String keyIdOrAlias);
}
