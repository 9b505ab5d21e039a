package io.kmsgw.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Reloading the registry (after every access change) while requests authenticate: a key present
 * before and after the reload is never missing in between. The soak test found the gap: the map was
 * cleared and refilled, and a request landing in it got 404 "does not exist in our records".
 */
class ClientKeyRegistryTest {
    private static ClientKeyRegistry.Entry entry(String id) {
        return new ClientKeyRegistry.Entry(id, "app", null, Instant.EPOCH, Instant.MAX, false);
    }

    @Test
    void aKeyPresentBeforeAndAfterAReloadIsNeverMissing() throws Exception {
        ClientKeyRegistry registry = new ClientKeyRegistry();
        List<ClientKeyRegistry.Entry> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(entry("KAAP.k" + i));
        }
        registry.replaceAll(all);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong misses = new AtomicLong();
        AtomicLong lookups = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                if (registry.get("KAAP.k7") == null) {
                    misses.incrementAndGet();
                }
                lookups.incrementAndGet();
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 20_000; i++) {
                registry.replaceAll(all);
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertEquals(0, misses.get(), "lookups that found the key missing during reloads (of " + lookups.get() + ")");
        assertNotNull(registry.get("KAAP.k199"));
        assertEquals(200, registry.size());
    }
}
