package io.kmsgw.gateway.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids in UUID form (version-4 layout) from a thread-local generator: unique for practical
 * purposes, not secret, and cheap enough for every response.
 */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        char[] c = new char[36];
        int p = 0;
        for (int i = 60; i >= 0; i -= 4) {
            if (p == 8 || p == 13) {
                c[p++] = '-';
            }
            c[p++] = HEX[(int) (hi >>> i) & 0xf];
        }
        for (int i = 60; i >= 0; i -= 4) {
            if (p == 18 || p == 23) {
                c[p++] = '-';
            }
            c[p++] = HEX[(int) (lo >>> i) & 0xf];
        }
        return new String(c);
    }
}
