package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** {@code CreateAdminToken}, {@code ListAdminTokens}, {@code RevokeAdminToken}: the admin plane's own credentials. */
final class AdminTokenActions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminTokenActions() {
    }

    static void register(Map<String, Function<JsonNode, ObjectNode>> actions, AdminTokens tokens, Clock clock) {
        actions.put("CreateAdminToken", p -> {
            String roleName = Params.text(p, "Role", true);
            AdminRole role = AdminRole.of(roleName);
            if (role == null) {
                throw AdminException.invalid("Role", "use Admin, ReadOnly, Auditor or Metrics");
            }
            String description = Params.text(p, "Description", false);
            if (description.length() > 1024) {
                throw AdminException.invalid("Description", "at most 1024 characters");
            }
            int days = Params.integer(p, "ExpiresInDays", 0, 1, 3650);
            AdminTokens.Created c = stored(() -> tokens.create(role, description, days));
            ObjectNode out = node(c.token(), clock.millis());
            out.put("Token", c.value());
            return out;
        });
        actions.put("ListAdminTokens", p -> {
            long now = clock.millis();
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putArray("AdminTokens");
            var all = stored(tokens::list);
            all.forEach(t -> list.add(node(t, now)));
            out.put("TotalCount", all.size());
            return out;
        });
        actions.put("RevokeAdminToken", p -> {
            String id = Params.text(p, "TokenId", true);
            return node(stored(() -> tokens.revoke(id)), clock.millis());
        });
    }

    /** A token as the API shows it: never its value nor its hash. */
    static ObjectNode node(AdminTokens.Token t, long now) {
        ObjectNode n = JSON.createObjectNode();
        n.put("TokenId", t.id());
        n.put("Role", t.role().wireName());
        n.put("Description", t.description());
        n.put("State", t.state(now));
        n.put("CreateTime", Instant.ofEpochMilli(t.createdMillis()).toString());
        if (t.expiresMillis() != 0) {
            n.put("ExpireTime", Instant.ofEpochMilli(t.expiresMillis()).toString());
        }
        if (t.revokedMillis() != 0) {
            n.put("RevokeTime", Instant.ofEpochMilli(t.revokedMillis()).toString());
        }
        if (t.lastUsedMillis() != 0) {
            n.put("LastUsedTime", Instant.ofEpochMilli(t.lastUsedMillis()).toString());
        }
        return n;
    }

    private static <T> T stored(Supplier<T> work) {
        try {
            return work.get();
        } catch (StoreException e) {
            if (e.outcomeUnknown()) {
                throw new AdminException(503, "CommitOutcomeUnknown", "The store's answer to the commit was lost: the change may or may "
                        + "not have been made. Look (ListAdminTokens) before retrying.");
            }
            throw new AdminException(503, "ServiceUnavailableTemporary", "The store is temporarily unavailable; nothing was changed.");
        }
    }
}
