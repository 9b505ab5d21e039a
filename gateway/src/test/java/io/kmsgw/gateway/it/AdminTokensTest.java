package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.adminAs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.crypto.MovableClock;
import io.kmsgw.gateway.admin.AdminCatalog;
import io.kmsgw.gateway.admin.AdminRole;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin tokens with roles on a real gateway: every action for every role, create/list/revoke/expiry, the bootstrap token. */
class AdminTokensTest {
    @TempDir
    Path dir;

    private static String token(JsonNode inst) throws Exception {
        return Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
    }

    private static JsonNode create(JsonNode inst, String asToken, String role, String extra) throws Exception {
        TestGateway.AdminReply r = adminAs(inst, asToken, "CreateAdminToken", "{\"Role\":\"" + role + "\",\"Description\":\"test " + role
                + "\"" + extra + "}");
        assertEquals(200, r.status(), r.json().toString());
        return r.json();
    }

    private static int scrape(JsonNode inst, String token) throws Exception {
        int port = Integer.parseInt(inst.get("AdminEndpoint").asText().replaceAll(".*:", ""));
        return RawHttps.send(Path.of(inst.get("CaFile").asText()), port, "GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                + token + "\r\nconnection: close\r\n\r\n", null).status();
    }

    /**
     * Every admin action the gateway serves, called by a token of every role: an allowed call is never 403 (it may be
     * 400 for its missing parameters), a refused one is 403 naming the role it needs and changes nothing. {@code /metrics}
     * likewise.
     */
    @Test
    void everyRoleOnEveryAction() throws Exception {
        try (GatewayServer server = TestGateway.start(dir.resolve("g"))) {
            JsonNode inst = TestGateway.instance(server);
            Map<AdminRole, String> tokens = new LinkedHashMap<>();
            for (AdminRole role : AdminRole.values()) {
                tokens.put(role, create(inst, token(inst), role.wireName(), "").get("Token").asText());
            }
            int keysBefore = TestGateway.admin(server, "ListKeys", "{}").json().get("TotalCount").asInt();
            List<String> wrong = new ArrayList<>();
            int calls = 0;
            for (AdminCatalog.Action a : AdminCatalog.actions()) {
                for (AdminRole role : AdminRole.values()) {
                    if (role == AdminRole.ADMIN && a.name().equals("CreateKey")) {
                        continue; // counted below: the refused CreateKeys must not have made keys
                    }
                    TestGateway.AdminReply r = adminAs(inst, tokens.get(role), a.name(), "{}");
                    calls++;
                    boolean allowed = role.allows(a.name());
                    if (allowed && r.status() == 403 || !allowed && r.status() != 403) {
                        wrong.add(role + " " + a.name() + " -> " + r.status() + " " + r.json());
                    }
                    if (!allowed) {
                        assertEquals("Forbidden", r.json().get("Code").asText());
                        String needed = AdminRole.allowing(a.name()).get(0).wireName();
                        assertTrue(r.json().get("Message").asText().contains("has role " + role.wireName())
                                && r.json().get("Message").asText().contains(needed), r.json().toString());
                    }
                }
            }
            assertEquals(List.of(), wrong);
            assertTrue(calls > 150, "every action for every role: " + calls);
            assertEquals(keysBefore, TestGateway.admin(server, "ListKeys", "{}").json().get("TotalCount").asInt(),
                    "the refused CreateKeys made no key");
            // the expectations themselves, spelled out for the roles' defining cases
            assertEquals(403, adminAs(inst, tokens.get(AdminRole.READ_ONLY), "GetSecretValue", "{\"SecretName\":\"x\"}").status());
            assertEquals(403, adminAs(inst, tokens.get(AdminRole.READ_ONLY), "GetClientKey", "{\"ClientKeyId\":\"x\"}").status());
            assertEquals(403, adminAs(inst, tokens.get(AdminRole.READ_ONLY), "CreateClientKey", "{}").status());
            assertEquals(200, adminAs(inst, tokens.get(AdminRole.READ_ONLY), "ListClientKeys", "{}").status());
            assertEquals(200, adminAs(inst, tokens.get(AdminRole.AUDITOR), "QueryAuditLog", "{}").status());
            assertEquals(403, adminAs(inst, tokens.get(AdminRole.AUDITOR), "ListKeys", "{}").status());
            assertEquals(403, adminAs(inst, tokens.get(AdminRole.METRICS), "DescribeInstance", "{}").status());
            Map<AdminRole, Integer> scrapes = new LinkedHashMap<>();
            for (AdminRole role : AdminRole.values()) {
                scrapes.put(role, scrape(inst, tokens.get(role)));
            }
            assertEquals(Map.of(AdminRole.ADMIN, 200, AdminRole.READ_ONLY, 200, AdminRole.AUDITOR, 403, AdminRole.METRICS, 200), scrapes);
            JsonNode caller = adminAs(inst, tokens.get(AdminRole.AUDITOR), "DescribeInstance", "{}").json().get("Caller");
            assertEquals("Auditor", caller.get("Role").asText());
        }
    }

    @Test
    void createListRevokeExpireAndTheBootstrapToken() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        Path data = dir.resolve("g");
        String metricsToken;
        String secondAdmin;
        String secondAdminId;
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(data, "openssl"), clock)) {
            JsonNode inst = TestGateway.instance(server);
            String boot = token(inst);

            // the bootstrap token alone cannot be revoked: it is the last Admin
            TestGateway.AdminReply last = adminAs(inst, boot, "RevokeAdminToken", "{\"TokenId\":\"admin.token\"}");
            assertEquals(409, last.status(), last.json().toString());
            assertEquals("Conflict.LastAdminToken", last.json().get("Code").asText());

            JsonNode m = create(inst, boot, "Metrics", ",\"ExpiresInDays\":\"1\"");
            metricsToken = m.get("Token").asText();
            assertTrue(metricsToken.startsWith("kmsgw_") && metricsToken.length() >= 40, "a 256-bit token");
            assertTrue(m.has("ExpireTime"));
            assertEquals(200, scrape(inst, metricsToken));

            JsonNode a2 = create(inst, boot, "Admin", "");
            secondAdmin = a2.get("Token").asText();
            secondAdminId = a2.get("TokenId").asText();

            // the list shows ids, roles, states and last use, never a token
            TestGateway.AdminReply list = adminAs(inst, secondAdmin, "ListAdminTokens", "{}");
            String text = list.json().toString();
            assertFalse(text.contains(metricsToken) || text.contains(secondAdmin) || text.contains(boot), "no token value in the list");
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            list.json().get("AdminTokens").forEach(t -> byId.put(t.get("TokenId").asText(), t));
            assertEquals(Stream.of("admin.token", m.get("TokenId").asText(), secondAdminId).sorted().toList(),
                    byId.keySet().stream().sorted().toList());
            assertEquals("Metrics", byId.get(m.get("TokenId").asText()).get("Role").asText());
            assertTrue(byId.get(m.get("TokenId").asText()).has("LastUsedTime"), "the scrape was a use");
            assertTrue(byId.get("admin.token").has("LastUsedTime"));
            assertEquals("Active", byId.get("admin.token").get("State").asText());

            // now the bootstrap token can go; from the next request on it is refused, saying why
            assertEquals(200, adminAs(inst, secondAdmin, "RevokeAdminToken", "{\"TokenId\":\"admin.token\"}").status());
            TestGateway.AdminReply revoked = adminAs(inst, boot, "ListKeys", "{}");
            assertEquals(401, revoked.status());
            assertEquals("AdminTokenRevoked", revoked.json().get("Code").asText());
            // and the last Admin stays
            assertEquals(409, adminAs(inst, secondAdmin, "RevokeAdminToken", "{\"TokenId\":\"" + secondAdminId + "\"}").status());
            assertEquals(404, adminAs(inst, secondAdmin, "RevokeAdminToken", "{\"TokenId\":\"at-nope\"}").status());

            // expiry: a day later the Metrics token is refused
            clock.advance(Duration.ofDays(1).plusMinutes(1));
            TestGateway.AdminReply expired = adminAs(inst, metricsToken, "DescribeInstance", "{}");
            assertEquals(401, expired.status());
            assertEquals("AdminTokenExpired", expired.json().get("Code").asText());
            assertEquals(401, scrape(inst, metricsToken));

            // the admin audit names the token that made each call
            JsonNode entries = adminAs(inst, secondAdmin, "QueryAuditLog", "{\"Plane\":\"admin\",\"ApiName\":\"RevokeAdminToken\"}")
                    .json().get("Entries");
            assertTrue(entries.size() >= 3);
            entries.forEach(e -> assertTrue(e.get("AdminTokenId").asText().equals(secondAdminId)
                    || e.get("AdminTokenId").asText().equals("admin.token"), e.toString()));
            assertTrue(stream(entries).anyMatch(e -> e.get("AdminTokenId").asText().equals(secondAdminId)
                    && e.get("Resource").asText().equals("admin.token") && e.get("ResultCode").asText().equals("OK")));
        }
        // stored as hashes: no token value anywhere in the data dir's store files
        for (Path f : Files.list(data).filter(p -> p.getFileName().toString().startsWith("kmsgw.db")).toList()) {
            String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains(metricsToken) || bytes.contains(secondAdmin), f + " holds a token value");
        }
        // a revoked bootstrap token stays revoked across a restart, and the other Admin still works
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(data, "openssl"), clock)) {
            JsonNode inst = TestGateway.instance(server);
            assertEquals("AdminTokenRevoked", adminAs(inst, token(inst), "ListKeys", "{}").json().get("Code").asText());
            assertEquals(200, adminAs(inst, secondAdmin, "ListKeys", "{}").status());
            assertNotEquals(200, adminAs(inst, "kmsgw_" + "A".repeat(43), "ListKeys", "{}").status());
        }
    }

    private static Stream<JsonNode> stream(JsonNode arr) {
        List<JsonNode> l = new ArrayList<>();
        arr.forEach(l::add);
        return l.stream();
    }
}
