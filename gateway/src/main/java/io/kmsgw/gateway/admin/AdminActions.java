package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.key.KeyMetadata;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.authz.AccessException;
import io.kmsgw.gateway.authz.AccessService;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The admin actions this build serves, by OpenAPI name. Each takes the JSON parameters and returns
 * the JSON result (without RequestId, which the handler adds). Actions block; they run off the event loop.
 */
public final class AdminActions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Function<JsonNode, ObjectNode>> actions = new TreeMap<>();

    public AdminActions(KmsEngine engine, AccessService access, AuditLog audit, java.time.Clock clock) {
        AccessActions.register(actions, access, audit, clock);
        actions.put("CreateKey", p -> keyResult(engine.createKey(text(p, "KeySpec", false), text(p, "KeyUsage", false),
                text(p, "Description", false))));
        actions.put("DescribeKey", p -> keyResult(engine.describeKey(text(p, "KeyId", true))));
        actions.put("ListKeys", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode keys = out.putObject("Keys").putArray("Key");
            for (KeyMetadata m : engine.listKeys()) {
                keys.addObject().put("KeyId", m.keyId()).put("KeyArn", "acs:kms:::key/" + m.keyId());
            }
            out.put("TotalCount", keys.size());
            return out;
        });
        actions.put("CreateAlias", p -> {
            engine.createAlias(text(p, "AliasName", true), text(p, "KeyId", true));
            return JSON.createObjectNode();
        });
        actions.put("ListAliases", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putObject("Aliases").putArray("Alias");
            new TreeMap<>(engine.listAliases()).forEach((alias, keyId) -> list.addObject().put("AliasName", alias).put("KeyId", keyId));
            out.put("TotalCount", list.size());
            return out;
        });
        actions.put("CreateKeyVersion", p -> {
            KeyVersion v = engine.createKeyVersion(text(p, "KeyId", true));
            ObjectNode out = JSON.createObjectNode();
            out.putObject("KeyVersion").put("KeyId", v.keyId()).put("KeyVersionId", v.versionId())
                    .put("CreationDate", v.creationDate().toString());
            return out;
        });
        actions.put("ListKeyVersions", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putObject("KeyVersions").putArray("KeyVersion");
            for (KeyVersion v : engine.listKeyVersions(text(p, "KeyId", true))) {
                list.addObject().put("KeyId", v.keyId()).put("KeyVersionId", v.versionId()).put("CreationDate", v.creationDate().toString());
            }
            out.put("TotalCount", list.size());
            return out;
        });
    }

    /** Runs an action; unknown names are 404 InvalidAction. */
    public ObjectNode run(String action, JsonNode params) {
        Function<JsonNode, ObjectNode> a = actions.get(action);
        if (a == null) {
            throw new AdminException(404, "InvalidAction", "The action " + action + " is not supported; supported: "
                    + String.join(", ", actions.keySet()) + ".");
        }
        try {
            return a.apply(params);
        } catch (AccessException e) {
            throw switch (e.kind()) {
                case INVALID -> new AdminException(400, "InvalidParameter", e.getMessage());
                case NOT_FOUND -> new AdminException(404, e.resourceType() + ".NotFound", e.getMessage());
                case CONFLICT -> new AdminException(409, "Conflict", e.getMessage());
            };
        } catch (KmsException e) {
            throw switch (e.error()) {
                case INVALID_PARAMETER, UNSUPPORTED_OPERATION -> new AdminException(400, "InvalidParameter", e.getMessage());
                case KEY_NOT_FOUND -> new AdminException(404, "Key.NotFound", e.getMessage());
                case ALREADY_EXISTS -> new AdminException(409, "Conflict.AlreadyExists", e.getMessage());
                case UNAVAILABLE, THROTTLED -> new AdminException(503, "ServiceUnavailableTemporary", e.getMessage());
                default -> new AdminException(500, "InternalFailure", "Internal Failure.");
            };
        }
    }

    private ObjectNode keyResult(KeyMetadata m) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode k = out.putObject("KeyMetadata");
        k.put("KeyId", m.keyId());
        k.put("Arn", "acs:kms:::key/" + m.keyId());
        k.put("KeySpec", m.spec().name());
        k.put("KeyUsage", m.usage().wireName());
        k.put("KeyState", m.state().name());
        k.put("Description", m.description());
        k.put("Origin", m.origin());
        k.put("CreationDate", m.creationDate().toString());
        k.put("PrimaryKeyVersion", m.primaryVersionId());
        return out;
    }

    private static String text(JsonNode params, String name, boolean required) {
        return Params.text(params, name, required);
    }
}
