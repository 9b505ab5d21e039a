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

    private final ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();

    public Entry get(String clientKeyId) {
        return byId.get(clientKeyId);
    }

    public void put(Entry e) {
        byId.put(e.clientKeyId(), e);
    }

    public void remove(String clientKeyId) {
        byId.remove(clientKeyId);
    }

    public void replaceAll(Collection<Entry> entries) {
        byId.clear();
        for (Entry e : entries) {
            byId.put(e.clientKeyId(), e);
        }
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
