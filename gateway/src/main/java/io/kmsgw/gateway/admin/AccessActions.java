package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.audit.AuditRecord;
import io.kmsgw.gateway.authz.AccessModel;
import io.kmsgw.gateway.authz.AccessService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Admin actions of the application-access model and the audit log (OpenAPI names). */
final class AccessActions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AccessActions() {
    }

    static void register(Map<String, Function<JsonNode, ObjectNode>> actions, AccessService access, AuditLog audit, Clock clock) {
        actions.put("CreateNetworkRule", p -> ruleNode(access.createNetworkRule(Params.text(p, "Name", true), Params.text(p, "Type", false),
                Params.list(p, "SourcePrivateIp"), Params.text(p, "Description", false))));
        actions.put("DescribeNetworkRule", p -> ruleNode(access.describeNetworkRule(Params.text(p, "Name", true))));
        actions.put("UpdateNetworkRule", p -> ruleNode(access.updateNetworkRule(Params.text(p, "Name", true), Params.list(p, "SourcePrivateIp"),
                Params.optional(p, "Description"))));
        actions.put("DeleteNetworkRule", p -> {
            access.deleteNetworkRule(Params.text(p, "Name", true));
            return JSON.createObjectNode();
        });
        actions.put("ListNetworkRules", p -> list("NetworkRules", access.listNetworkRules().stream().map(AccessActions::ruleNode).toList()));

        actions.put("CreatePolicy", p -> policyNode(access.createPolicy(Params.text(p, "Name", true), Params.text(p, "KmsInstance", false),
                Params.list(p, "Permissions"), Params.list(p, "Resources"), Params.text(p, "AccessControlRules", false),
                Params.text(p, "Description", false))));
        actions.put("DescribePolicy", p -> policyNode(access.describePolicy(Params.text(p, "Name", true))));
        actions.put("UpdatePolicy", p -> policyNode(access.updatePolicy(Params.text(p, "Name", true), Params.list(p, "Permissions"),
                Params.list(p, "Resources"), Params.optional(p, "AccessControlRules"), Params.optional(p, "Description"))));
        actions.put("DeletePolicy", p -> {
            access.deletePolicy(Params.text(p, "Name", true));
            return JSON.createObjectNode();
        });
        actions.put("ListPolicies", p -> list("Policies", access.listPolicies().stream().map(AccessActions::policyNode).toList()));

        actions.put("CreateApplicationAccessPoint", p -> aapNode(access.createAap(Params.text(p, "Name", true),
                Params.text(p, "AuthenticationMethod", false), Params.list(p, "Policies"), Params.text(p, "Description", false))));
        actions.put("DescribeApplicationAccessPoint", p -> aapNode(access.describeAap(Params.text(p, "Name", true))));
        actions.put("UpdateApplicationAccessPoint", p -> aapNode(access.updateAap(Params.text(p, "Name", true), Params.list(p, "Policies"),
                Params.optional(p, "Description"))));
        actions.put("DeleteApplicationAccessPoint", p -> {
            access.deleteAap(Params.text(p, "Name", true));
            return JSON.createObjectNode();
        });
        actions.put("ListApplicationAccessPoints", p -> list("ApplicationAccessPoints",
                access.listAaps().stream().map(AccessActions::aapNode).toList()));

        actions.put("CreateClientKey", p -> {
            ClientKeyIssuer.Issued k = access.createClientKey(Params.text(p, "AapName", true), Params.text(p, "Password", true),
                    Params.time(p, "NotBefore"), Params.time(p, "NotAfter"));
            return issued(k);
        });
        actions.put("GetClientKey", p -> {
            AccessModel.ClientKey k = access.getClientKey(Params.text(p, "ClientKeyId", true));
            ObjectNode out = clientKeyNode(k, clock);
            withUsage(List.of(out), audit);
            out.put("PublicKeyData", k.certificatePem());
            return out;
        });
        actions.put("DeleteClientKey", p -> {
            access.deleteClientKey(Params.text(p, "ClientKeyId", true));
            return JSON.createObjectNode();
        });
        actions.put("ListClientKeys", p -> list("ClientKeys", withUsage(access.listClientKeys(Params.optional(p, "AapName")).stream()
                .map(k -> clientKeyNode(k, clock)).toList(), audit)));
        actions.put("QuickCreateApplicationAccessPoint", p -> {
            AccessService.QuickCreated q = access.quickCreate(Params.text(p, "AapName", true), Params.text(p, "Password", true),
                    Params.text(p, "Description", false), Params.time(p, "NotBefore"), Params.time(p, "NotAfter"));
            ObjectNode out = issued(q.clientKey());
            out.put("AapName", q.aap().name());
            out.put("PolicyName", q.policy().name());
            return out;
        });

        actions.put("QueryAuditLog", p -> {
            Instant start = Params.time(p, "StartTime");
            Instant end = Params.time(p, "EndTime");
            String plane = emptyToNull(Params.optional(p, "Plane"));
            if (plane != null && !plane.equals(AuditRecord.DATA) && !plane.equals(AuditRecord.ADMIN)) {
                throw new AdminException(400, "InvalidParameter", "Plane must be data or admin.");
            }
            List<AuditRecord> found = audit.query(emptyToNull(Params.optional(p, "ClientKeyId")), emptyToNull(Params.optional(p, "ApiName")),
                    plane, start == null ? null : start.toEpochMilli(), end == null ? null : end.toEpochMilli(),
                    Params.integer(p, "Limit", 100, 1, 10_000));
            return list("Entries", found.stream().map(r -> r.toJson(JSON)).toList());
        });
    }

    /** The KMS OpenAPI's AccessKeys: the secret is in CreateAccessKey's answer only, never in a list, a log or the audit. */
    static void registerAccessKeys(Map<String, Function<JsonNode, ObjectNode>> actions, io.kmsgw.gateway.authz.AccessKeyService keys,
                                   AuditLog audit) {
        actions.put("CreateAccessKey", p -> {
            io.kmsgw.gateway.authz.AccessKeyService.Created k = keys.create(Params.text(p, "AapName", true));
            ObjectNode out = JSON.createObjectNode();
            out.put("AccessKeyId", k.accessKeyId());
            out.put("AccessKeySecret", k.accessKeySecret());
            out.put("AapName", k.aapName());
            out.put("CreateTime", k.created().toString());
            return out;
        });
        actions.put("ListAccessKeys", p -> {
            List<ObjectNode> nodes = keys.list(Params.optional(p, "AapName")).stream().map(k -> {
                ObjectNode n = JSON.createObjectNode();
                n.put("AccessKeyId", k.accessKeyId());
                n.put("AapName", k.aapName());
                n.put("CreateTime", k.created().toString());
                n.put("Usable", keys.usable(k.accessKeyId()));
                return n;
            }).toList();
            return list("AccessKeys", withUsage(nodes, audit, "AccessKeyId"));
        });
        actions.put("DeleteAccessKey", p -> {
            keys.delete(Params.text(p, "AccessKeyId", true));
            return JSON.createObjectNode();
        });
    }

    /**
     * Adds each client key's use as the audit remembers it beyond record retention: {@code LastUsedTime}, {@code LastUsedIp},
     * {@code LastUsedApi} and {@code RequestCount} (absent when the key was never used) — the rotation question's answer.
     */
    private static List<ObjectNode> withUsage(List<ObjectNode> keys, AuditLog audit) {
        return withUsage(keys, audit, "ClientKeyId");
    }

    /** The same for keys whose id is in {@code idField} (an AccessKey is audited under its id as a client key is). */
    private static List<ObjectNode> withUsage(List<ObjectNode> keys, AuditLog audit, String idField) {
        java.util.Map<String, io.kmsgw.gateway.audit.ClientKeyUsage> used = audit.usage(keys.stream().map(k -> k.get(idField).asText())
                .toList());
        for (ObjectNode k : keys) {
            io.kmsgw.gateway.audit.ClientKeyUsage u = used.get(k.get(idField).asText());
            if (u != null) {
                k.put("LastUsedTime", Instant.ofEpochMilli(u.lastMillis()).toString());
                k.put("LastUsedIp", u.lastIp());
                k.put("LastUsedApi", u.lastApi());
                k.put("RequestCount", u.requests());
            }
        }
        return keys;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static ObjectNode list(String name, List<ObjectNode> items) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode arr = out.putArray(name);
        items.forEach(arr::add);
        out.put("TotalCount", items.size());
        return out;
    }

    private static ObjectNode ruleNode(AccessModel.NetworkRule r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", r.name());
        n.put("Type", r.type());
        ArrayNode ips = n.putArray("SourcePrivateIp");
        r.sourcePrivateIp().forEach(ips::add);
        n.put("Description", r.description());
        n.put("CreateTime", r.created().toString());
        return n;
    }

    private static ObjectNode policyNode(AccessModel.Policy p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", p.name());
        n.put("KmsInstance", p.kmsInstance());
        ArrayNode perms = n.putArray("Permissions");
        p.permissions().forEach(perms::add);
        ArrayNode res = n.putArray("Resources");
        p.resources().forEach(res::add);
        ObjectNode rules = JSON.createObjectNode();
        ArrayNode names = rules.putArray("NetworkRules");
        p.networkRules().forEach(names::add);
        n.put("AccessControlRules", rules.toString());
        n.put("Description", p.description());
        n.put("CreateTime", p.created().toString());
        return n;
    }

    private static ObjectNode aapNode(AccessModel.Aap a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", a.name());
        n.put("AuthenticationMethod", a.authenticationMethod());
        ArrayNode pols = n.putArray("Policies");
        a.policies().forEach(pols::add);
        n.put("Description", a.description());
        n.put("CreateTime", a.created().toString());
        return n;
    }

    private static ObjectNode issued(ClientKeyIssuer.Issued k) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ClientKeyId", k.clientKeyId());
        n.put("PrivateKeyData", Base64.getEncoder().encodeToString(k.pkcs12()));
        n.put("KeyAlgorithm", "RSA_2048");
        n.put("NotBefore", k.notBefore().toString());
        n.put("NotAfter", k.notAfter().toString());
        return n;
    }

    private static ObjectNode clientKeyNode(AccessModel.ClientKey k, Clock clock) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ClientKeyId", k.clientKeyId());
        n.put("AapName", k.aapName());
        n.put("KeyAlgorithm", k.keyAlgorithm());
        n.put("NotBefore", k.notBefore().toString());
        n.put("NotAfter", k.notAfter().toString());
        n.put("CreationDate", k.created().toString());
        n.put("DaysLeft", Math.max(0, Duration.between(clock.instant(), k.notAfter()).toDays()));
        if (k.isDeleted()) {
            n.put("DeletionDate", k.deleted().toString());
        }
        return n;
    }

}
