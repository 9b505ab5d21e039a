package io.kmsgw.crypto.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store: PostgreSQL through a HikariCP pool, for several gateways on one instance.
 *
 * <p>Design notes. Writes commit with PostgreSQL's default {@code synchronous_commit=on}, so an
 * acknowledged write is in the server's WAL. Changes are announced with {@code NOTIFY kmsgw_changes}
 * (payload {@code <origin>:<topic>}; a gateway ignores its own). Each subscriber keeps one dedicated
 * connection in {@code LISTEN}; when that connection breaks, notifications sent meanwhile are lost, so
 * after every reconnect the subscriber gets {@link Store#RESYNC}. Cluster-wide locks are PostgreSQL
 * advisory locks keyed by a hash of the lock name: session locks for {@link #exclusive} and
 * {@link #tryExclusive} (released by the server if the holder dies), a transaction lock for
 * migrations, so two gateways starting on an empty database never both create the schema.
 */
public final class PostgresStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    static final String CHANNEL = "kmsgw_changes";

    private final HikariDataSource pool;
    private final String url;
    private final Properties credentials = new Properties();
    private final String origin = UUID.randomUUID().toString();
    private volatile boolean closed;

    /**
     * @param url      a {@code jdbc:postgresql://…} URL
     * @param user     the database user
     * @param password its password, or null (trust, peer or a {@code .pgpass} file)
     * @param poolSize connections in the pool (at least 2: a lock holder and its work)
     */
    public PostgresStore(String url, String user, String password, int poolSize) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new StoreException("the store URL must start with jdbc:postgresql:", null, false);
        }
        this.url = url;
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("kmsgw-store");
        config.setJdbcUrl(url);
        config.setDataSourceProperties(credentials);
        config.setMaximumPoolSize(Math.max(2, poolSize));
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        config.setInitializationFailTimeout(10_000);
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot reach the store at " + url + ": " + rootMessage(e), e, false);
        }
    }

    @Override
    public <T> T read(Work<T> work) {
        return transact(work);
    }

    @Override
    public <T> T write(Work<T> work) {
        return transact(work);
    }

    private <T> T transact(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            try {
                T result = work.run(c);
                try {
                    c.commit();
                } catch (SQLException e) {
                    String state = e.getSQLState();
                    if (state != null && state.startsWith("08") || c.isClosed()) {
                        // the COMMIT was sent and the connection lost: it may or may not have been applied
                        throw new StoreException("store commit outcome unknown: " + e.getMessage(), e, false, true);
                    }
                    throw e;
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw wrap(e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private static StoreException wrap(SQLException e) {
        String state = e.getSQLState();
        boolean constraint = state != null && state.startsWith("23");
        return new StoreException("store operation failed: " + e.getMessage(), e, constraint);
    }

    @Override
    public void migrate(String component, List<String> steps) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, lockKey("migrate"));
                ps.execute();
            }
            Migrations.apply(c, component, steps);
            return null;
        });
    }

    @Override
    public String binaryType() {
        return "BYTEA";
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public <T> T exclusive(String name, Supplier<T> work) {
        return holding(name, "SELECT pg_advisory_lock(?)", work);
    }

    @Override
    public boolean tryExclusive(String name, Runnable work) {
        return holding(name, "SELECT pg_try_advisory_lock(?)", () -> {
            work.run();
            return true;
        }) != null;
    }

    /**
     * Runs work holding a session advisory lock taken with {@code lockSql} on a pool connection (in
     * autocommit, so no transaction stays open around the work); null when the lock was not granted.
     */
    private <T> T holding(String name, String lockSql, Supplier<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            try {
                if (!lock(c, lockSql, name)) {
                    return null;
                }
                try {
                    return work.get();
                } finally {
                    lock(c, "SELECT pg_advisory_unlock(?)", name);
                }
            } finally {
                c.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw wrap(e);
        }
    }

    private static boolean lock(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, lockKey(name));
            try (ResultSet rs = ps.executeQuery()) {
                // pg_advisory_lock returns void (always true here); the try and unlock forms return whether they did it
                return !rs.next() || !(rs.getObject(1) instanceof Boolean b) || b;
            }
        }
    }

    /** A stable 64-bit advisory lock key for a name, from SHA-256 so kmsgw's keys do not collide with others'. */
    static long lockKey(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("kmsgw-lock:" + name).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (h[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void publish(String topic) {
        try {
            write(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, CHANNEL);
                    ps.setString(2, origin + ":" + topic);
                    ps.execute();
                }
                return null;
            });
        } catch (StoreException e) {
            // the others catch up at their next resync
            LOG.warn("could not announce a change of {} to the other gateways: {}", topic, rootMessage(e));
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<String> listener) {
        Thread t = new Thread(() -> listen(listener), "kmsgw-store-listen");
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            t.join(5_000);
        };
    }

    /** Follows the channel on a dedicated connection, reconnecting (and asking for a resync) when it breaks. */
    private void listen(Consumer<String> listener) {
        boolean first = true;
        while (!closed && !Thread.currentThread().isInterrupted()) {
            try (Connection c = DriverManager.getConnection(url, credentials)) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                if (!first) {
                    LOG.info("store notifications reconnected; resynchronising");
                    deliver(listener, RESYNC);
                }
                first = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed && !Thread.currentThread().isInterrupted()) {
                    PGNotification[] got = pg.getNotifications(500);
                    if (got == null) {
                        continue;
                    }
                    for (PGNotification n : got) {
                        String payload = n.getParameter();
                        int colon = payload.indexOf(':');
                        if (colon > 0 && !payload.substring(0, colon).equals(origin)) {
                            deliver(listener, payload.substring(colon + 1));
                        }
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                first = false;
                LOG.warn("store notifications interrupted ({}); reconnecting in 1 s", rootMessage(e));
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void deliver(Consumer<String> listener, String topic) {
        try {
            listener.accept(topic);
        } catch (RuntimeException e) {
            LOG.warn("applying a change of {} from another gateway failed: {}", topic, e.toString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }
}
