package io.kmsgw.gateway.auth;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client keys the data plane accepts, by id: the public key, its AAP and validity. Loaded from the
 * store at start and updated on every change, so a deleted key stops working at once.
 */
public final class ClientKeyRegistry {

    /** What authentication needs about one client key. */
    public record Entry(String clientKeyId, String aapName, PublicKey publicKey, Instant notBefore, Instant notAfter, boolean deleted) {
    }

    /**
     * Swapped whole by {@link #replaceAll}: a reader sees the old set or the new one, never the empty map
     * in between (clearing and refilling one map made every client key briefly unknown on each access change).
     */
    private volatile ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();

    public Entry get(String clientKeyId) {
        return byId.get(clientKeyId);
    }

    public synchronized void put(Entry e) {
        byId.put(e.clientKeyId(), e);
    }

    public synchronized void remove(String clientKeyId) {
        byId.remove(clientKeyId);
    }

    public synchronized void replaceAll(Collection<Entry> entries) {
        ConcurrentHashMap<String, Entry> next = new ConcurrentHashMap<>(Math.max(16, entries.size() * 2));
        for (Entry e : entries) {
            next.put(e.clientKeyId(), e);
        }
        byId = next;
    }

    public int size() {
        return byId.size();
    }

    /** Live (not deleted) client keys whose validity ends within {@code window} of {@code now}, expired ones included. */
    public int expiringWithin(Instant now, java.time.Duration window) {
        Instant limit = now.plus(window);
        int n = 0;
        for (Entry e : byId.values()) {
            if (!e.deleted() && e.notAfter().isBefore(limit)) {
                n++;
            }
        }
        return n;
    }
}
