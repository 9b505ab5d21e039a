package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.admin.AdminCatalog;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.server.GatewayServer;
import io.kmsgw.gateway.tls.InstancePki;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as an operator on another machine runs it: a separate process, started in a directory without the data dir,
 * against a gateway bound to 0.0.0.0, told where to go by flags or by environment variables. Every failure is one line.
 */
class RemoteCliTest {
    @TempDir
    static Path dir;
    static GatewayServer server;
    static Path operator;
    static String endpoint;
    static Path ca;
    static Path adminToken;
    static Path readOnlyToken;

    @BeforeAll
    static void start() throws Exception {
        server = GatewayServer.start(TestGateway.settings(dir.resolve("data"), "openssl", Map.of("bind", "0.0.0.0")), Clock.systemUTC());
        JsonNode inst = TestGateway.instance(server);
        endpoint = "127.0.0.1:" + server.adminPort();
        operator = Files.createDirectories(dir.resolve("operator")); // what an operator holds elsewhere: the CA and a token
        ca = Files.copy(Path.of(inst.get("CaFile").asText()), operator.resolve("ca.pem"));
        adminToken = operator.resolve("admin.token");
        TestGateway.AdminReply a = TestGateway.admin(server, "CreateAdminToken", "{\"Role\":\"Admin\",\"Description\":\"remote operator\"}");
        Files.writeString(adminToken, a.json().get("Token").asText());
        readOnlyToken = operator.resolve("readonly.token");
        TestGateway.AdminReply r = TestGateway.admin(server, "CreateAdminToken", "{\"Role\":\"ReadOnly\"}");
        Files.writeString(readOnlyToken, r.json().get("Token").asText());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    /** {@code kmsgw <args>} as its own process in an empty working directory, with {@code env} added. */
    private static Run kmsgw(Map<String, String> env, String... args) throws Exception {
        Path cwd = Files.createTempDirectory(dir, "cwd");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(cwd.resolve("out").toFile()).redirectError(cwd.resolve("err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KMSGW_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI finished");
        return new Run(p.exitValue(), Files.readString(cwd.resolve("out")), Files.readString(cwd.resolve("err")));
    }

    private static String[] remote(Path token, String... rest) {
        List<String> a = new ArrayList<>(List.of("admin", "--endpoint", endpoint, "--ca-file", ca.toString(), "--token-file", token.toString()));
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    private static void assertOneLine(Run r, String... contains) {
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
        for (String c : contains) {
            assertTrue(r.err().contains(c), "\"" + c + "\" in: " + r.err());
        }
    }

    @Test
    void flagsAndEnvironmentReachAGatewayFromElsewhere() throws Exception {
        Run byFlags = kmsgw(Map.of(), remote(adminToken, "list-keys"));
        assertEquals(0, byFlags.code(), byFlags.err());
        assertEquals(1, byFlags.json().get("TotalCount").asInt());

        Map<String, String> env = Map.of("KMSGW_ADMIN_ENDPOINT", endpoint, "KMSGW_ADMIN_CA_FILE", ca.toString(),
                "KMSGW_ADMIN_TOKEN_FILE", adminToken.toString());
        Run byEnv = kmsgw(env, "admin", "describe-instance");
        assertEquals(0, byEnv.code(), byEnv.err());
        assertEquals("Admin", byEnv.json().get("Caller").get("Role").asText());

        // a new token written to a file (0600), never printed
        Path out = operator.resolve("metrics.token");
        Run created = kmsgw(env, "admin", "create-admin-token", "--role", "Metrics", "--expires-in-days", "30", "--out", out.toString());
        assertEquals(0, created.code(), created.err());
        String metrics = Files.readString(out).trim();
        assertTrue(metrics.startsWith("kmsgw_"));
        assertFalse(created.out().contains(metrics) || created.err().contains(metrics), "the token is not printed");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals("Metrics", created.json().get("Role").asText());

        // without flags, env or a data dir: one line saying what to pass
        Run nowhere = kmsgw(Map.of(), "admin", "list-keys");
        assertEquals(2, nowhere.code());
        assertTrue(nowhere.err().contains("--endpoint") && nowhere.err().contains("KMSGW_ADMIN_ENDPOINT"), nowhere.err());
    }

    /** An AccessKey for the KMS OpenAPI from the CLI: its secret goes to a 0600 file, never to the terminal; listed; deleted. */
    @Test
    void accessKeysFromTheCli() throws Exception {
        Path out = operator.resolve("openapi.env");
        Run created = kmsgw(Map.of(), remote(adminToken, "create-access-key", "--aap-name", "quickstart", "--out", out.toString()));
        assertEquals(0, created.code(), created.err());
        String id = created.json().get("AccessKeyId").asText();
        List<String> lines = Files.readAllLines(out);
        assertEquals("ALIBABA_CLOUD_ACCESS_KEY_ID=" + id, lines.get(0));
        String secret = lines.get(1).substring("ALIBABA_CLOUD_ACCESS_KEY_SECRET=".length());
        assertEquals(30, secret.length());
        assertFalse(created.out().contains(secret) || created.err().contains(secret), "the secret is not printed");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        Run listed = kmsgw(Map.of(), remote(adminToken, "list-access-keys"));
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains(id) && !listed.out().contains(secret), listed.out());
        assertEquals(0, kmsgw(Map.of(), remote(adminToken, "delete-access-key", "--access-key-id", id)).code());
        assertOneLine(kmsgw(Map.of(), remote(adminToken, "delete-access-key", "--access-key-id", id)), "NotFound");
    }

    @Test
    void everyFailureIsOneClearLine() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run unreachable = kmsgw(Map.of(), "admin", "--endpoint", "127.0.0.1:" + closed, "--ca-file", ca.toString(), "--token-file",
                adminToken.toString(), "list-keys");
        assertOneLine(unreachable, "cannot connect to 127.0.0.1:" + closed);

        Path otherCa = InstancePki.loadOrCreate(Files.createDirectories(dir.resolve("other")), "kst-other", List.of()).caFile();
        Run wrongCa = kmsgw(Map.of(), "admin", "--endpoint", endpoint, "--ca-file", otherCa.toString(), "--token-file",
                adminToken.toString(), "list-keys");
        assertOneLine(wrongCa, "TLS handshake", "not signed by the CA in " + otherCa);

        Run forbidden = kmsgw(Map.of(), remote(readOnlyToken, "get-secret-value", "--secret-name", "x"));
        assertOneLine(forbidden, "Forbidden", "has role ReadOnly", "needs role Admin", "HTTP 403");

        Path revoked = operator.resolve("revoked.token");
        TestGateway.AdminReply r = TestGateway.admin(server, "CreateAdminToken", "{\"Role\":\"Auditor\"}");
        Files.writeString(revoked, r.json().get("Token").asText());
        assertEquals(200, TestGateway.admin(server, "RevokeAdminToken", "{\"TokenId\":\"" + r.json().get("TokenId").asText() + "\"}")
                .status());
        assertOneLine(kmsgw(Map.of(), remote(revoked, "query-audit-log")), "AdminTokenRevoked", "was revoked", "HTTP 401");

        Path wrong = operator.resolve("wrong.token");
        Files.writeString(wrong, "kmsgw_not-a-token");
        assertOneLine(kmsgw(Map.of(), remote(wrong, "list-keys")), "Unauthorized", "HTTP 401");

        Run missingToken = kmsgw(Map.of(), remote(operator.resolve("absent.token"), "list-keys"));
        assertEquals(2, missingToken.code());
        assertTrue(missingToken.err().contains("does not exist"), missingToken.err());
    }

    @Test
    void helpListsEveryActionAndEachActionsParameters() throws Exception {
        Run help = kmsgw(Map.of(), "admin", "--help");
        assertEquals(0, help.code(), help.err());
        for (AdminCatalog.Action a : AdminCatalog.actions()) {
            assertTrue(help.out().contains("  " + AdminCommand.kebab(a.name()) + " "), a.name() + " in:\n" + help.out());
        }
        Run one = kmsgw(Map.of(), "admin", "create-admin-token", "--help");
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("--role <string>") && one.out().contains("required: Admin, ReadOnly, Auditor or Metrics"), one.out());
        assertTrue(one.out().contains("--expires-in-days <int>") && one.out().contains("default never"), one.out());
        Run unknownParam = kmsgw(Map.of(), remote(adminToken, "list-keys", "--colour", "blue"));
        assertEquals(2, unknownParam.code());
        assertTrue(unknownParam.err().contains("no parameter --colour"), unknownParam.err());
    }

    @Test
    void bashCompletionCompletesActionsAndParameters() throws Exception {
        Run script = kmsgw(Map.of(), "completion", "bash");
        assertEquals(0, script.code(), script.err());
        Path f = dir.resolve("kmsgw.bash");
        Files.writeString(f, script.out());
        String creates = complete(f, "kmsgw admin cre", 2);
        assertEquals(AdminCatalog.actions().stream().map(a -> AdminCommand.kebab(a.name())).filter(n -> n.startsWith("cre")).toList(),
                List.of(creates.split(" ")));
        assertTrue(creates.contains("create-admin-token"), creates);
        String params = complete(f, "kmsgw admin --endpoint h:1 create-admin-token --", 5);
        assertTrue(params.contains("--role") && params.contains("--expires-in-days") && params.contains("--description"), params);
        assertTrue(complete(f, "kmsgw ver", 1).equals("verify"));
    }

    /** What the completion function offers for {@code line} with the cursor on word {@code word}. */
    private static String complete(Path script, String line, int word) throws Exception {
        String words = String.join(" ", line.split(" "));
        Process p = new ProcessBuilder("bash", "-c", "source " + script + "; COMP_WORDS=(" + words + (line.endsWith(" ") ? " ''" : "")
                + "); COMP_CWORD=" + word + "; _kmsgw; echo \"${COMPREPLY[*]}\"").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }
}
