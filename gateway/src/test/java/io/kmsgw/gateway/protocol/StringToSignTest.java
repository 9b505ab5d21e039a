package io.kmsgw.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our string to sign must equal the one the official SDK signs, byte for byte. */
class StringToSignTest {

    @Test
    void matchesTheSdkForTheHeadersItSends() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("accept", "application/x-protobuf");
        headers.put("host", "127.0.0.1:8443");
        headers.put("date", "Mon, 23 Nov 2026 12:57:38 GMT");
        headers.put("user-agent", "AlibabaCloud test");
        headers.put("x-kms-apiversion", "dkms-gcs-0.2");
        headers.put("x-kms-apiname", "Encrypt");
        headers.put("x-kms-signaturemethod", "RSA_PKCS1_SHA_256");
        headers.put("x-kms-acccesskeyid", "KAAP.3f9cd7a2-6a1d-4b52-9a6c-0c8b8b8b8b8b");
        headers.put("x-kms-migrationkeyversionid", "  a5c2e2a0-1111-4222-8333-444444444444 ");
        headers.put("content-type", "application/x-protobuf");
        headers.put("content-length", "3");
        headers.put("content-sha256", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
        String sdk = com.aliyun.dkms.gcs.openapi.util.Client.getStringToSign("POST", "/", headers, null);

        List<Map.Entry<String, String>> kms = new ArrayList<>();
        headers.forEach((k, v) -> {
            if (k.startsWith("x-kms-")) {
                kms.add(new AbstractMap.SimpleImmutableEntry<>(k, v.trim()));
            }
        });
        kms.sort(Map.Entry.comparingByKey());
        String ours = StringToSign.of(headers.get("content-sha256"), headers.get("content-type"), headers.get("date"), kms);
        assertEquals(sdk, ours);
        assertEquals("POST\nE3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\napplication/x-protobuf\n"
                + "Mon, 23 Nov 2026 12:57:38 GMT\nx-kms-acccesskeyid:KAAP.3f9cd7a2-6a1d-4b52-9a6c-0c8b8b8b8b8b\n"
                + "x-kms-apiname:Encrypt\nx-kms-apiversion:dkms-gcs-0.2\n"
                + "x-kms-migrationkeyversionid:a5c2e2a0-1111-4222-8333-444444444444\n"
                + "x-kms-signaturemethod:RSA_PKCS1_SHA_256\n/", ours);
    }

    /** The bytes the authenticator verifies are the UTF-8 of the string, also past the buffer's first size and for non-ASCII values. */
    @Test
    void utf8BytesEqualTheStringsEncodingAndTheBufferIsReused() {
        StringToSign.Utf8 out = new StringToSign.Utf8();
        List<Map.Entry<String, String>> ascii = List.of(Map.entry("x-kms-acccesskeyid", "KAAP.1"), Map.entry("x-kms-apiname", "Encrypt"));
        List<Map.Entry<String, String>> wide = List.of(Map.entry("x-kms-a", "caf\u00e9 \u4e2d \ud83d\udd11 end"), Map.entry("x-kms-b", "z"));
        List<Map.Entry<String, String>> longer = List.of(Map.entry("x-kms-long", "v".repeat(3000)));
        for (List<Map.Entry<String, String>> h : List.of(ascii, wide, longer, ascii)) {
            StringToSign.writeUtf8(out, "SHA", "application/x-protobuf", "Mon, 23 Nov 2026 12:57:38 GMT", h);
            String expected = "POST\nSHA\napplication/x-protobuf\nMon, 23 Nov 2026 12:57:38 GMT\n"
                    + h.stream().map(e -> e.getKey() + ":" + e.getValue() + "\n").reduce("", String::concat) + "/";
            assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(out.bytes(), out.length()));
        }
    }

    @Test
    void missingLinesAreEmpty() {
        assertEquals("POST\n\n\n\n/", StringToSign.of(null, null, null, List.of()));
    }

    @Test
    void requestIdsAreUuidShapedAndDistinct() {
        String a = RequestIds.next();
        String b = RequestIds.next();
        assertEquals(36, a.length());
        assertEquals('4', a.charAt(14));
        assertEquals(true, a.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), a);
        assertEquals(false, a.equals(b));
    }
}
