package io.kmsgw.gateway.auth;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client keys the data plane accepts, by id: the public key, its AAP and validity. Loaded from the
 * store at start and updated on every change, so a deleted key stops working at once.
 */
public final class ClientKeyRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ClientKeyRegistry.class);

    /**
     * What authentication needs about one client key. The entry holds the key's DER SubjectPublicKeyInfo and makes the
     * public key from it on first use, not at load: at 100,000 client keys parsing every certificate was most of a start,
     * for keys most of which may never call, and keeping each certificate's PEM until then cost ~1.2 KB a key. Two threads
     * may both make a new key; they get equal keys and one of them is kept.
     */
    public static final class Entry {
        private final String clientKeyId;
        private final String aapName;
        private final Instant notBefore;
        private final Instant notAfter;
        private final boolean deleted;
        private final Function<byte[], PublicKey> parser;
        private volatile byte[] encodedKey;
        private volatile PublicKey publicKey;

        /** An entry with its public key at hand (tests, and keys already parsed). */
        public Entry(String clientKeyId, String aapName, PublicKey publicKey, Instant notBefore, Instant notAfter, boolean deleted) {
            this(clientKeyId, aapName, publicKey, null, null, notBefore, notAfter, deleted);
        }

        /** An entry whose public key {@code parser} makes from {@code encodedKey} (its SubjectPublicKeyInfo) when first asked for. */
        public static Entry lazy(String clientKeyId, String aapName, byte[] encodedKey, Function<byte[], PublicKey> parser,
                Instant notBefore, Instant notAfter, boolean deleted) {
            return new Entry(clientKeyId, aapName, null, encodedKey, parser, notBefore, notAfter, deleted);
        }

        /** The same key with a new AAP, validity or deletion state, keeping what was parsed. */
        public Entry with(String aapName, Instant notBefore, Instant notAfter, boolean deleted) {
            PublicKey parsed = publicKey;
            return new Entry(clientKeyId, aapName, parsed, parsed == null ? encodedKey : null, parsed == null ? parser : null, notBefore,
                    notAfter, deleted);
        }

        private Entry(String clientKeyId, String aapName, PublicKey publicKey, byte[] encodedKey, Function<byte[], PublicKey> parser,
                Instant notBefore, Instant notAfter, boolean deleted) {
            this.clientKeyId = clientKeyId;
            this.aapName = aapName;
            this.publicKey = publicKey;
            this.encodedKey = encodedKey;
            this.parser = parser;
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            this.deleted = deleted;
        }

        /** The public key, or null when the stored encoding does not make one (nothing can verify under it). */
        public PublicKey publicKey() {
            PublicKey k = publicKey;
            if (k == null) {
                byte[] encoded = encodedKey;
                if (encoded == null) {
                    return publicKey; // made meanwhile by another thread (which dropped the encoding), or never had one
                }
                try {
                    k = parser.apply(encoded);
                } catch (IllegalArgumentException unusable) {
                    if (encodedKey != null) {
                        encodedKey = null;
                        LOG.error("client key {} of AAP {}: its stored public key cannot be read; its requests answer "
                                + "ClientKeyUnavailable until the store is restored or the application rotates to a new client key",
                                clientKeyId, aapName);
                    }
                    return null;
                }
                publicKey = k;
                encodedKey = null;
            }
            return k;
        }

        /** Whether the public key has been parsed (tests). */
        public boolean parsed() {
            return publicKey != null;
        }

        public String clientKeyId() {
            return clientKeyId;
        }

        public String aapName() {
            return aapName;
        }

        public Instant notBefore() {
            return notBefore;
        }

        public Instant notAfter() {
            return notAfter;
        }

        public boolean deleted() {
            return deleted;
        }
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

    /** Live (not deleted) client keys, in no order. */
    public java.util.List<Entry> live() {
        java.util.List<Entry> out = new java.util.ArrayList<>();
        for (Entry e : byId.values()) {
            if (!e.deleted()) {
                out.add(e);
            }
        }
        return out;
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
