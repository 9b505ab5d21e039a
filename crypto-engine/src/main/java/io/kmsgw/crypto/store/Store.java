package io.kmsgw.crypto.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The metadata store: a SQL database reached through JDBC, used by the engine (keys, versions,
 * aliases) and the gateway (access model, audit). The embedded default is SQLite in the data dir; the
 * schema uses portable SQL so a PostgreSQL implementation runs the same statements.
 *
 * <p>Every write runs in one transaction that either commits durably or leaves no trace. Failures
 * surface as {@link StoreException}, which callers turn into "temporarily unavailable".
 */
public interface Store extends AutoCloseable {

    /** Work against a connection; may throw SQLException. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs read-only work. */
    <T> T read(Work<T> work);

    /** Runs work in a transaction and commits it durably before returning. */
    <T> T write(Work<T> work);

    /**
     * Applies a component's schema steps once each, in order, recording the version reached. Steps
     * already applied are skipped, so this is safe at every start.
     */
    void migrate(String component, List<String> steps);

    /** The SQL type for binary columns in this dialect (BLOB, BYTEA). */
    String binaryType();

    @Override
    void close();
}
