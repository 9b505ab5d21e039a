package io.kmsgw.gateway.auth;

import java.util.Collection;
import java.util.Map;

/**
 * The AccessKeys the OpenAPI front door accepts, by id, read from memory on the event loop: the AAP each is bound to and its
 * secret, opened from the store's sealed copy once per gateway. Replaced whole on every change, here or on another replica,
 * so a deleted AccessKey (or one of a deleted AAP) is unknown from the next request on.
 */
public final class AccessKeyRegistry {

    /**
     * One AccessKey. {@code secret} is the HMAC key (the secret's UTF-8 bytes), or null when the sealed copy does not open
     * (a damaged row, or a store restored under another master key): such a key authenticates nothing.
     */
    public record Entry(String accessKeyId, String aapName, byte[] secret) {
        @Override
        public String toString() {
            return "AccessKey[" + accessKeyId + ", aap=" + aapName + "]"; // never the secret
        }
    }

    private volatile Map<String, Entry> byId = Map.of();

    /** The live AccessKey {@code id}, or null. */
    public Entry get(String accessKeyId) {
        return accessKeyId == null ? null : byId.get(accessKeyId);
    }

    /** Replaces the live set. */
    public void replaceAll(Collection<Entry> live) {
        Map<String, Entry> next = new java.util.HashMap<>(Math.max(16, live.size() * 2));
        for (Entry e : live) {
            next.put(e.accessKeyId(), e);
        }
        byId = Map.copyOf(next);
    }

    public int size() {
        return byId.size();
    }
}
