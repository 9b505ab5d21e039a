package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NonceWindowTest {
    private static final long MIN = 60_000;
    private static final long SKEW = 15 * MIN;

    @Test
    void aNonceIsNewOnceThenSeenForAsLongAsItsTimeIsAcceptable() {
        NonceWindow w = new NonceWindow(SKEW, 1_000_000);
        long now = 1_800_000_000_000L;
        assertEquals(NonceWindow.Result.NEW, w.record(now, now, 42));
        assertEquals(NonceWindow.Result.SEEN, w.record(now, now, 42));
        assertEquals(NonceWindow.Result.NEW, w.record(now, now, 43));
        // a request signed 14 minutes ahead is remembered until its time falls out of the skew: ~29 minutes on
        assertEquals(NonceWindow.Result.NEW, w.record(now + 14 * MIN, now, 7));
        assertEquals(NonceWindow.Result.SEEN, w.record(now + 14 * MIN, now + 28 * MIN, 7));
        // once the first request's time is older than the skew it is forgotten (and would be refused as expired anyway)
        assertEquals(NonceWindow.Result.NEW, w.record(now, now + SKEW + 2 * MIN, 42));
        // hash 0 is a value like any other
        assertEquals(NonceWindow.Result.NEW, w.record(now, now, 0));
        assertEquals(NonceWindow.Result.SEEN, w.record(now, now, 0));
    }

    @Test
    void manyNoncesAcrossTheWindowAreEachSeenOnceAndExpire() {
        NonceWindow w = new NonceWindow(SKEW, 10_000_000);
        Random r = new Random(28);
        long now = 1_800_000_000_000L;
        long[] hashes = new long[200_000];
        long[] times = new long[hashes.length];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = r.nextLong();
            times[i] = now + r.nextLong(-SKEW, SKEW);
            assertEquals(NonceWindow.Result.NEW, w.record(times[i], now, hashes[i]), "nonce " + i);
        }
        for (int i = 0; i < hashes.length; i++) {
            assertEquals(NonceWindow.Result.SEEN, w.record(times[i], now, hashes[i]), "replay " + i);
        }
        assertEquals(hashes.length, w.size());
        w.record(now + 40 * MIN, now + 40 * MIN, 1);
        assertEquals(1, w.size(), "everything older than the window is gone");
    }

    @Test
    void aFullWindowRefusesNewNoncesButStillCatchesReplays() {
        NonceWindow w = new NonceWindow(SKEW, 3);
        long now = 1_800_000_000_000L;
        for (long h = 1; h <= 3; h++) {
            assertEquals(NonceWindow.Result.NEW, w.record(now, now, h));
        }
        assertEquals(NonceWindow.Result.FULL, w.record(now, now, 4));
        assertEquals(NonceWindow.Result.SEEN, w.record(now, now, 2));
        // room again once the old minute expires
        assertEquals(NonceWindow.Result.NEW, w.record(now + 20 * MIN, now + 20 * MIN, 4));
    }
}
