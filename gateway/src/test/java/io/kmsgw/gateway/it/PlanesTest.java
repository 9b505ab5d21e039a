package io.kmsgw.gateway.it;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both planes over real TLS with hand-written HTTP: admin auth and actions, body caps and framing. */
class PlanesTest {
    @TempDir
    static Path dir;
    static GatewayServer server;
    static Path ca;
    static String token;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.start(dir);
        JsonNode inst = TestGateway.instance(server);
        ca = Path.of(inst.get("CaFile").asText());
        token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttps.Response admin(String action, String auth, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /admin/v1/" + action + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + (auth == null ? "" : "authorization: " + auth + "\r\n") + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        return RawHttps.send(ca, server.adminPort(), head, body);
    }

    private static JsonNode json(RawHttps.Response r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void adminPlaneNeedsTheTokenAndNamesErrors() throws Exception {
        RawHttps.Response none = admin("ListKeys", null, "{}");
        assertEquals(401, none.status());
        assertEquals("Unauthorized", json(none).get("Code").asText());
        assertEquals(401, admin("ListKeys", "Bearer wrong", "{}").status());
        RawHttps.Response unknown = admin("MakeCoffee", "Bearer " + token, "{}");
        assertEquals(404, unknown.status());
        assertEquals("InvalidAction", json(unknown).get("Code").asText());
        RawHttps.Response badSpec = admin("CreateKey", "Bearer " + token, "{\"KeySpec\":\"AES_999\"}");
        assertEquals(400, badSpec.status());
        assertEquals("InvalidParameter", json(badSpec).get("Code").asText());
        assertTrue(json(badSpec).get("Message").asText().contains("Aliyun_AES_256"));
        RawHttps.Response notJson = admin("CreateKey", "Bearer " + token, "[1,2]");
        assertEquals(400, notJson.status());
        RawHttps.Response missing = admin("DescribeKey", "Bearer " + token, "{\"KeyId\":\"key-nope\"}");
        assertEquals(404, missing.status());
        assertTrue(json(missing).get("Code").asText().endsWith(".NotFound"));
        RawHttps.Response dup = admin("CreateAlias", "Bearer " + token,
                "{\"AliasName\":\"alias/quickstart\",\"KeyId\":\"" + TestGateway.instance(server).get("QuickStart").get("KeyId").asText() + "\"}");
        assertEquals(409, dup.status());
        RawHttps.Response live = RawHttps.send(ca, server.adminPort(), "GET /livez HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
        assertEquals(200, live.status());
        RawHttps.Response ready = RawHttps.send(ca, server.adminPort(), "GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
        assertEquals(200, ready.status());
        assertTrue(json(ready).has("RequestId"));
    }

    @Test
    void aKeyCreatedOnTheAdminPlaneServesTheSdk() throws Exception {
        RawHttps.Response created = admin("CreateKey", "Bearer " + token, "{\"KeySpec\":\"Aliyun_AES_128\",\"Description\":\"orders\"}");
        assertEquals(200, created.status(), new String(created.body(), StandardCharsets.UTF_8));
        JsonNode meta = json(created).get("KeyMetadata");
        String keyId = meta.get("KeyId").asText();
        assertEquals("Aliyun_AES_128", meta.get("KeySpec").asText());
        assertEquals("Enabled", meta.get("KeyState").asText());
        assertEquals("ENCRYPT/DECRYPT", meta.get("KeyUsage").asText());
        assertEquals(200, admin("CreateAlias", "Bearer " + token, "{\"AliasName\":\"alias/orders\",\"KeyId\":\"" + keyId + "\"}").status());
        var client = TestGateway.sdkClient(server);
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId("alias/orders").setPlaintext(new byte[] {4, 2}));
        assertEquals(keyId, enc.getKeyId());
        assertArrayEquals(new byte[] {4, 2}, client.decrypt(new DecryptRequest().setKeyId(keyId)
                .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv())).getPlaintext());
        RawHttps.Response listed = admin("ListKeys", "Bearer " + token, "");
        assertEquals(2, json(listed).get("TotalCount").asInt());
    }

    @Test
    void oversizedBodyIs413WithAProtobufError() throws Exception {
        int size = 3 * 1024 * 1024 + 1;
        String head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-protobuf\r\ncontent-length: " + size + "\r\n\r\n";
        RawHttps.Response r = RawHttps.send(ca, server.port(), head, null);
        assertEquals(413, r.status());
        KmsApi.Error e = KmsApi.Error.parseFrom(r.body());
        assertEquals(413, e.getStatusCode());
        assertEquals(36, e.getRequestId().length());
        assertEquals("close", r.headers().get("connection"));
    }

    @Test
    void chunkedEmptyBodyIsAcceptedAndSigned() throws Exception {
        RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
        String head = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "GenerateRandom", new byte[0])
                + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
        RawHttps.Response r = RawHttps.send(ca, server.port(), head, "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        KmsApi.Error e = KmsApi.Error.parseFrom(r.body());
        assertEquals(400, r.status());
        assertEquals("InvalidParameter", e.getErrorCode(), "authenticated; an all-default GenerateRandom asks for 0 bytes");
        assertEquals("Length must be 1 to 64.", e.getErrorMessage());

        byte[] body = KmsApi.GenerateRandomRequest.newBuilder().setLength(16).build().toByteArray();
        String chunked = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "GenerateRandom", body)
                + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
        byte[] framed = (Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        RawHttps.Response ok = RawHttps.send(ca, server.port(), chunked, framed);
        assertEquals(200, ok.status());
        assertEquals(16, KmsApi.GenerateRandomResponse.parseFrom(ok.body()).getRandom().size());
        assertEquals("application/x-protobuf", ok.headers().get("content-type"));
    }

    @Test
    void pipelinedResponsesKeepRequestOrder() throws Exception {
        RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            byte[] body = KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart")
                    .setPlaintext(com.google.protobuf.ByteString.copyFromUtf8("p" + i)).build().toByteArray();
            all.write(("POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(info, "Encrypt", body) + "content-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            all.write(body);
            // answered at once, without the crypto pool: it must still wait for the Encrypt before it
            all.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        var responses = RawHttps.pipelined(ca, server.port(), all.toByteArray(), 6);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, responses.get(2 * i).status(), "response " + (2 * i));
            assertEquals(405, responses.get(2 * i + 1).status(), "response " + (2 * i + 1));
        }
    }

    @Test
    void wrongMethodPathAndBodyAreRefusedClearly() throws Exception {
        RawHttps.Response get = RawHttps.send(ca, server.port(), "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
        assertEquals(405, get.status());
        assertEquals("InvalidMethod", KmsApi.Error.parseFrom(get.body()).getErrorCode());
        RawHttps.Response path = RawHttps.send(ca, server.port(),
                "POST /v1?x=1 HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", null);
        assertEquals(404, path.status());
        RawHttps.GatewayServerInfo info = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
        byte[] junk = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        RawHttps.Response bad = RawHttps.send(ca, server.port(), "POST / HTTP/1.1\r\nhost: x\r\n"
                + RawHttps.signedHeaders(info, "Encrypt", junk) + "content-length: 3\r\nconnection: close\r\n\r\n", junk);
        assertEquals(400, bad.status());
        KmsApi.Error e = KmsApi.Error.parseFrom(bad.body());
        assertEquals("InvalidParameter", e.getErrorCode());
        assertEquals("The body is not a valid EncryptRequest message.", e.getErrorMessage());
    }
}
