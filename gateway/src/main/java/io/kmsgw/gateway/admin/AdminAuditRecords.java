package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.audit.AuditRecord;
import io.netty.channel.Channel;

/** What the admin plane says about a call: its audit record (who, from where, which action on what) and a role's refusal. */
final class AdminAuditRecords {
    private AdminAuditRecords() {
    }

    /** 403 naming the token's role and the roles that may run {@code action}. */
    static AdminException forbidden(AdminTokens.Token who, String action) {
        java.util.List<String> roles = AdminRole.allowing(action).stream().map(AdminRole::wireName).toList();
        String needed = roles.size() == 1 ? "role " + roles.get(0)
                : "one of the roles " + String.join(", ", roles.subList(0, roles.size() - 1)) + " or " + roles.get(roles.size() - 1);
        String what = action.equals(AdminRole.METRICS_SCRAPE) ? "GET /metrics" : action;
        return new AdminException(403, "Forbidden", "The admin token " + who.id() + " has role " + who.role().wireName() + "; " + what
                + " needs " + needed + ".");
    }

    /** The parameters that name what an admin call acts on, in the order looked for; never one that carries a value. */
    private static final String[] RESOURCE_PARAMS = {"KeyId", "SecretName", "AliasName", "ClientKeyId", "AccessKeyId", "AapName", "Name", "PolicyName",
        "TokenId"};
    /** One audit record for an admin call: who, from where, which action on what, and its result; never a parameter's value. */
    static AuditRecord of(Channel ch, String requestId, AdminTokens.Token who, String action, JsonNode params, String result,
            String userAgent, long started) {
        String named = resourceOf(params);
        String resource = named == null ? "" : shown(named, 256);
        String ip = ch.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : "";
        return new AuditRecord(System.currentTimeMillis(), requestId, who.id(), "", ip, shown(userAgent, 512), shown(action, 64), resource,
                result, (System.nanoTime() - started) / 1000, AuditRecord.ADMIN);
    }

    /** The first of {@link #RESOURCE_PARAMS} {@code node} names, or null. */
    static String resourceOf(JsonNode node) {
        for (String name : RESOURCE_PARAMS) {
            JsonNode v = node.get(name);
            if (v != null && v.isTextual() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }

    /** At most {@code max} characters, control characters replaced. */
    private static String shown(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
