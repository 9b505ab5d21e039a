package io.kmsgw.crypto.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded store: one SQLite database file in WAL mode with {@code synchronous=FULL}, so a
 * committed transaction survives a crash or power loss and an uncommitted one leaves nothing. One
 * connection serialises access; the hot path never reads the store (it reads in-memory views).
 */
public final class SqliteStore implements Store {
    private final Connection connection;

    public SqliteStore(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA journal_size_limit=16777216"); // the WAL shrinks back to 16 MB after a checkpoint
            }
            // Transactions are begun and ended here, by statement, not by the driver: on SQLITE_FULL or SQLITE_IOERR SQLite
            // rolls a transaction back by itself, and a driver left believing one is open then ran the next caller's
            // statements in autocommit mode (each committed at once) and failed its commit: an error answered for a
            // change that was committed.
            connection.setAutoCommit(true);
        } catch (Exception e) {
            throw new StoreException("cannot open the store at " + file, e, false);
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

    /** Runs work in one transaction (SQLite has no cheaper read path worth a second code path). */
    private synchronized <T> T transact(Work<T> work) {
        try {
            begin();
        } catch (SQLException e) {
            throw wrap(e);
        }
        try {
            T result = work.run(connection);
            try {
                exec("COMMIT");
            } catch (SQLException e) {
                if (e instanceof SQLiteException s && (s.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_IOERR.code) {
                    // an I/O error while the WAL frames were written or synced: they may or may not be durable
                    rollbackQuietly();
                    throw new StoreException("store commit outcome unknown: " + e.getMessage(), e, false, true);
                }
                throw e;
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            if (e instanceof SQLException sql) {
                throw wrap(sql);
            }
            throw (RuntimeException) e;
        }
    }

    /** Begins a transaction; one left open by a failure whose rollback failed too is rolled back first. */
    private void begin() throws SQLException {
        try {
            exec("BEGIN");
        } catch (SQLException open) {
            rollbackQuietly();
            exec("BEGIN");
        }
    }

    /**
     * BEGIN, COMMIT and ROLLBACK, each prepared once and kept: every write runs two of them (under the store's lock). One
     * that fails is dropped and prepared again next time: on errors such as SQLITE_FULL the driver finalizes the statement,
     * and a kept one would fail with "statement is not executing" long after the disk had room again.
     */
    private final java.util.Map<String, java.sql.PreparedStatement> control = new java.util.HashMap<>();

    private void exec(String sql) throws SQLException {
        java.sql.PreparedStatement ps = control.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            control.put(sql, ps);
        }
        try {
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            control.remove(sql);
            try {
                ps.close();
            } catch (SQLException ignored) {
                // already finalized by the driver
            }
            throw e;
        }
    }

    /** Ends the transaction, if SQLite has not already rolled it back by itself. */
    private void rollbackQuietly() {
        try {
            exec("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was active (SQLite rolled it back), or the original failure is what matters
        }
    }

    private static StoreException wrap(SQLException e) {
        boolean constraint = e instanceof SQLiteException s
                && (s.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_CONSTRAINT.code;
        return new StoreException("store operation failed: " + e.getMessage(), e, constraint);
    }

    @Override
    public synchronized void migrate(String component, List<String> steps) {
        write(c -> {
            Migrations.apply(c, component, steps);
            return null;
        });
    }

    @Override
    public boolean oneConnection() {
        return true;
    }

    @Override
    public String binaryType() {
        return "BLOB";
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown
        }
    }
}
