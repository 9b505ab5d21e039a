package io.kmsgw.gateway.admin;

import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyVersionInfo;
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
     * @param instance what {@code DescribeInstance} answers: the instance id, both endpoints, the CA bundle, readiness and
     *     the request count (the console's Instance page)
     */
    public AdminActions(KmsEngine engine, AccessService access, AuditLog audit, java.time.Clock clock,
            java.util.function.Supplier<ObjectNode> instance) {
        AccessActions.register(actions, access, audit, clock);
        actions.put("DescribeInstance", p -> instance.get());
        actions.put("CreateSecret", p -> secretNode(engine.secrets().createSecret(text(p, "SecretName", true), text(p, "SecretData", true),
                text(p, "SecretDataType", false), text(p, "VersionId", false), text(p, "EncryptionKeyId", false),
                text(p, "Description", false), text(p, "ExtendedConfig", false))));
        actions.put("PutSecretValue", p -> secretNode(engine.secrets().putSecretValue(text(p, "SecretName", true), text(p, "SecretData", true),
                text(p, "SecretDataType", false), text(p, "VersionId", false))));
        actions.put("DescribeSecret", p -> secretNode(engine.secrets().describeSecret(text(p, "SecretName", true))));
        actions.put("ListSecrets", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putArray("SecretList");
            engine.secrets().listSecrets().forEach(sec -> list.add(secretNode(sec)));
            out.put("TotalCount", list.size());
            return out;
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
        actions.put("CreateKey", p -> {
            String origin = text(p, "Origin", false);
            if (!origin.isEmpty() && !origin.equals("Aliyun_KMS")) {
                throw AdminException.invalid("Origin", "only Aliyun_KMS (key material generated in the HSM) is supported");
            }
            return keyResult(engine.keys().createKey(text(p, "KeySpec", false), text(p, "KeyUsage", false), text(p, "Description", false),
                    tags(p)));
        });
        actions.put("DescribeKey", p -> keyResult(engine.keys().describeKey(text(p, "KeyId", true))));
        actions.put("ListKeys", p -> listKeys(engine, p));
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
            io.kmsgw.crypto.api.Secret sec = engine.secrets().describeSecret(text(p, "SecretName", true));
            ObjectNode out = JSON.createObjectNode();
            out.put("SecretName", sec.name());
            out.set("VersionIds", secretNode(sec).get("VersionIds"));
            out.put("TotalCount", sec.versions().size());
            return out;
        });
        actions.put("UpdateSecretVersionStage", p -> secretNode(engine.secrets().updateSecretVersionStage(text(p, "SecretName", true),
                text(p, "VersionStage", true), text(p, "RemoveFromVersion", false), text(p, "MoveToVersion", false))));
        actions.put("DeleteSecret", p -> {
            String name = text(p, "SecretName", true);
            boolean force = Boolean.parseBoolean(text(p, "ForceDeleteWithoutRecovery", false));
            java.time.Instant at = engine.secrets().deleteSecret(name, Params.integer(p, "RecoveryWindowInDays", 0, 0, 100_000), force);
            ObjectNode out = JSON.createObjectNode();
            out.put("SecretName", name);
            out.put("PlannedDeleteTime", at == null ? "" : at.toString());
            return out;
        });
        actions.put("RestoreSecret", p -> secretNode(engine.secrets().restoreSecret(text(p, "SecretName", true))));
        actions.put("CreateAlias", p -> {
            engine.aliases().createAlias(text(p, "AliasName", true), text(p, "KeyId", true));
            return JSON.createObjectNode();
        });
        actions.put("ListAliases", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putObject("Aliases").putArray("Alias");
            new TreeMap<>(engine.aliases().listAliases()).forEach((alias, keyId) -> list.addObject().put("AliasName", alias).put("KeyId", keyId));
            out.put("TotalCount", list.size());
            return out;
        });
        actions.put("CreateKeyVersion", p -> {
            KeyVersionInfo v = engine.keys().createKeyVersion(text(p, "KeyId", true));
            ObjectNode out = JSON.createObjectNode();
            out.putObject("KeyVersion").put("KeyId", v.keyId()).put("KeyVersionId", v.versionId())
                    .put("CreationDate", v.creationDate().toString());
            return out;
        });
        actions.put("ListKeyVersions", p -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putObject("KeyVersions").putArray("KeyVersion");
            for (KeyVersionInfo v : engine.keys().listKeyVersions(text(p, "KeyId", true))) {
                list.addObject().put("KeyId", v.keyId()).put("KeyVersionId", v.versionId()).put("CreationDate", v.creationDate().toString());
            }
            out.put("TotalCount", list.size());
            return out;
        });
    }

    private static ObjectNode secretNode(io.kmsgw.crypto.api.Secret sec) {
        ObjectNode out = JSON.createObjectNode();
        out.put("SecretName", sec.name());
        out.put("SecretType", sec.secretType());
        out.put("EncryptionKeyId", sec.encryptionKeyId());
        out.put("Description", sec.description());
        out.put("CreateTime", io.kmsgw.crypto.api.IsoTime.seconds(sec.created()));
        out.put("PlannedDeleteTime", sec.plannedDeletion() == null ? "" : sec.plannedDeletion().toString());
        String current = sec.stages().get(io.kmsgw.crypto.api.Secret.CURRENT);
        out.put("VersionId", current == null ? "" : current);
        ArrayNode versions = out.putArray("VersionIds");
        sec.versions().values().stream().sorted((a, b) -> a.created().compareTo(b.created())).forEach(v -> {
            ObjectNode n = versions.addObject();
            n.put("VersionId", v.versionId());
            n.put("CreateTime", io.kmsgw.crypto.api.IsoTime.seconds(v.created()));
            ArrayNode st = n.putArray("VersionStages");
            sec.stagesOf(v.versionId()).forEach(st::add);
        });
        return out;
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
                case CONFLICT, KEY_PENDING_DELETION, KEY_DISABLED -> new AdminException(409, "Conflict.InvalidState", e.getMessage());
                case UNAVAILABLE, THROTTLED -> new AdminException(503, "ServiceUnavailableTemporary", e.getMessage());
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
    private static ObjectNode listKeys(KmsEngine engine, JsonNode p) {
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
        ObjectNode out = JSON.createObjectNode();
        ArrayNode keys = out.putObject("Keys").putArray("Key");
        all.stream().skip((long) (page - 1) * size).limit(size)
                .forEach(m -> keys.addObject().put("KeyId", m.keyId()).put("KeyArn", "acs:kms:::key/" + m.keyId()));
        out.put("TotalCount", all.size());
        out.put("PageNumber", page);
        out.put("PageSize", size);
        return out;
    }

    private static ObjectNode keyResult(KeyMetadata m) {
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
        k.put("DeleteDate", m.deletionDate() == null ? "" : m.deletionDate().toString());
        k.put("AutomaticRotation", m.rotationInterval() == null ? "Disabled" : "Enabled");
        k.put("RotationInterval", m.rotationInterval() == null ? "" : m.rotationInterval().getSeconds() + "s");
        k.put("NextRotationDate", m.nextRotation() == null ? "" : m.nextRotation().toString());
        k.put("LastRotationDate", m.lastRotation().toString());
        ArrayNode tags = k.putObject("Tags").putArray("Tag");
        m.tags().forEach((tk, tv) -> tags.addObject().put("TagKey", tk).put("TagValue", tv));
        return out;
    }

    private static String text(JsonNode params, String name, boolean required) {
        return Params.text(params, name, required);
    }
}
