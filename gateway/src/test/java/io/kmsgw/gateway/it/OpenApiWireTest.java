package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.auth.AcsSignatures;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The KMS OpenAPI front door at the wire, with RPC V1 requests signed by the official signer ({@code
 * com.aliyun.openapiutil.Client.getRPCSignature}) and then bent the ways no official client bends them: replayed,
 * skewed, half-signed, duplicated, over-long, of another version. Each is a clear OpenAPI error, never a 500 or a hang.
 */
class OpenApiWireTest {
    @RegisterExtension
    static final GatewayExtension gw = new GatewayExtension();
    private static final ObjectMapper JSON = new ObjectMapper();
    static GatewayServer server;
    static Path ca;
    static String accessKeyId;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        server = gw.server();
        ca = Path.of(TestGateway.instance(server).get("CaFile").asText());
        assertEquals(200, admin(server, "QuickCreateApplicationAccessPoint", "{\"AapName\":\"wire\",\"Password\":\"pw-wire-123\"}").status());
        JsonNode ak = admin(server, "CreateAccessKey", "{\"AapName\":\"wire\"}").json();
        accessKeyId = ak.get("AccessKeyId").asText();
        secret = ak.get("AccessKeySecret").asText();
    }

    /** The parameters of a V1 Encrypt signed now, with a fresh nonce. */
    static Map<String, String> encryptParams() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("Action", "Encrypt");
        p.put("Version", "2016-01-20");
        p.put("Format", "JSON");
        p.put("AccessKeyId", accessKeyId);
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureVersion", "1.0");
        p.put("SignatureNonce", UUID.randomUUID().toString());
        p.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("KeyId", "alias/quickstart");
        p.put("Plaintext", "wire test");
        return p;
    }

    static Map<String, String> signed(Map<String, String> params, String method) throws Exception {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put("Signature", com.aliyun.openapiutil.Client.getRPCSignature(new java.util.HashMap<>(params), method, secret));
        return p;
    }

    static String query(Map<String, String> p) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : p.entrySet()) {
            b.append(b.length() == 0 ? "?" : "&").append(AcsSignatures.percentEncode(e.getKey())).append('=')
                    .append(AcsSignatures.percentEncode(e.getValue()));
        }
        return b.toString();
    }

    static RawHttps.Response get(String pathAndQuery) throws Exception {
        return RawHttps.send(ca, server.port(), "GET " + pathAndQuery + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n", null);
    }

    static JsonNode json(RawHttps.Response r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** An OpenAPI error: the status, the code, a RequestId, and a JSON body that is no stack trace. */
    static JsonNode assertError(RawHttps.Response r, int status, String code) throws Exception {
        JsonNode j = json(r);
        assertEquals(status, r.status(), j.toString());
        assertEquals(code, j.get("Code").asText(), j.toString());
        assertFalse(j.get("RequestId").asText().isEmpty());
        assertFalse(j.get("Message").asText().contains("Exception"), j.toString());
        return j;
    }

    @Test
    void aSignedGetIsServedOnceAndItsReplayRefused() throws Exception {
        String url = "/" + query(signed(encryptParams(), "GET"));
        RawHttps.Response first = get(url);
        assertEquals(200, first.status(), new String(first.body(), StandardCharsets.UTF_8));
        assertTrue(first.headers().get("content-type").startsWith("application/json"));
        assertFalse(json(first).get("CiphertextBlob").asText().isEmpty());
        assertError(get(url), 400, "SignatureNonceUsed");
    }

    @Test
    void aSignedFormPostIsServed() throws Exception {
        Map<String, String> p = encryptParams();
        Map<String, String> s = signed(p, "POST");
        // system parameters in the query, the action's in a form body, as aliyun-java-sdk-core sends them
        Map<String, String> inQuery = new LinkedHashMap<>(s);
        inQuery.remove("KeyId");
        inQuery.remove("Plaintext");
        byte[] body = ("KeyId=" + AcsSignatures.percentEncode("alias/quickstart") + "&Plaintext=wire+test").getBytes(StandardCharsets.UTF_8);
        RawHttps.Response r = RawHttps.send(ca, server.port(), "POST /" + query(inQuery) + " HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                + "content-type: application/x-www-form-urlencoded\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n", body);
        assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void skewedTimeIsIllegal() throws Exception {
        Map<String, String> p = encryptParams();
        p.put("Timestamp", Instant.now().minus(20, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString());
        assertError(get("/" + query(signed(p, "GET"))), 400, "IllegalTimestamp");
        p.put("Timestamp", "yesterday");
        assertError(get("/" + query(signed(p, "GET"))), 400, "IllegalTimestamp");
    }

    @Test
    void halfSignedAndUnsignedRequestsAreIncomplete() throws Exception {
        assertError(get("/" + query(encryptParams())), 400, "IncompleteSignature");
        for (String part : new String[] {"SignatureNonce", "Timestamp", "AccessKeyId", "SignatureMethod"}) {
            Map<String, String> p = encryptParams();
            p.remove(part);
            JsonNode j = assertError(get("/" + query(signed(p, "GET"))), 400, part.equals("Timestamp") ? "IncompleteSignature"
                    : "IncompleteSignature");
            assertTrue(j.get("Message").asText().contains(part), j.toString());
        }
        assertError(get("/?Action=Encrypt"), 400, "IncompleteSignature");
    }

    @Test
    void aTamperedParameterDoesNotMatch() throws Exception {
        Map<String, String> s = signed(encryptParams(), "GET");
        s.put("Plaintext", "something else");
        assertError(get("/" + query(s)), 400, "SignatureDoesNotMatch");
        // signed for POST, sent as GET
        assertError(get("/" + query(signed(encryptParams(), "POST"))), 400, "SignatureDoesNotMatch");
    }

    @Test
    void duplicatedTooManyAndBrokenParametersAreRefused() throws Exception {
        String url = "/" + query(signed(encryptParams(), "GET"));
        assertError(get(url + "&KeyId=other"), 400, "InvalidParameter");
        StringBuilder many = new StringBuilder(url);
        for (int i = 0; i < 70; i++) {
            many.append("&p").append(i).append("=x");
        }
        assertError(get(many.toString()), 400, "InvalidParameter");
        assertError(get(url + "&bad=%zz"), 400, "InvalidParameter");
        assertError(get(url + "&bad=%C3%28"), 400, "InvalidParameter");
    }

    @Test
    void aWrongVersionAndAnUnknownActionAreNamed() throws Exception {
        Map<String, String> p = encryptParams();
        p.put("Version", "2014-05-26");
        assertError(get("/" + query(signed(p, "GET"))), 400, "InvalidVersion");
        Map<String, String> q = encryptParams();
        q.put("Action", "MakeCoffee");
        assertError(get("/" + query(signed(q, "GET"))), 404, "InvalidAction.NotFound");
        Map<String, String> r = encryptParams();
        r.put("Action", "CreateKey");
        assertError(get("/" + query(signed(r, "GET"))), 400, "UnsupportedOperation");
    }

    @Test
    void missingActionParametersAreInvalidNotInternal() throws Exception {
        Map<String, String> p = encryptParams();
        p.remove("Plaintext");
        assertError(get("/" + query(signed(p, "GET"))), 400, "InvalidParameter");
        Map<String, String> d = encryptParams();
        d.put("Action", "Decrypt");
        d.remove("KeyId");
        d.remove("Plaintext");
        d.put("CiphertextBlob", "bm90IGEgYmxvYg==");
        assertError(get("/" + query(signed(d, "GET"))), 400, "InvalidParameter");
        d.put("CiphertextBlob", "%%%");
        d.put("SignatureNonce", UUID.randomUUID().toString());
        assertError(get("/" + query(signed(d, "GET"))), 400, "InvalidParameter");
    }

    @Test
    void aDryRunIsAuthorizedAndDoesNothing() throws Exception {
        Map<String, String> p = encryptParams();
        p.put("DryRun", "true");
        JsonNode j = assertError(get("/" + query(signed(p, "GET"))), 400, "DryRunOperation");
        assertFalse(j.has("CiphertextBlob"), j.toString());
        // still authenticated first: a dry run with a tampered parameter is no dry run
        Map<String, String> s = signed(encryptParams(), "GET");
        s.put("DryRun", "true");
        assertError(get("/" + query(s)), 400, "SignatureDoesNotMatch");
    }

    @Test
    void xmlIsAnsweredWhenAskedFor() throws Exception {
        Map<String, String> p = encryptParams();
        p.put("Format", "XML");
        RawHttps.Response ok = get("/" + query(signed(p, "GET")));
        assertEquals(200, ok.status());
        String xml = new String(ok.body(), StandardCharsets.UTF_8);
        assertTrue(ok.headers().get("content-type").startsWith("text/xml"), ok.headers().toString());
        assertTrue(xml.contains("<EncryptResponse>") && xml.contains("<CiphertextBlob>") && xml.contains("<RequestId>"), xml);
        Map<String, String> bad = encryptParams();
        bad.put("Format", "XML");
        bad.put("Version", "1999-01-01");
        RawHttps.Response err = get("/" + query(signed(bad, "GET")));
        assertEquals(400, err.status());
        String errXml = new String(err.body(), StandardCharsets.UTF_8);
        assertTrue(errXml.contains("<Error>") && errXml.contains("<Code>InvalidVersion</Code>"), errXml);
    }

    @Test
    void theInstanceProtocolIsUnchangedBesideIt() throws Exception {
        // a GET / with no query is not the OpenAPI, and the instance protocol's answer to it is as before
        RawHttps.Response r = RawHttps.send(ca, server.port(), "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null);
        assertEquals(405, r.status());
        assertEquals("InvalidMethod", io.kmsgw.gateway.protocol.pb.KmsApi.Error.parseFrom(r.body()).getErrorCode());
    }
}
