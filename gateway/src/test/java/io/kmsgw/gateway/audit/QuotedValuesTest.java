package io.kmsgw.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Audit lines written with the quoted-value cache are byte for byte the lines written without it. */
class QuotedValuesTest {
    private static byte[] lines(List<AuditRecord> records, QuotedValues repeated) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            AuditStore.writeLines(g, records, repeated);
        }
        return out.toByteArray();
    }

    @Test
    void repeatedValuesWriteTheSameBytesAsFreshlyEscapedOnes() throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        String[] odd = {"alias/a\\b", "key/\"quoted\"", "caf\u00e9 \u4e2d \ud83d\udd11", "tab\there", "", "ctl\u0001\u001f", "plain"};
        for (int i = 0; i < 500; i++) {
            // runs of equal values (new String instances, as each request brings), broken at different places per field
            records.add(new AuditRecord(1_700_000_000_000L + i, "r-" + i, new String("KAAP.k" + (i / 7 % 3)), odd[i / 5 % odd.length],
                    "10.0." + (i / 11 % 2) + ".1", new String(odd[i / 3 % odd.length]), i % 2 == 0 ? "Encrypt" : "Decrypt",
                    odd[i / 4 % odd.length], i % 9 == 0 ? "Forbidden.NoPermission" : "OK", i));
        }
        QuotedValues repeated = new QuotedValues();
        byte[] plain = lines(records, null);
        assertArrayEquals(plain, lines(records, repeated));
        assertArrayEquals(plain, lines(records, repeated), "and again, starting from the last record's values");
        assertEquals(records.size(), new String(plain, java.nio.charset.StandardCharsets.UTF_8).split("\n").length);
    }
}
