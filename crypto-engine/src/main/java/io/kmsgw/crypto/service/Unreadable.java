package io.kmsgw.crypto.service;

import io.kmsgw.crypto.key.KeyRing;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A key row the store could not read: marked in the ring (it answers its own error) and logged once per key. */
final class Unreadable {
    private static final Logger LOG = LoggerFactory.getLogger(Unreadable.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private Unreadable() {
    }

    static void report(KeyRing ring, String keyId) {
        ring.markUnreadable(keyId);
        if (LOGGED.add(keyId) && LOGGED.size() < 10_000) {
            LOG.error("key {}: its stored row cannot be read; it answers Rejected.KeyMaterialUnavailable until restored from a backup "
                    + "(kmsgw verify lists every such key); every other key is served", keyId);
        }
    }
}
