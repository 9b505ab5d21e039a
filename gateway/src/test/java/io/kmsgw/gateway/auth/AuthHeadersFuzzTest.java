package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.kmsgw.gateway.protocol.StringToSign;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Date and Authorization headers and the string to sign, on any header text a client can send. */
class AuthHeadersFuzzTest {
    @FuzzTest
    void dateIsParsedOrRefusedAsInvalidParam(FuzzedDataProvider data) {
        long seconds = data.consumeLong(0, 253_402_300_799L); // 1970 … 9999
        String formatted = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(seconds).atZone(ZoneOffset.UTC));
        assertEquals(seconds * 1000, Authenticator.parseDate(formatted), formatted);
        String text = data.consumeRemainingAsString();
        try {
            Authenticator.parseDate(text);
        } catch (ProtocolException e) {
            assertEquals(ProtocolError.INVALID_PARAM, e.error());
            assertEquals("The Param Date is invalid.", e.getMessage());
        }
    }

    @FuzzTest
    void authorizationIsDecodedOrRefusedAsInvalidParam(FuzzedDataProvider data) {
        byte[] signature = data.consumeBytes(600);
        String scheme = data.pickValue(new String[] {"Bearer ", "TOKEN "});
        String wellFormed = scheme + java.util.Base64.getEncoder().encodeToString(signature);
        if (signature.length == 0) {
            assertThrows(ProtocolException.class, () -> Authenticator.parseAuthorization(wellFormed));
        } else {
            assertArrayEquals(signature, Authenticator.parseAuthorization(wellFormed), "a well-formed header decodes");
        }
        String text = data.consumeRemainingAsString();
        try {
            Authenticator.parseAuthorization(text);
            assertTrue(text.startsWith("Bearer ") || text.startsWith("TOKEN "), "only the two schemes are accepted: " + text);
        } catch (ProtocolException e) {
            assertEquals(ProtocolError.INVALID_PARAM, e.error());
        }
    }

    @FuzzTest
    void stringToSignKeepsEveryLine(FuzzedDataProvider data) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            headers.add(new AbstractMap.SimpleImmutableEntry<>("x-kms-" + data.consumeAsciiString(12), data.consumeString(40)));
        }
        String sha = data.consumeAsciiString(64);
        String type = data.consumeString(40);
        String date = data.consumeRemainingAsString();
        String s = StringToSign.of(sha, type, date, headers);
        StringBuilder expected = new StringBuilder("POST\n").append(sha).append('\n').append(type).append('\n').append(date).append('\n');
        headers.forEach(h -> expected.append(h.getKey()).append(':').append(h.getValue()).append('\n'));
        assertEquals(expected.append('/').toString(), s);
    }
}
