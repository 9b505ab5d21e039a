package io.kmsgw.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenApiCallTest {
    private static final byte[] NONE = new byte[0];

    @Test
    void whatIsTheOpenApiAndWhatIsNot() {
        assertFalse(OpenApiCall.isOpenApi("/", null, false), "the instance protocol: POST / with x-kms-* headers");
        assertFalse(OpenApiCall.isOpenApi("/", "Bearer abc", false));
        assertTrue(OpenApiCall.isOpenApi("/?Action=Encrypt", null, false));
        assertTrue(OpenApiCall.isOpenApi("/", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=b,Signature=c", false));
        assertTrue(OpenApiCall.isOpenApi("/", null, true));
    }

    @Test
    void parametersAreDecodedOnceFromQueryAndFormBody() {
        OpenApiCall c = OpenApiCall.parse("POST", "/?Action=Encrypt&Version=2016-01-20&Plaintext=a%20b%2Bc+d&Empty=&Bare",
                List.of(Map.entry("Host", "h"), Map.entry("Content-Type", "application/x-www-form-urlencoded")),
                "KeyId=alias%2Fk&Text=%E4%B8%96".getBytes(StandardCharsets.US_ASCII), "application/x-www-form-urlencoded");
        assertEquals("a b+c d", c.params.get("Plaintext"));
        assertEquals("", c.params.get("Empty"));
        assertEquals("", c.params.get("Bare"));
        assertEquals("alias/k", c.params.get("KeyId"));
        assertEquals("世", c.params.get("Text"));
        assertFalse(c.query.containsKey("KeyId"), "V3 signs the query only");
        assertEquals("Encrypt", c.action);
        assertEquals(OpenApiCall.Signature.V1, c.signature);
        assertEquals(OpenApiCall.Format.JSON, c.format);
        assertEquals("h", c.headers.get("host"));
    }

    @Test
    void v3TakesActionAndVersionFromHeaders() {
        OpenApiCall c = OpenApiCall.parse("POST", "/?KeyId=k", List.of(Map.entry("x-acs-action", "Decrypt"),
                Map.entry("x-acs-version", "2016-01-20"), Map.entry("Authorization", "ACS3-HMAC-SHA256 Credential=x"),
                Map.entry("Accept", "application/xml")), NONE, null);
        assertEquals(OpenApiCall.Signature.V3, c.signature);
        assertEquals("Decrypt", c.action);
        assertEquals("2016-01-20", c.version);
        assertEquals(OpenApiCall.Format.XML, c.format);
    }

    @Test
    void ambiguousOrBrokenRequestsAreRefused() {
        for (String uri : new String[] {"/?a=1&a=2", "/?a=%zz", "/?a=%4", "/?a=%C3%28", "/?=x", "/x?a=1"}) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> OpenApiCall.parse("GET", uri, List.of(), NONE, null), uri);
            assertTrue(e.error() == ProtocolError.INVALID_PARAMETER || e.error() == ProtocolError.NOT_FOUND, uri + " " + e.error());
        }
        assertEquals(ProtocolError.INVALID_PARAMETER, assertThrows(ProtocolException.class, () -> OpenApiCall.parse("POST", "/?a=1",
                List.of(), "a=2".getBytes(StandardCharsets.US_ASCII), "application/x-www-form-urlencoded")).error());
        assertEquals(ProtocolError.INVALID_PARAMETER, assertThrows(ProtocolException.class, () -> OpenApiCall.parse("GET", "/?a=1",
                List.of(Map.entry("x-acs-date", "1"), Map.entry("X-Acs-Date", "2")), NONE, null)).error());
        assertEquals(ProtocolError.METHOD_NOT_ALLOWED, assertThrows(ProtocolException.class,
                () -> OpenApiCall.parse("PUT", "/?a=1", List.of(), NONE, null)).error());
        StringBuilder many = new StringBuilder("/?");
        for (int i = 0; i <= OpenApiCall.MAX_PARAMETERS; i++) {
            many.append("p").append(i).append("=1&");
        }
        assertEquals(ProtocolError.INVALID_PARAMETER, assertThrows(ProtocolException.class,
                () -> OpenApiCall.parse("GET", many.toString(), List.of(), NONE, null)).error());
    }

    @Test
    void everyServedActionSharesAnInstanceApisRole() {
        for (String a : new String[] {"Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GetSecretValue",
            "AsymmetricSign", "AsymmetricVerify", "AsymmetricEncrypt", "AsymmetricDecrypt", "GetPublicKey"}) {
            assertTrue(OpenApiCall.instanceApi(a) != null, a);
        }
        assertEquals(ApiName.Role.SECRET_USER, OpenApiCall.instanceApi("GetSecretValue").role());
        assertEquals(null, OpenApiCall.instanceApi("ReEncrypt"));
        assertTrue(OpenApiCall.knownButNotServed("ReEncrypt"));
        assertFalse(OpenApiCall.knownButNotServed("MakeCoffee"));
    }
}
