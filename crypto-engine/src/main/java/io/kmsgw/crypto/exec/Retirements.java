package io.kmsgw.crypto.exec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Key versions whose material is gone (a key destroyed after its deletion window, imported material deleted or expired,
 * either seen from another replica): each worker destroys its loaded copy in the HSM before its next job, so the material
 * does not stay in HSM session memory until the LRU happens to evict it. A ring of the last {@link #CAPACITY} ids; a worker
 * that fell further behind unloads everything (safe: what is still in use is unwrapped again).
 */
public final class Retirements {
    static final int CAPACITY = 1024;
    private final String[] ring = new String[CAPACITY];
    /** How many ids were ever retired; a worker compares it with what it has seen (one volatile read per job). */
    private volatile long count;

    /** Marks {@code versionIds} retired. */
    public synchronized void retire(Collection<String> versionIds) {
        long c = count;
        for (String id : versionIds) {
            ring[(int) (c % CAPACITY)] = id;
            c++;
        }
        count = c;
    }

    long count() {
        return count;
    }

    /** The ids retired from number {@code seen} up to {@code upTo}, or null when the ring no longer holds them all. */
    synchronized List<String> between(long seen, long upTo) {
        if (upTo - seen > CAPACITY) {
            return null;
        }
        List<String> out = new ArrayList<>((int) (upTo - seen));
        for (long i = seen; i < upTo; i++) {
            out.add(ring[(int) (i % CAPACITY)]);
        }
        return out;
    }
}
