package io.kmsgw.crypto.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every audit record's time: the same characters as {@code Instant.ofEpochMilli(ms).toString()}. */
class IsoTimeTest {
    private static void same(long ms) {
        assertEquals(Instant.ofEpochMilli(ms).toString(), IsoTime.millis(ms), () -> Long.toString(ms));
    }

    @Test
    void millisMatchTheJdk() {
        long[] edges = {0, 1, -1, 999, 1000, -1000, -999, 1_732_400_000_000L, 1_732_400_000_123L, 1_732_400_000_010L,
                -62_167_219_200_000L, -62_167_219_200_001L, 253_402_300_799_999L, 253_402_300_800_000L,
                Long.MAX_VALUE, Long.MIN_VALUE, Instant.parse("2024-02-29T23:59:59.500Z").toEpochMilli()};
        for (long ms : edges) {
            same(ms);
        }
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            same(r.nextLong(-62_167_219_200_000L - 86_400_000L, 253_402_300_800_000L + 86_400_000L));
            same(r.nextLong(1_600_000_000_000L, 2_000_000_000_000L) / 1000 * 1000); // whole seconds: no fraction
        }
    }
}
