package io.kmsgw.gateway.server;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.authz.AccessService;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies other gateways' changes to this gateway's in-memory views. Topics arrive from the store's
 * notifications (and {@link Store#RESYNC} from the periodic resync and after reconnects); a burst of
 * them is coalesced into one reload per view, run on one thread of its own so neither the listener
 * nor an event loop waits for it.
 */
final class ChangeFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFollower.class);

    private final KmsEngine engine;
    private final AccessService access;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kmsgw-follow");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> pending = new HashSet<>();
    private boolean scheduled;

    private final Runnable adminTokens;

    ChangeFollower(KmsEngine engine, AccessService access, Runnable adminTokens) {
        this.engine = engine;
        this.access = access;
        this.adminTokens = adminTokens;
    }

    /** Notes that {@code topic} changed elsewhere; the reload follows shortly. */
    void changed(String topic) {
        synchronized (pending) {
            pending.add(topic);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        try {
            thread.execute(this::drain);
        } catch (RejectedExecutionException closing) {
            // shutting down
        }
    }

    private void drain() {
        Set<String> topics;
        synchronized (pending) {
            topics = Set.copyOf(pending);
            pending.clear();
            scheduled = false;
        }
        boolean all = topics.contains(Store.RESYNC);
        try {
            if (all || topics.contains(Store.KEYS)) {
                engine.maintenance().refreshKeys();
            }
            if (all || topics.contains(Store.SECRETS)) {
                engine.maintenance().refreshSecrets();
            }
            if (all || topics.contains(Store.ACCESS)) {
                access.reload();
            }
            if (all || topics.contains(io.kmsgw.gateway.admin.AdminTokens.TOPIC)) {
                adminTokens.run();
            }
        } catch (RuntimeException e) {
            // the next notification or resync tries again
            LOG.warn("reloading {} from the shared store failed: {}", topics, e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
