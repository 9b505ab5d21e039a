package io.kmsgw.crypto.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store on a filesystem that fills up: writes fail while it is full, nothing half-written stays, and writes work again once space returns. */
class SqliteFullDiskTest {
    @TempDir
    Path tmp;

    @Test
    void writesFailWhileTheDiskIsFullAndWorkAgainWhenSpaceReturns() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp, 4L << 20); SqliteStore store = new SqliteStore(fs.dir().resolve("kmsgw.db"))) {
            store.migrate("t", List.of("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)"));
            insert(store, 1, 1000);
            fs.fill();
            int failed = 0;
            for (int i = 2; i < 200; i++) { // until the store's own pages run out too
                try {
                    insert(store, i, 16 * 1024);
                } catch (StoreException e) {
                    failed = i;
                    break;
                }
            }
            assertEquals(true, failed > 0, "the store refused a write on a full disk");
            int lastFailed = failed;
            assertThrows(StoreException.class, () -> insert(store, lastFailed, 16 * 1024));
            fs.free();
            // the first caller after the failures: its work fails half-way, and none of it may stay (the driver used to run
            // it in autocommit mode after SQLite had rolled the failed transaction back by itself)
            assertThrows(IllegalStateException.class, () -> store.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                    ps.setInt(1, 10_000);
                    ps.setBytes(2, new byte[10]);
                    ps.executeUpdate();
                }
                throw new IllegalStateException("the work fails after its first statement");
            }));
            assertEquals(lastFailed - 1, count(store), "nothing of the failed work was committed");
            insert(store, lastFailed, 16 * 1024);
            assertEquals(lastFailed, count(store), "every acknowledged row and the new one, nothing of the refused ones");
        }
    }

    private static void insert(Store store, int id, int bytes) {
        store.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, new byte[bytes]);
                return ps.executeUpdate();
            }
        });
    }

    private static int count(Store store) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM t"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
