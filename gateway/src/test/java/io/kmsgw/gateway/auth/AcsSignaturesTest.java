package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.tea.TeaRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI's AccessKey signatures against the official signer ({@code com.aliyun:openapiutil}, what the kms20160120
 * clients sign with): every request the SDK signs verifies, any change to what was signed does not.
 */
class AcsSignaturesTest {
    private static final String SECRET = "testSecret-0123456789abcdef";
    private static final String[] TEXT = {"Encrypt", "alias/app key", "中文 value", "a+b=c&d", "~tilde*star", "", "%41", "x y/z"};

    @Test
    void v3SignaturesOfTheOfficialSignerVerify() throws Exception {
        Random r = new Random(27);
        for (int i = 0; i < 200; i++) {
            Map<String, String> query = new HashMap<>();
            for (int q = 0; q < 1 + r.nextInt(5); q++) {
                query.put(TEXT[r.nextInt(TEXT.length)] + q, TEXT[r.nextInt(TEXT.length)]);
            }
            String payloadHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("host", "127.0.0.1:8443");
            headers.put("x-acs-action", "Encrypt");
            headers.put("x-acs-version", "2016-01-20");
            headers.put("x-acs-date", "2026-12-06T10:00:0" + (i % 10) + "Z");
            headers.put("x-acs-signature-nonce", "nonce-" + r.nextLong());
            headers.put("x-acs-content-sha256", payloadHash);
            if (r.nextBoolean()) {
                headers.put("x-acs-credentials-provider", "ak"); // newer SDKs sign more x-acs-* headers
            }
            headers.put("user-agent", "AlibabaCloud (test) unsigned");
            TeaRequest req = TeaRequest.create();
            req.method = r.nextBoolean() ? "POST" : "GET";
            req.pathname = "/";
            req.query = query;
            req.headers = headers;
            String authorization = com.aliyun.openapiutil.Client.getAuthorization(req, AcsSignatures.V3_ALGORITHM, payloadHash,
                    "LTAIkmsgwTestKey", SECRET);

            AcsSignatures.V3Authorization a = AcsSignatures.parseV3(authorization);
            assertEquals("LTAIkmsgwTestKey", a.accessKeyId());
            assertTrue(a.signedHeaders().contains("x-acs-signature-nonce") && !a.signedHeaders().contains("user-agent"), authorization);
            byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
            String sts = AcsSignatures.v3StringToSign(req.method, "/", query, a.signedHeaders(), headers, payloadHash);
            assertTrue(AcsSignatures.verifyV3(secret, sts, a.signatureHex()), "request " + i + ": " + query + " " + authorization);

            // what was signed cannot change: a query value, a signed header, the method, the secret
            Map<String, String> other = new HashMap<>(query);
            other.put(other.keySet().iterator().next(), "changed");
            assertFalse(AcsSignatures.verifyV3(secret, AcsSignatures.v3StringToSign(req.method, "/", other, a.signedHeaders(), headers,
                    payloadHash), a.signatureHex()));
            Map<String, String> otherHeaders = new HashMap<>(headers);
            otherHeaders.put("x-acs-action", "Decrypt");
            assertFalse(AcsSignatures.verifyV3(secret, AcsSignatures.v3StringToSign(req.method, "/", query, a.signedHeaders(),
                    otherHeaders, payloadHash), a.signatureHex()));
            assertFalse(AcsSignatures.verifyV3(secret, AcsSignatures.v3StringToSign(req.method.equals("GET") ? "POST" : "GET", "/", query,
                    a.signedHeaders(), headers, payloadHash), a.signatureHex()));
            assertFalse(AcsSignatures.verifyV3("wrong".getBytes(StandardCharsets.UTF_8), sts, a.signatureHex()));
        }
    }

    @Test
    void v1SignaturesOfTheOfficialSignerVerify() throws Exception {
        Random r = new Random(28);
        for (int i = 0; i < 200; i++) {
            Map<String, String> params = new HashMap<>(Map.of("Action", "Encrypt", "Version", "2016-01-20", "Format", "JSON",
                    "AccessKeyId", "LTAIkmsgwTestKey", "SignatureMethod", "HMAC-SHA1", "SignatureVersion", "1.0",
                    "SignatureNonce", "n" + r.nextLong(), "Timestamp", "2026-12-06T10:00:00Z"));
            for (int q = 0; q < r.nextInt(4); q++) {
                params.put(TEXT[r.nextInt(TEXT.length)] + q, TEXT[r.nextInt(TEXT.length)]);
            }
            String method = r.nextBoolean() ? "POST" : "GET";
            String signature = com.aliyun.openapiutil.Client.getRPCSignature(params, method, SECRET);
            params.put("Signature", signature);
            byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
            assertTrue(AcsSignatures.verifyV1(secret, AcsSignatures.v1StringToSign(method, params), signature), "request " + i + " " + params);

            Map<String, String> other = new HashMap<>(params);
            other.put("Action", "Decrypt");
            assertFalse(AcsSignatures.verifyV1(secret, AcsSignatures.v1StringToSign(method, other), signature));
            assertFalse(AcsSignatures.verifyV1("wrong".getBytes(StandardCharsets.UTF_8), AcsSignatures.v1StringToSign(method, params),
                    signature));
            assertFalse(AcsSignatures.verifyV1(secret, AcsSignatures.v1StringToSign(method, params), "not base64!"));
        }
    }

    @Test
    void malformedV3AuthorizationIsRefusedAndOtherSchemesAreNotV3() {
        String sig = "0".repeat(64);
        assertNull(AcsSignatures.parseV3("Bearer abc"), "the instance protocol's header is not V3");
        assertNull(AcsSignatures.parseV3(null));
        for (String bad : List.of(
                "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host",
                "ACS3-HMAC-SHA256 Credential=AK,Credential=BK,SignedHeaders=host,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=x-acs-date;host,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=Host,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;;x,Signature=" + sig,
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=" + sig.substring(1),
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=" + "G".repeat(64),
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=" + sig + ",Extra=1",
                "ACS3-HMAC-SHA256 Credential")) {
            assertThrows(IllegalArgumentException.class, () -> AcsSignatures.parseV3(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> AcsSignatures.v3StringToSign("POST", "/", Map.of(),
                List.of("host", "x-acs-missing"), Map.of("host", "h"), ""), "a signed header the request does not carry");
    }

    @Test
    void percentEncodingIsTheOneTheOpenApiSigns() {
        assertEquals("a%20b%2A~c%2Fd%2B%3D%26", AcsSignatures.percentEncode("a b*~c/d+=&"));
        assertEquals("%E4%B8%AD", AcsSignatures.percentEncode("中"));
        assertEquals("AZaz09-_.~", AcsSignatures.percentEncode("AZaz09-_.~"));
    }
}
