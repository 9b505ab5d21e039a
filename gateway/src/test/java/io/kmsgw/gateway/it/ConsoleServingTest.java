package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin plane serves the operator console's files (the browser tests in console/e2e drive the console itself):
 * without a token, from memory, with headers that keep other origins from framing it or running other scripts in it;
 * nothing outside the console's files is reachable; {@code DescribeInstance} feeds its Instance page.
 */
class ConsoleServingTest {
    @TempDir
    static Path dir;
    static GatewayServer server;
    static Path ca;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.start(dir);
        ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttps.Response get(String path, String extraHeaders) throws Exception {
        String head = "GET " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\n" + extraHeaders + "connection: close\r\n\r\n";
        return RawHttps.send(ca, server.adminPort(), head, new byte[0]);
    }

    @Test
    void theConsoleIsServedWithoutATokenAndWithStrictHeaders() throws Exception {
        RawHttps.Response index = get("/console/", "");
        assertEquals(200, index.status());
        assertEquals("text/html; charset=utf-8", index.headers().get("content-type"));
        String html = new String(index.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<script type=\"module\" src=\"app.js\"></script>"), html);
        String csp = index.headers().get("content-security-policy");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && csp.contains("connect-src 'self'"), csp);
        assertFalse(csp.contains("unsafe"), csp);
        assertEquals("nosniff", index.headers().get("x-content-type-options"));
        assertEquals("DENY", index.headers().get("x-frame-options"));
        assertEquals("no-referrer", index.headers().get("referrer-policy"));

        RawHttps.Response script = get("/console/pages/access.js", "");
        assertEquals(200, script.status());
        assertEquals("text/javascript; charset=utf-8", script.headers().get("content-type"));
        assertTrue(new String(script.body(), StandardCharsets.UTF_8).contains("CreateClientKey"));

        // revalidation: the same ETag answers 304 with no body; another one gets the file
        String etag = script.headers().get("etag");
        assertEquals(304, get("/console/pages/access.js", "if-none-match: " + etag + "\r\n").status());
        assertEquals(200, get("/console/pages/access.js", "if-none-match: \"other\"\r\n").status());

        assertEquals(302, get("/", "").status());
        assertEquals("/console/", get("/console", "").headers().get("location"));
        assertEquals(200, get("/console/?from=bookmark", "").status());
    }

    @Test
    void onlyTheConsoleFilesAreReachable() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "not for the browser");
        for (String path : new String[] {"/console/../admin.token", "/console/%2e%2e/admin.token", "/console/../../etc/passwd",
                "/console/secret.txt", "/console/io/kmsgw/gateway/Main.class", "/console/logback.xml", "/console//etc/passwd",
                "/console/nothing.js"}) {
            RawHttps.Response r = get(path, "");
            assertEquals(404, r.status(), path);
            assertEquals("NotFound", JSON.readTree(r.body()).get("Code").asText(), path);
        }
        // the admin API itself still wants the token
        RawHttps.Response post = RawHttps.send(ca, server.adminPort(), "POST /admin/v1/DescribeInstance HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                + "content-length: 2\r\nconnection: close\r\n\r\n", "{}".getBytes(StandardCharsets.US_ASCII));
        assertEquals(401, post.status());
    }

    @Test
    void describeInstanceFeedsTheInstancePage() throws Exception {
        JsonNode inst = TestGateway.instance(server);
        TestGateway.AdminReply r = TestGateway.admin(server, "DescribeInstance", "{}");
        assertEquals(200, r.status());
        assertEquals(inst.get("InstanceId").asText(), r.json().get("InstanceId").asText());
        assertEquals(inst.get("Endpoint").asText(), r.json().get("Endpoint").asText());
        assertEquals(inst.get("AdminEndpoint").asText(), r.json().get("AdminEndpoint").asText());
        assertEquals(Files.readString(ca), r.json().get("CaCertificate").asText());
        assertEquals(ca.getFileName().toString(), r.json().get("CaFileName").asText());
        assertTrue(r.json().get("Ready").asBoolean());
        long before = r.json().get("RequestsTotal").asLong();
        TestGateway.sdkClient(server).generateRandom(new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(8));
        assertEquals(before + 1, TestGateway.admin(server, "DescribeInstance", "{}").json().get("RequestsTotal").asLong());
        assertFalse(r.json().toString().contains("PRIVATE KEY"), "the CA bundle, never a key");
    }
}
