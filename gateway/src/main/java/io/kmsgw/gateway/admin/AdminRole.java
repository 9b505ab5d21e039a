package io.kmsgw.gateway.admin;

import java.util.List;
import java.util.Locale;

/**
 * What an admin token may do. {@code Admin}: everything. {@code ReadOnly}: {@code Describe*}, {@code List*} and
 * {@code QueryAuditLog}, and {@code /metrics} — never a secret value, never a client key (its private half is only ever
 * in a {@code Create*} answer, its certificate only in {@code GetClientKey}). {@code Auditor}: {@code QueryAuditLog} and
 * {@code DescribeInstance}. {@code Metrics}: {@code /metrics} only.
 */
public enum AdminRole {
    ADMIN("Admin"),
    READ_ONLY("ReadOnly"),
    AUDITOR("Auditor"),
    METRICS("Metrics");

    /** The pseudo-action a scrape of {@code GET /metrics} is checked as. */
    public static final String METRICS_SCRAPE = "/metrics";

    private final String wireName;

    AdminRole(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The role named {@code name} (case-insensitive), or null. */
    public static AdminRole of(String name) {
        for (AdminRole r : values()) {
            if (r.wireName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }

    /** Whether this role may run {@code action} (an admin action's name, or {@link #METRICS_SCRAPE}). */
    public boolean allows(String action) {
        return switch (this) {
            case ADMIN -> true;
            case READ_ONLY -> action.startsWith("Describe") || action.startsWith("List") || action.equals("QueryAuditLog")
                    || action.equals(METRICS_SCRAPE);
            case AUDITOR -> action.equals("QueryAuditLog") || action.equals("DescribeInstance");
            case METRICS -> action.equals(METRICS_SCRAPE);
        };
    }

    /** The roles that may run {@code action}, most restricted first (for a refusal that names them). */
    public static List<AdminRole> allowing(String action) {
        return List.of(METRICS, AUDITOR, READ_ONLY, ADMIN).stream().filter(r -> r.allows(action)).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
