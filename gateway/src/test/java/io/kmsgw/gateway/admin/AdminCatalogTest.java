package io.kmsgw.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AdminCatalogTest {
    @Test
    void theCatalogListsExactlyTheActionsTheGatewayServes() {
        AdminActions served = new AdminActions(null, null, null, null, null, null, null, null, null);
        assertEquals(new TreeSet<>(served.names()), new TreeSet<>(AdminCatalog.actions().stream().map(AdminCatalog.Action::name).toList()));
        for (AdminCatalog.Action a : AdminCatalog.actions()) {
            assertFalse(a.summary().isBlank(), a.name());
            for (AdminCatalog.Param p : a.params()) {
                assertTrue(List.of("string", "int", "bool", "list", "json", "time").contains(p.type()), a.name() + " " + p);
                assertTrue(Character.isUpperCase(p.name().charAt(0)), a.name() + " " + p);
            }
        }
    }

    @Test
    void rolesAreWhatTheIssueSays() {
        for (AdminCatalog.Action a : AdminCatalog.actions()) {
            String n = a.name();
            assertTrue(AdminRole.ADMIN.allows(n));
            assertEquals(n.startsWith("Describe") || n.startsWith("List") || n.equals("QueryAuditLog"), AdminRole.READ_ONLY.allows(n), n);
            assertEquals(n.equals("QueryAuditLog") || n.equals("DescribeInstance"), AdminRole.AUDITOR.allows(n), n);
            assertFalse(AdminRole.METRICS.allows(n), n);
        }
        assertTrue(AdminRole.METRICS.allows(AdminRole.METRICS_SCRAPE));
        assertFalse(AdminRole.AUDITOR.allows(AdminRole.METRICS_SCRAPE));
        assertFalse(AdminRole.READ_ONLY.allows("GetSecretValue"));
        assertFalse(AdminRole.READ_ONLY.allows("GetClientKey"));
        assertEquals(List.of(AdminRole.AUDITOR, AdminRole.READ_ONLY, AdminRole.ADMIN), AdminRole.allowing("QueryAuditLog"));
    }
}
