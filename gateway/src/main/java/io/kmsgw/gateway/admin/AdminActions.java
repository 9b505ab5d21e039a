package io.kmsgw.gateway.admin;

import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.KeyMetadata;
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

    /**
     * @param verify   what {@code VerifyInstance} answers: {@code Ok}, {@code Summary} and {@code Problems} (one line each)
     * @param history  what {@code DescribeInstanceHistory} answers: the last hour in 10-second samples (the console's charts)
     * @param instance what {@code DescribeInstance} answers: the instance id, both endpoints, the CA bundle, readiness and
     *     the request count (the console's Instance page)
     */
    public AdminActions(KmsEngine engine, AccessService access, io.kmsgw.gateway.authz.AccessKeyService accessKeys, AdminTokens tokens,
            AuditLog audit, java.time.Clock clock, java.util.function.Supplier<ObjectNode> instance,
            java.util.function.Supplier<ObjectNode> verify, java.util.function.Supplier<ObjectNode> history) {
        AccessActions.register(actions, access, audit, clock);
        AccessActions.registerAccessKeys(actions, accessKeys, audit);
        AdminTokenActions.register(actions, tokens, clock);
        actions.put("DescribeInstance", p -> instance.get());
        actions.put("DescribeInstanceHistory", p -> history.get());
        actions.put("VerifyInstance", p -> verify.get());
        actions.put("CreateSecret", p -> secretNode(engine.secrets().createSecret(text(p, "SecretName", true), text(p, "SecretData", true),
                text(p, "SecretDataType", false), text(p, "VersionId", false), text(p, "EncryptionKeyId", false),
                text(p, "Description", false), text(p, "ExtendedConfig", false))));
        actions.put("PutSecretValue", p -> secretNode(engine.secrets().putSecretValue(text(p, "SecretName", true), text(p, "SecretData", true),
                text(p, "SecretDataType", false), text(p, "VersionId", false))));
        actions.put("DescribeSecret", p -> secretNode(engine.secrets().describeSecret(text(p, "SecretName", true))));
        actions.put("ListSecrets", p -> {
            java.util.List<Views.SecretInfo> list = engine.secrets().listSecrets().stream().map(Views.SecretInfo::of).toList();
            return Views.tree(new Views.SecretList(list, list.size()));
        });
        actions.put("GetSecretValue", p -> {
            java.util.concurrent.CompletableFuture<SecretValue> f = new java.util.concurrent.CompletableFuture<>();
            engine.secrets().getSecretValue(text(p, "SecretName", true), text(p, "VersionStage", false), text(p, "VersionId", false),
                    (r, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(r);
                        }
                    });
            SecretValue v;
            try {
                v = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException ex) {
                throw (RuntimeException) ex.getCause();
            } catch (InterruptedException | java.util.concurrent.TimeoutException ex) {
                throw new AdminException(503, "ServiceUnavailableTemporary", "The HSM did not answer in time.");
            }
            ObjectNode out = secretNode(v.secret());
            out.put("VersionId", v.version().versionId());
            out.put("SecretData", v.secretData());
            out.put("SecretDataType", v.version().dataType());
            return out;
        });
        actions.put("CreateKey", p -> keyResult(engine.keys().createKey(text(p, "KeySpec", false), text(p, "KeyUsage", false),
                text(p, "Description", false), tags(p), text(p, "Origin", false))));
        ImportActions.register(actions, engine);
        actions.put("DescribeKey", p -> keyResult(engine.keys().describeKey(text(p, "KeyId", true))));
        actions.put("ListKeys", p -> Views.tree(listKeys(engine, p)));
        actions.put("EnableKey", p -> keyResult(engine.keys().enableKey(text(p, "KeyId", true))));
        actions.put("DisableKey", p -> keyResult(engine.keys().disableKey(text(p, "KeyId", true))));
        actions.put("ScheduleKeyDeletion", p -> keyResult(engine.keys().scheduleKeyDeletion(text(p, "KeyId", true),
                Params.integer(p, "PendingWindowInDays", 30, 1, 100_000))));
        actions.put("CancelKeyDeletion", p -> keyResult(engine.keys().cancelKeyDeletion(text(p, "KeyId", true))));
        actions.put("UpdateKeyDescription", p -> keyResult(engine.keys().updateKeyDescription(text(p, "KeyId", true), text(p, "Description", false))));
        actions.put("TagResource", p -> keyResult(engine.keys().tagResource(text(p, "KeyId", true), tags(p))));
        actions.put("UntagResource", p -> {
            java.util.List<String> keys = Params.list(p, "TagKeys");
            if (keys == null) {
                throw AdminException.invalid("TagKeys", "it is required");
            }
            return keyResult(engine.keys().untagResource(text(p, "KeyId", true), keys));
        });
        actions.put("UpdateRotationPolicy", p -> {
            boolean enable = Boolean.parseBoolean(text(p, "EnableAutomaticRotation", true));
            String interval = text(p, "RotationInterval", false);
            java.time.Duration d = null;
            if (!interval.isEmpty()) {
                try {
                    d = java.time.Duration.ofSeconds(Long.parseLong(interval.endsWith("s") ? interval.substring(0, interval.length() - 1)
                            : interval));
                } catch (NumberFormatException e) {
                    throw AdminException.invalid("RotationInterval", "use seconds, e.g. 604800s");
                }
            }
            return keyResult(engine.keys().updateRotationPolicy(text(p, "KeyId", true), enable, d));
        });
        actions.put("UpdateAlias", p -> {
            engine.aliases().updateAlias(text(p, "AliasName", true), text(p, "KeyId", true));
            return JSON.createObjectNode();
        });
        actions.put("DeleteAlias", p -> {
            engine.aliases().deleteAlias(text(p, "AliasName", true));
            return JSON.createObjectNode();
        });
        actions.put("ListSecretVersionIds", p -> {
            Secret sec = engine.secrets().describeSecret(text(p, "SecretName", true));
            return Views.tree(new Views.SecretVersionIds(sec.name(), Views.SecretVersion.of(sec), sec.versions().size()));
        });
        actions.put("UpdateSecretVersionStage", p -> secretNode(engine.secrets().updateSecretVersionStage(text(p, "SecretName", true),
                text(p, "VersionStage", true), text(p, "RemoveFromVersion", false), text(p, "MoveToVersion", false))));
        actions.put("DeleteSecret", p -> {
            String name = text(p, "SecretName", true);
            boolean force = Boolean.parseBoolean(text(p, "ForceDeleteWithoutRecovery", false));
            java.time.Instant at = engine.secrets().deleteSecret(name, Params.integer(p, "RecoveryWindowInDays", 0, 0, 100_000), force);
            return Views.tree(new Views.SecretDeletion(name, at == null ? "" : at.toString()));
        });
        actions.put("RestoreSecret", p -> secretNode(engine.secrets().restoreSecret(text(p, "SecretName", true))));
        actions.put("CreateAlias", p -> {
            engine.aliases().createAlias(text(p, "AliasName", true), text(p, "KeyId", true));
            return JSON.createObjectNode();
        });
        actions.put("ListAliases", p -> Views.tree(Views.Aliases.of(engine.aliases().listAliases())));
        actions.put("CreateKeyVersion", p -> Views.tree(new Views.KeyVersionResult(Views.KeyVersion.of(
                engine.keys().createKeyVersion(text(p, "KeyId", true))))));
        actions.put("ListKeyVersions", p -> Views.tree(Views.KeyVersions.of(engine.keys().listKeyVersions(text(p, "KeyId", true)))));
    }

    private static ObjectNode secretNode(Secret sec) {
        return Views.tree(Views.SecretInfo.of(sec));
    }

    /** The names of every action this build serves, sorted. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(actions.keySet());
    }

    /** Whether {@code action} is one this build serves. */
    public boolean has(String action) {
        return actions.containsKey(action);
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
                case RESOURCE_NOT_FOUND -> new AdminException(404, "Secret.NotFound", e.getMessage());
                case ALREADY_EXISTS -> new AdminException(409, "Conflict.AlreadyExists", e.getMessage());
                case CONFLICT, KEY_PENDING_DELETION, KEY_DISABLED, KEY_PENDING_IMPORT -> new AdminException(409, "Conflict.InvalidState",
                        e.getMessage());
                case UNAVAILABLE, THROTTLED -> new AdminException(503, "ServiceUnavailableTemporary", e.getMessage());
                case COMMIT_OUTCOME_UNKNOWN -> new AdminException(503, "CommitOutcomeUnknown", e.getMessage());
                case KEY_MATERIAL_DAMAGED -> new AdminException(409, "Conflict.KeyMaterialUnavailable", e.getMessage());
                default -> new AdminException(500, "InternalFailure", "Internal Failure.");
            };
        }
    }

    /** Tags: a JSON array (or JSON-encoded string) of {"TagKey","TagValue"} objects. */
    private static java.util.Map<String, String> tags(JsonNode p) {
        JsonNode n = p.get("Tags");
        if (n == null || n.isNull()) {
            return java.util.Map.of();
        }
        try {
            JsonNode arr = n.isTextual() ? JSON.readTree(n.asText()) : n;
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            for (JsonNode t : arr) {
                out.put(t.get("TagKey").asText(), t.path("TagValue").asText());
            }
            return out;
        } catch (Exception e) {
            throw AdminException.invalid("Tags", "use [{\"TagKey\":\"k\",\"TagValue\":\"v\"}]");
        }
    }

    /** ListKeys with Filters (KeySpec, KeyState, Tag "k=v") and paging (PageNumber from 1, PageSize 1–100, default 10). */
    private static Views.KeyPage listKeys(KmsEngine engine, JsonNode p) {
        String spec = text(p, "KeySpec", false);
        String state = text(p, "KeyState", false);
        String tag = text(p, "Tag", false);
        int page = Params.integer(p, "PageNumber", 1, 1, 1_000_000);
        int size = Params.integer(p, "PageSize", 10, 1, 100);
        java.util.List<KeyMetadata> all = engine.keys().listKeys().stream()
                .filter(m -> spec.isEmpty() || m.spec().name().equals(spec))
                .filter(m -> state.isEmpty() || m.state().name().equals(state))
                .filter(m -> {
                    if (tag.isEmpty()) {
                        return true;
                    }
                    int eq = tag.indexOf('=');
                    String k = eq < 0 ? tag : tag.substring(0, eq);
                    return m.tags().containsKey(k) && (eq < 0 || m.tags().get(k).equals(tag.substring(eq + 1)));
                }).toList();
        return Views.KeyPage.of(all, page, size);
    }

    private static ObjectNode keyResult(KeyMetadata m) {
        return Views.tree(new Views.KeyResult(Views.Key.of(m)));
    }

    private static String text(JsonNode params, String name, boolean required) {
        return Params.text(params, name, required);
    }
}
