package io.kmsgw.gateway.authz;

import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.auth.AccessKeyAuthenticator;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay window shared by the gateways of one PostgreSQL store: a KMS OpenAPI nonce is served once by the whole
 * instance, not once per replica. One thread claims nonces for this gateway: it takes what is queued (up to
 * {@link #MAX_BATCH}) and inserts it in one transaction, {@code INSERT … ON CONFLICT DO NOTHING RETURNING}, so a burst
 * costs one commit; a nonce the store already held is answered "seen". Rows expire with their request's time and are
 * deleted once a minute. Claims wait at most for the queue's room: a full queue, or a store that cannot commit, refuses
 * (fail closed) rather than serving an unclaimed nonce.
 */
public final class SharedNonces implements AccessKeyAuthenticator.NonceClaims, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedNonces.class);
    static final int MAX_BATCH = 256;
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private record Claim(long hash, long expiresMillis, Callback done) {
    }

    private final Store store;
    private final BlockingQueue<Claim> queue = new ArrayBlockingQueue<>(16_384);
    private final Thread thread;
    private volatile boolean running = true;
    private long lastPurge;

    public SharedNonces(Store store) {
        this.store = store;
        store.migrate("openapi-nonces", List.of(
                "CREATE TABLE openapi_nonce (nonce_hash BIGINT PRIMARY KEY, expires_millis BIGINT NOT NULL)",
                "CREATE INDEX openapi_nonce_expires ON openapi_nonce(expires_millis)"));
        thread = new Thread(this::loop, "kmsgw-nonces");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void claim(long hash, long expiresMillis, Callback done) {
        if (!running || !queue.offer(new Claim(hash, expiresMillis, done))) {
            done.claimed(null);
        }
    }

    private void loop() {
        List<Claim> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Claim first = queue.poll(1, TimeUnit.SECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    commit(batch);
                    batch.clear();
                }
                purge();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.warn("claiming signature nonces in the shared store failed: {}", e.toString());
                for (Claim c : batch) {
                    c.done().claimed(null);
                }
                batch.clear();
            }
        }
        Claim c;
        while ((c = queue.poll()) != null) {
            c.done().claimed(null);
        }
    }

    /** One transaction for the batch; each claim learns whether its nonce was new to the whole instance. */
    private void commit(List<Claim> batch) {
        StringBuilder sql = new StringBuilder("INSERT INTO openapi_nonce (nonce_hash, expires_millis) VALUES ");
        for (int i = 0; i < batch.size(); i++) {
            sql.append(i == 0 ? "(?,?)" : ",(?,?)");
        }
        sql.append(" ON CONFLICT (nonce_hash) DO NOTHING RETURNING nonce_hash");
        Set<Long> inserted = store.write(c -> {
            Set<Long> out = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                for (Claim claim : batch) {
                    // the same nonce twice in one batch is inserted once (DO NOTHING skips the second): the second claim is "seen"
                    ps.setLong(p++, claim.hash());
                    ps.setLong(p++, claim.expiresMillis());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
            }
            return out;
        });
        for (Claim claim : batch) {
            claim.done().claimed(inserted.remove(claim.hash()));
        }
    }

    private void purge() {
        long now = System.currentTimeMillis();
        if (now - lastPurge < PURGE_EVERY_MILLIS) {
            return;
        }
        lastPurge = now;
        store.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM openapi_nonce WHERE expires_millis < ?")) {
                ps.setLong(1, now);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
