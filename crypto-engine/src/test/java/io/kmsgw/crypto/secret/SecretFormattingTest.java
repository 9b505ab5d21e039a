package io.kmsgw.crypto.secret;

import io.kmsgw.crypto.api.Secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What GetSecretValue answers with on every call: the version's creation time and its stages. */
class SecretFormattingTest {
    private static String jdk(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void isoMatchesTheJdksFormatToTheSecond() {
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(-1), Instant.ofEpochSecond(0, 999_999_999),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("2024-02-29T23:59:59Z"),
                Instant.ofEpochSecond(253_402_300_800L), Instant.ofEpochSecond(-62_167_219_201L), Instant.MAX, Instant.MIN,
                Instant.parse("2026-11-23T23:59:07.123456Z"));
        for (Instant t : edges) {
            assertEquals(jdk(t), SecretManager.iso(t), t::toString);
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_167_219_200L - 86_400, 253_402_300_800L + 86_400), r.nextInt(1_000_000_000));
            assertEquals(jdk(t), SecretManager.iso(t), t::toString);
        }
    }

    @Test
    void stagesOfAVersionAreItsStagesSorted() {
        Secret s = new Secret("db", "Generic", "key-1", "", "", Instant.EPOCH, Map.of(),
                Map.of("ACSPrevious", "v1", "ACSCurrent", "v2", "Custom", "v2", "Another", "v3"), null);
        assertEquals(List.of("ACSCurrent", "Custom"), s.stagesOf("v2"));
        assertEquals(List.of("ACSPrevious"), s.stagesOf("v1"));
        assertEquals(List.of(), s.stagesOf("v9"));
        assertThrows(UnsupportedOperationException.class, () -> s.stagesOf("v2").add("x"));
    }
}
