package io.kmsgw.gateway.server;

import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.audit.AuditLog;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready: listeners up and not draining, audit writing, and the last probe found the store answering and
 * the HSM session logged in. {@link #ready} is called on the admin event loop, so it only reads flags; the
 * probe runs on a thread of its own every second.
 */
final class Readiness implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

    private final Store store;
    private final HsmBackend hsm;
    private final AuditLog audit;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kmsgw-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean serving;
    private volatile boolean dependenciesHealthy;

    Readiness(Store store, HsmBackend hsm, AuditLog audit) {
        this.store = store;
        this.hsm = hsm;
        this.audit = audit;
    }

    /** Probes once now, then every second; {@link #ready} turns true with the first healthy probe. */
    void start() {
        dependenciesHealthy = probe();
        serving = true;
        prober.scheduleWithFixedDelay(() -> {
            boolean healthy = probe();
            if (healthy != dependenciesHealthy) {
                LOG.warn("readiness: the store and HSM are {}", healthy ? "reachable again" : "not reachable; /readyz answers 503");
            }
            dependenciesHealthy = healthy;
        }, 1, 1, TimeUnit.SECONDS);
    }

    boolean ready() {
        return serving && audit.healthy() && dependenciesHealthy;
    }

    /** Not ready from now on (a stop has begun). */
    void draining() {
        serving = false;
    }

    /** Checks the store and the HSM (blocking; off the event loops). */
    private boolean probe() {
        try {
            return hsm.healthy() && store.read(c -> c.isValid(2));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        serving = false;
        prober.shutdownNow();
    }
}
