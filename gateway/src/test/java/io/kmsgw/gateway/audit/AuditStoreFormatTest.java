package io.kmsgw.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.StoreException;
import io.kmsgw.crypto.store.Tmpfs;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store copy's form: zstd frames written, every earlier form still read, damage reported, earlier versions kept out. */
class AuditStoreFormatTest {
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    @TempDir
    Path dir;

    private static List<AuditRecord> records(String prefix, long time, int n) {
        List<AuditRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new AuditRecord(time + i, prefix + i, "KAAP.k1", "app", "127.0.0.1", "ua/1", "Encrypt", "key/key-1", "OK", 40 + i));
        }
        return out;
    }

    /** A row as an earlier version wrote it: its batch, its key index entry, with {@code stored} as the lines column. */
    private static void insertRaw(SqliteStore store, long batchId, List<AuditRecord> batch, byte[] stored) {
        long first = batch.get(0).timeMillis();
        long last = batch.get(batch.size() - 1).timeMillis();
        store.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_batch (batch_id, first_millis, last_millis, record_count, lines) VALUES (?,?,?,?,?)")) {
                ps.setLong(1, batchId);
                ps.setLong(2, first);
                ps.setLong(3, last);
                ps.setInt(4, batch.size());
                ps.setBytes(5, stored);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_batch_key (client_key_id, last_millis, first_millis, batch_id) VALUES (?,?,?,?)")) {
                ps.setString(1, "KAAP.k1");
                ps.setLong(2, last);
                ps.setLong(3, first);
                ps.setLong(4, batchId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static byte[] storedLines(SqliteStore store, long batchId) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT lines FROM audit_batch WHERE batch_id = ?")) {
                ps.setLong(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    return rs.getBytes(1);
                }
            }
        });
    }

    private static void execute(SqliteStore store, String sql) {
        store.write(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                return s.execute(sql);
            }
        });
    }

    private static Set<String> ids(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::requestId).collect(Collectors.toSet());
    }

    @Test
    void writesZstdFramesAndReadsTheFormsEarlierVersionsWrote() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); AuditStore table = new AuditStore(store)) {
            assertTrue(AuditStore.ZSTD, "zstd's native library loads on the platforms the tests run on");
            long t = System.currentTimeMillis() - 10_000;
            List<AuditRecord> now = records("zstd-", t + 2_000, 300);
            byte[] lines = AuditStore.encode(now);
            table.storeBatch(11, now, lines, lines.length);
            byte[] stored = storedLines(store, 11);
            assertArrayEquals(ZSTD_MAGIC, Arrays.copyOf(stored, 4), "the batch is stored as a zstd frame");
            assertTrue(stored.length < AuditStore.deflate(lines, lines.length).length,
                    stored.length + " bytes: smaller than the zlib form of the same lines");
            assertArrayEquals(stored, table.pack(lines, lines.length), "deterministic: a retried batch meets its own row");

            // rows of earlier versions: zlib (fastest level), and the plain lines before that
            List<AuditRecord> zlib = records("zlib-", t + 1_000, 50);
            byte[] zlibLines = AuditStore.encode(zlib);
            insertRaw(store, 22, zlib, AuditStore.deflate(zlibLines, zlibLines.length));
            List<AuditRecord> plain = records("plain-", t, 50);
            insertRaw(store, 33, plain, AuditStore.encode(plain));

            List<AuditRecord> found = table.query("KAAP.k1", null, null, null, 1_000);
            assertEquals(400, found.size());
            Set<String> expected = new java.util.HashSet<>(ids(now));
            expected.addAll(ids(zlib));
            expected.addAll(ids(plain));
            assertEquals(expected, ids(found));
            assertEquals("zstd-299", found.get(0).requestId(), "newest first");
            assertEquals(now.get(7), table.query(null, null, now.get(7).timeMillis(), now.get(7).timeMillis() + 1, 10).get(0));
        }
    }

    /**
     * SQLite's batch statements are prepared once and kept: a batch that fails in the middle of its statements (here its key
     * index row collides with one already there) leaves nothing behind, and the same statements store the retry and the
     * batches after it, each exactly once.
     */
    @Test
    void theKeptStatementsStoreEveryBatchOnceAfterOneFailed() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); AuditStore table = new AuditStore(store)) {
            long t = System.currentTimeMillis() - 10_000;
            List<AuditRecord> first = records("a-", t, 100);
            byte[] firstLines = AuditStore.encode(first);
            table.storeBatch(1, first, firstLines, firstLines.length);

            List<AuditRecord> second = records("b-", t + 1_000, 100);
            byte[] secondLines = AuditStore.encode(second);
            long last = second.get(99).timeMillis();
            execute(store, "INSERT INTO audit_batch_key (client_key_id, last_millis, first_millis, batch_id) VALUES ('KAAP.k1', " + last
                    + ", " + last + ", 2)");
            assertThrows(StoreException.class, () -> table.storeBatch(2, second, secondLines, secondLines.length),
                    "the batch row went in, its key row collided: the whole batch fails");
            assertEquals(100, table.query("KAAP.k1", null, null, null, 1_000).size(), "nothing of the failed batch is kept");

            execute(store, "DELETE FROM audit_batch_key WHERE batch_id = 2");
            table.storeBatch(2, second, secondLines, secondLines.length);
            List<AuditRecord> third = records("c-", t + 2_000, 100);
            byte[] thirdLines = AuditStore.encode(third);
            table.storeBatch(3, third, thirdLines, thirdLines.length);

            List<AuditRecord> found = table.query("KAAP.k1", null, null, null, 1_000);
            assertEquals(300, found.size());
            Set<String> expected = new java.util.HashSet<>(ids(first));
            expected.addAll(ids(second));
            expected.addAll(ids(third));
            assertEquals(expected, ids(found));
            assertEquals(300, table.usage(List.of("KAAP.k1")).get("KAAP.k1").requests(), "each batch counted once in the key's use");
        }
    }

    /**
     * The kept statements on a disk that fills: the driver finalizes a statement that fails with SQLITE_FULL, so a kept one
     * must be prepared again, or every batch after the disk had room again would fail ("statement is not executing") and the
     * gateway, which refuses requests it cannot audit, would stay down.
     */
    @Test
    void aFullDiskFailsBatchesOnlyWhileItIsFull() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir, 4L << 20); SqliteStore store = new SqliteStore(fs.dir().resolve("db"));
             AuditStore table = new AuditStore(store)) {
            long t = System.currentTimeMillis() - 60_000;
            java.util.Random random = new java.util.Random(27);
            // a page cache of a few pages: a batch spills to the WAL while its statements run, so the disk fills inside them
            // (with the default cache most batches only failed at COMMIT, which the kept statements never see)
            execute(store, "PRAGMA cache_size=4");
            int stored = 0;
            List<AuditRecord> first = records("first-", t, 100);
            byte[] firstLines = AuditStore.encode(first);
            table.storeBatch(1, first, firstLines, firstLines.length);
            stored += first.size();
            fs.fill();
            int failures = 0;
            for (int b = 2; b < 200 && failures < 3; b++) {
                // records that do not compress away (random user agents), so the store needs pages for each batch
                List<AuditRecord> batch = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    byte[] ua = new byte[300];
                    random.nextBytes(ua);
                    batch.add(new AuditRecord(t + b * 1_000L + i, "full-" + b + "-" + i, "KAAP.k1", "app", "127.0.0.1",
                            java.util.Base64.getEncoder().encodeToString(ua), "Encrypt", "key/key-1", "OK", 40));
                }
                byte[] lines = AuditStore.encode(batch);
                try {
                    table.storeBatch(b, batch, lines, lines.length);
                    stored += batch.size();
                } catch (StoreException full) {
                    failures++;
                }
            }
            assertTrue(failures > 0, "the disk filled up");
            fs.free();
            List<AuditRecord> after = records("after-", t + 500_000, 100);
            byte[] afterLines = AuditStore.encode(after);
            table.storeBatch(500, after, afterLines, afterLines.length); // throws if a finalized statement was kept
            stored += after.size();
            assertEquals(stored, table.query("KAAP.k1", null, null, null, 100_000).size(), "every acknowledged batch, once");
        }
    }

    @Test
    void aDamagedRowIsAStoreErrorNotGarbage() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); AuditStore table = new AuditStore(store)) {
            List<AuditRecord> batch = records("r-", System.currentTimeMillis(), 200);
            byte[] lines = AuditStore.encode(batch);
            byte[] frame = table.pack(lines, lines.length);

            byte[] flipped = frame.clone();
            flipped[frame.length / 2] ^= 0x40; // the frame's checksum (or its block structure) catches it
            insertRaw(store, 1, batch, flipped);
            StoreException e = assertThrows(StoreException.class, () -> table.query(null, null, null, null, 10));
            assertTrue(e.getMessage().startsWith("an audit batch in the store does not decompress"), e.getMessage());

            byte[] cut = Arrays.copyOf(frame, frame.length - 9);
            assertThrows(StoreException.class, () -> AuditStore.unpack(cut));
            // a header claiming an absurd size is refused before anything is allocated for it
            byte[] huge = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, (byte) 0xe0, 0, 0, 0, 0, 0x10, 0, 0, 0};
            StoreException big = assertThrows(StoreException.class, () -> AuditStore.unpack(huge));
            assertTrue(big.getMessage().contains("no usable size"), big.getMessage());
        }
    }

    @Test
    void anEarlierVersionRefusesAStoreThatMayHoldZstdRows() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); AuditStore table = new AuditStore(store)) {
            List<String> steps = AuditStore.schema(store);
            // the version before zstd knew every step but the two that mark the format
            List<String> earlier = steps.subList(0, steps.size() - 2);
            assertTrue(earlier.get(earlier.size() - 1).startsWith("INSERT INTO audit_key_usage"));
            RuntimeException e = assertThrows(RuntimeException.class, () -> store.migrate("audit", earlier));
            assertTrue(e.getMessage().contains("newer than this kmsgw knows"), e.getMessage());
            store.migrate("audit", steps); // this version opens it again
        }
    }

    @Test
    void aClosedStoreStillPacksInTheEarlierForm() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            AuditStore table = new AuditStore(store);
            table.close();
            byte[] lines = AuditStore.encode(records("late-", System.currentTimeMillis(), 3));
            byte[] packed = table.pack(lines, lines.length); // a writer outliving close() never touches freed native memory
            assertEquals(0x78, packed[0]);
            assertArrayEquals(lines, AuditStore.unpack(packed));
            table.close();
        }
    }
}
