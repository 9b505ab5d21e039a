package io.kmsgw.crypto.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metadata store: a SQL database reached through JDBC, used by the engine (keys, versions,
 * aliases) and the gateway (access model, audit). The embedded default is SQLite in the data dir; the
 * schema uses portable SQL so a PostgreSQL implementation runs the same statements.
 *
 * <p>Every write runs in one transaction that either commits durably or leaves no trace. Failures
 * surface as {@link StoreException}, which callers turn into "temporarily unavailable".
 *
 * <p>A store may be shared by several gateways ({@link #shared()}): each keeps in-memory views of
 * what it reads, announces its changes with {@link #publish} and follows the others' with
 * {@link #subscribe}; cluster-wide work runs under {@link #exclusive} or {@link #tryExclusive}. For a
 * store only one process uses, those are plain calls.
 */
public interface Store extends AutoCloseable {
    /** The topic a subscriber receives when notifications may have been lost: reload everything. */
    String RESYNC = "*";
    /** Topics: keys, versions and aliases; secrets; the access model (rules, policies, AAPs, client keys). */
    String KEYS = "keys";
    String SECRETS = "secrets";
    String ACCESS = "access";

    /** Work against a connection; may throw SQLException. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs read-only work. */
    <T> T read(Work<T> work);

    /** Runs work in a transaction and commits it durably before returning. */
    <T> T write(Work<T> work);

    /** {@link #write} that, once committed, tells the other gateways that {@code topic} changed. */
    default <T> T write(String topic, Work<T> work) {
        T result = write(work);
        publish(topic);
        return result;
    }

    /**
     * Applies a component's schema steps once each, in order, recording the version reached. Steps
     * already applied are skipped, so this is safe at every start.
     */
    void migrate(String component, List<String> steps);

    /**
     * True when all work runs on the same connection for the store's whole life (SQLite's one connection), so that a caller
     * may keep statements prepared on it from one call to the next. A pooled store: false.
     */
    default boolean oneConnection() {
        return false;
    }

    /** The SQL type for binary columns in this dialect (BLOB, BYTEA). */
    String binaryType();

    /** True when other gateways may change this store's content. */
    default boolean shared() {
        return false;
    }

    /** Runs work holding the store-wide lock {@code name}, waiting for it; one holder across all gateways. */
    default <T> T exclusive(String name, Supplier<T> work) {
        return work.get();
    }

    /** Runs work only if no other gateway holds the lock {@code name} now; false when it was skipped. */
    default boolean tryExclusive(String name, Runnable work) {
        work.run();
        return true;
    }

    /** Tells the other gateways that {@code topic} changed; call it after the change committed. */
    default void publish(String topic) {
    }

    /**
     * Calls {@code listener} with each topic the other gateways publish, and with {@link #RESYNC} when
     * notifications may have been missed (after a reconnect). Closing the result stops it.
     */
    default AutoCloseable subscribe(Consumer<String> listener) {
        return () -> { };
    }

    @Override
    void close();
}
