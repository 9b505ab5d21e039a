package io.kmsgw.gateway.protocol;

import java.util.HashMap;
import java.util.Map;

/** The dkms-gcs-0.2 API names and the RBAC role each needs; which ones this build serves is ApiOperations' business. */
public enum ApiName {
    Encrypt(Role.KEY_USER),
    Decrypt(Role.KEY_USER),
    GenerateDataKey(Role.KEY_USER),
    GenerateRandom(Role.ANY),
    Sign(Role.KEY_USER),
    Verify(Role.KEY_USER),
    Hmac(Role.KEY_USER),
    GetPublicKey(Role.KEY_USER),
    GetSecretValue(Role.SECRET_USER),
    AdvanceEncrypt(Role.KEY_USER),
    AdvanceDecrypt(Role.KEY_USER),
    AdvanceGenerateDataKey(Role.KEY_USER),
    GenerateDataKeyPair(Role.KEY_USER),
    GenerateDataKeyPairWithoutPlaintext(Role.KEY_USER),
    AdvanceGenerateDataKeyPair(Role.KEY_USER),
    AdvanceGenerateDataKeyPairWithoutPlaintext(Role.KEY_USER);

    /** Which RBAC role allows the API. */
    public enum Role { KEY_USER, SECRET_USER, ANY }

    private static final Map<String, ApiName> BY_NAME = new HashMap<>();

    static {
        for (ApiName a : values()) {
            BY_NAME.put(a.name(), a);
        }
    }

    private final Role role;

    ApiName(Role role) {
        this.role = role;
    }

    public Role role() {
        return role;
    }

    /** The API for a header value, or null. */
    public static ApiName of(String name) {
        return name == null ? null : BY_NAME.get(name);
    }
}
