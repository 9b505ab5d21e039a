package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.KmsEngine;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * Bring your own key on the admin plane: GetParametersForImport, ImportKeyMaterial and DeleteKeyMaterial, with the KMS
 * OpenAPI's parameter names. The material arrives only encrypted under the wrapping key; neither it nor the token is ever
 * written to the admin audit (which records the action, the key id and the outcome).
 */
final class ImportActions {
    private ImportActions() {
    }

    static void register(Map<String, Function<JsonNode, ObjectNode>> actions, KmsEngine engine) {
        actions.put("GetParametersForImport", p -> Views.tree(Views.ImportParameters.of(engine.imports().getParametersForImport(
                Params.text(p, "KeyId", true), Params.text(p, "WrappingAlgorithm", false), Params.text(p, "WrappingKeySpec", false)))));
        actions.put("ImportKeyMaterial", p -> {
            byte[] material;
            try {
                // line breaks are fine (openssl base64 writes them); any other character outside Base64 is refused
                material = Base64.getDecoder().decode(Params.text(p, "EncryptedKeyMaterial", true).replaceAll("[\\r\\n ]", ""));
            } catch (IllegalArgumentException e) {
                throw AdminException.invalid("EncryptedKeyMaterial", "it must be Base64");
            }
            return Views.tree(new Views.KeyResult(Views.Key.of(engine.imports().importKeyMaterial(Params.text(p, "KeyId", true), material,
                    Params.text(p, "ImportToken", true), expiry(p)))));
        });
        actions.put("DeleteKeyMaterial", p -> Views.tree(new Views.KeyResult(Views.Key.of(engine.imports().deleteKeyMaterial(
                Params.text(p, "KeyId", true))))));
    }

    /** KeyMaterialExpireUnix: seconds since the epoch; absent or 0 for material that does not expire. */
    private static Instant expiry(JsonNode p) {
        String s = Params.text(p, "KeyMaterialExpireUnix", false);
        if (s.isEmpty()) {
            return null;
        }
        long seconds;
        try {
            seconds = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw AdminException.invalid("KeyMaterialExpireUnix", "it must be a Unix time in seconds (0: never)");
        }
        if (seconds < 0 || seconds > 253_402_300_799L) {
            throw AdminException.invalid("KeyMaterialExpireUnix", "it must be a Unix time in seconds (0: never)");
        }
        return seconds == 0 ? null : Instant.ofEpochSecond(seconds);
    }
}
