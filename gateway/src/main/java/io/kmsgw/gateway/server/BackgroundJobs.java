package io.kmsgw.gateway.server;

import io.kmsgw.crypto.api.Maintenance;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.authz.ClientKeyExpiryMonitor;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic jobs of a running gateway, on one thread: the client key expiry check (hourly) and key
 * maintenance (every minute), each under the store's lock for its name so one gateway of a shared
 * instance runs it at a time; and, when shared, the resync that catches notifications a gateway missed.
 */
final class BackgroundJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundJobs.class);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kmsgw-jobs");
        t.setDaemon(true);
        return t;
    });
    private final Store store;

    BackgroundJobs(Store store) {
        this.store = store;
    }

    void expiryCheck(ClientKeyExpiryMonitor expiry) {
        every(Duration.ofHours(1), true, "client key expiry check", () -> store.tryExclusive("client-key-expiry", expiry::check));
    }

    void maintenance(Maintenance maintenance) {
        every(Duration.ofMinutes(1), true, "key maintenance", () -> store.tryExclusive("key-maintenance", () -> {
            if (store.shared()) {
                // act on what the store holds now, not on a view a notification may not have reached yet
                maintenance.refreshKeys();
                maintenance.refreshSecrets();
            }
            Maintenance.Report done = maintenance.runMaintenance();
            if (done.changedAnything()) {
                LOG.info("key maintenance: {} keys destroyed after their deletion window, {} rotated, {} secrets purged, {} keys' "
                        + "imported material deleted at its expiry", done.destroyed(), done.rotated(), done.secretsPurged(),
                        done.materialExpired());
            }
        }));
    }

    /** One sample of the last hour's history every {@link History#INTERVAL_SECONDS} seconds. */
    void history(io.kmsgw.gateway.metrics.History history) {
        every(Duration.ofSeconds(io.kmsgw.gateway.metrics.History.INTERVAL_SECONDS), false, "history sample", history::sample);
    }

    /** Tells {@code follower} to reload everything every {@code period}, in case a notification was lost. */
    void resync(ChangeFollower follower, Duration period) {
        every(period, false, "store resync", () -> follower.changed(Store.RESYNC));
    }

    private void every(Duration period, boolean now, String what, Runnable job) {
        long ms = period.toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", what, e.toString());
            }
        }, now ? 0 : ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
