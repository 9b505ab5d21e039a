package io.kmsgw.gateway.dispatch;

import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.gateway.protocol.ApiName;
import java.util.EnumMap;
import java.util.Map;

/** The operations this build serves, by API name. */
public final class ApiOperations {
    private final Map<ApiName, ApiOperation<?>> ops = new EnumMap<>(ApiName.class);
    private final Map<String, ApiOperation<?>> openApi;

    public ApiOperations(KmsEngine engine) {
        this(engine.crypto(), engine.secrets());
    }

    public ApiOperations(CryptoOperations engine, SecretManagement secrets) {
        ops.put(ApiName.Encrypt, new SymmetricApis.Encrypt(engine));
        ops.put(ApiName.Decrypt, new SymmetricApis.Decrypt(engine));
        ops.put(ApiName.GenerateDataKey, new SymmetricApis.GenerateDataKey(engine));
        ops.put(ApiName.GenerateRandom, new SymmetricApis.GenerateRandom(engine));
        ops.put(ApiName.GetSecretValue, new SecretApis.GetSecretValue(secrets));
        ops.put(ApiName.Sign, new AsymmetricApis.Sign(engine));
        ops.put(ApiName.Verify, new AsymmetricApis.Verify(engine));
        ops.put(ApiName.Hmac, new AsymmetricApis.Hmac(engine));
        ops.put(ApiName.GetPublicKey, new AsymmetricApis.GetPublicKey(engine));
        ops.put(ApiName.AdvanceEncrypt, new AdvanceApis.AdvanceEncrypt(engine));
        ops.put(ApiName.AdvanceDecrypt, new AdvanceApis.AdvanceDecrypt(engine));
        ops.put(ApiName.AdvanceGenerateDataKey, new AdvanceApis.AdvanceGenerateDataKey(engine));
        ops.put(ApiName.GenerateDataKeyPair, new DataKeyPairApis.Plain(engine));
        ops.put(ApiName.GenerateDataKeyPairWithoutPlaintext, new DataKeyPairApis.WithoutPlaintext(engine));
        ops.put(ApiName.AdvanceGenerateDataKeyPair, new DataKeyPairApis.AdvancePlain(engine));
        ops.put(ApiName.AdvanceGenerateDataKeyPairWithoutPlaintext, new DataKeyPairApis.AdvanceWithoutPlaintext(engine));
        openApi = OpenApis.all(engine, secrets);
    }

    /** The operation serving {@code r}: its instance API, or its KMS OpenAPI action; null when this build serves neither. */
    @SuppressWarnings("unchecked")
    public ApiOperation<Object> get(io.kmsgw.gateway.protocol.KmsRequest r) {
        if (r.openApi != null) {
            return (ApiOperation<Object>) openApi.get(r.openApi.action);
        }
        return r.api == null ? null : (ApiOperation<Object>) ops.get(r.api);
    }

    /** The operation for {@code api}, or null when this build does not serve it. */
    @SuppressWarnings("unchecked")
    public ApiOperation<Object> get(ApiName api) {
        return (ApiOperation<Object>) ops.get(api);
    }
}
