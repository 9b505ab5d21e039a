package io.kmsgw.gateway.protocol;

import java.util.HashMap;
import java.util.Map;

/** The dkms-gcs-0.2 API names; {@code implemented} says whether this build serves it yet. */
public enum ApiName {
    Encrypt(true, Role.KEY_USER),
    Decrypt(true, Role.KEY_USER),
    GenerateDataKey(true, Role.KEY_USER),
    GenerateRandom(true, Role.ANY),
    Sign(false, Role.KEY_USER),
    Verify(false, Role.KEY_USER),
    Hmac(false, Role.KEY_USER),
    GetPublicKey(false, Role.KEY_USER),
    GetSecretValue(false, Role.SECRET_USER),
    AdvanceEncrypt(false, Role.KEY_USER),
    AdvanceDecrypt(false, Role.KEY_USER),
    AdvanceGenerateDataKey(false, Role.KEY_USER),
    GenerateDataKeyPair(false, Role.KEY_USER),
    GenerateDataKeyPairWithoutPlaintext(false, Role.KEY_USER),
    AdvanceGenerateDataKeyPair(false, Role.KEY_USER),
    AdvanceGenerateDataKeyPairWithoutPlaintext(false, Role.KEY_USER);

    /** Which RBAC role allows the API. */
    public enum Role { KEY_USER, SECRET_USER, ANY }

    private static final Map<String, ApiName> BY_NAME = new HashMap<>();

    static {
        for (ApiName a : values()) {
            BY_NAME.put(a.name(), a);
        }
    }

    private final boolean implemented;
    private final Role role;

    ApiName(boolean implemented, Role role) {
        this.implemented = implemented;
        this.role = role;
    }

    public boolean implemented() {
        return implemented;
    }

    public Role role() {
        return role;
    }

    /** The API for a header value, or null. */
    public static ApiName of(String name) {
        return name == null ? null : BY_NAME.get(name);
    }
}
