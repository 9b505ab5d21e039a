package io.kmsgw.crypto.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * ISO 8601 instants in UTC, byte for byte as {@link Instant#toString()} writes them, for the hot paths
 * that write one per request (GetSecretValue's creation time, every audit record): years 0000-9999 are
 * formatted by hand, since the JDK's formatter cost ~1 % of the gateway's CPU under load; other years
 * go through the JDK.
 */
public final class IsoTime {
    private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long MAX_SECOND = 253_402_300_800L; // 10000-01-01T00:00:00Z

    private IsoTime() {
    }

    /** {@code t} to the second: {@code Instant.truncatedTo(SECONDS).toString()}, e.g. {@code 2026-11-24T01:02:03Z}. */
    public static String seconds(Instant t) {
        long s = t.getEpochSecond();
        if (s < MIN_SECOND || s >= MAX_SECOND) {
            return t.truncatedTo(ChronoUnit.SECONDS).toString();
        }
        char[] c = new char[20];
        date(c, s);
        c[19] = 'Z';
        return new String(c);
    }

    /** {@code Instant.ofEpochMilli(epochMillis).toString()}: {@code .SSS} unless the milliseconds are zero. */
    public static String millis(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000L);
        int ms = (int) Math.floorMod(epochMillis, 1000L);
        if (s < MIN_SECOND || s >= MAX_SECOND) {
            return Instant.ofEpochMilli(epochMillis).toString();
        }
        char[] c = new char[ms == 0 ? 20 : 24];
        date(c, s);
        if (ms != 0) {
            c[19] = '.';
            digits(c, 20, ms, 3);
        }
        c[c.length - 1] = 'Z';
        return new String(c);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss} into {@code c[0..19)}. */
    private static void date(char[] c, long epochSecond) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        digits(c, 0, d.getYear(), 4);
        c[4] = '-';
        digits(c, 5, d.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, d.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, d.getHour(), 2);
        c[13] = ':';
        digits(c, 14, d.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, d.getSecond(), 2);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
