package io.kmsgw.gateway.auth;

/**
 * The signature nonces seen within the replay window, so a signed OpenAPI request is served once. A request's time is signed
 * with it, so a replay carries the same time: nonces are kept by the minute of that time, in a ring of slots spanning the
 * accepted skew either side of now, and a slot is emptied when its minute can no longer be accepted. Each nonce is kept as
 * a 64-bit hash in an open-addressing table (a {@code HashSet<Long>} costs ~5x the memory, and the JDK has no primitive
 * set): 16 to 32 bytes per nonce, {@code maxNonces} in all. A full window refuses new nonces (fail closed) instead of
 * forgetting ones that may still be replayed.
 */
public final class NonceWindow {
    /** What {@link #record} found. */
    public enum Result { NEW, SEEN, FULL }

    private static final long MINUTE = 60_000L;
    private final int slots;
    private final long skewMinutes;
    private final long maxNonces;
    private final long[] slotMinute;
    private final long[][] tables;
    private final int[] counts;
    private long total;
    /** The minute {@link #expire} last ran for: it runs once a minute, not on every request. */
    private long expiredFor = Long.MIN_VALUE;

    /** @param skewMillis how far a request's time may be from now (either way); {@code maxNonces} caps the memory */
    public NonceWindow(long skewMillis, long maxNonces) {
        this.skewMinutes = (skewMillis + MINUTE - 1) / MINUTE;
        this.slots = (int) (2 * skewMinutes + 3);
        this.maxNonces = maxNonces;
        this.slotMinute = new long[slots];
        java.util.Arrays.fill(slotMinute, Long.MIN_VALUE);
        this.tables = new long[slots][];
        this.counts = new int[slots];
    }

    /** Records the nonce {@code hash} of a request signed for {@code requestMillis} (already within the skew of {@code nowMillis}). */
    public synchronized Result record(long requestMillis, long nowMillis, long hash) {
        long minute = Math.floorDiv(requestMillis, MINUTE);
        long nowMinute = Math.floorDiv(nowMillis, MINUTE);
        expire(nowMinute);
        int slot = (int) Math.floorMod(minute, (long) slots);
        if (slotMinute[slot] != minute) {
            clear(slot);
            slotMinute[slot] = minute;
        }
        long h = hash == 0 ? 1 : hash;
        long[] t = tables[slot];
        if (t != null && contains(t, h)) {
            return Result.SEEN;
        }
        if (total >= maxNonces) {
            return Result.FULL;
        }
        if (t == null || (counts[slot] + 1) * 2L > t.length) {
            t = grow(t);
            tables[slot] = t;
        }
        insert(t, h);
        counts[slot]++;
        total++;
        return Result.NEW;
    }

    /** Nonces held now (tests, metrics). */
    public synchronized long size() {
        return total;
    }

    private void expire(long nowMinute) {
        if (nowMinute == expiredFor) {
            return;
        }
        expiredFor = nowMinute;
        for (int i = 0; i < slots; i++) {
            if (slotMinute[i] != Long.MIN_VALUE && (slotMinute[i] < nowMinute - skewMinutes - 1 || slotMinute[i] > nowMinute + skewMinutes + 1)) {
                clear(i);
            }
        }
    }

    private void clear(int slot) {
        total -= counts[slot];
        counts[slot] = 0;
        tables[slot] = null;
        slotMinute[slot] = Long.MIN_VALUE;
    }

    private static boolean contains(long[] t, long h) {
        int mask = t.length - 1;
        for (int i = (int) mix(h) & mask; ; i = (i + 1) & mask) {
            if (t[i] == 0) {
                return false;
            }
            if (t[i] == h) {
                return true;
            }
        }
    }

    private static void insert(long[] t, long h) {
        int mask = t.length - 1;
        int i = (int) mix(h) & mask;
        while (t[i] != 0) {
            i = (i + 1) & mask;
        }
        t[i] = h;
    }

    private static long[] grow(long[] t) {
        long[] next = new long[t == null ? 1024 : t.length * 2];
        if (t != null) {
            for (long h : t) {
                if (h != 0) {
                    insert(next, h);
                }
            }
        }
        return next;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
