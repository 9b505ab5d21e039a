package io.kmsgw.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.crypto.store.PostgresStore;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's bound: {@code maxBytes} holds for its files and store rows together, retention deletes old records, and what
 * the rotation question needs (each client key's last use) survives both; admin records are kept and filtered by plane.
 */
class AuditBoundTest {
    private static final long MAX = 4L << 20;

    @TempDir
    Path dir;

    private static AuditRecord record(long time, String id, String key, String ip) {
        return new AuditRecord(time, id, key, "app", ip, "kms-gcs-java-sdk-version/0.5.2", "Encrypt", "key/key-1", "OK", 42);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    private static long filesBytes(Path audit) throws Exception {
        try (Stream<Path> s = Files.list(audit)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void filesAndStoreStayWithinMaxBytesAndEachKeysLastUseSurvives() throws Exception {
        Path audit = dir.resolve("audit");
        try (Store store = new SqliteStore(dir.resolve("db"));
             AuditLog log = new AuditLog(audit, store, new AuditLog.Options(MAX, null, true, false, null, 64L << 20, 65_536), Clock.systemUTC())) {
            long t0 = System.currentTimeMillis() - 60_000;
            assertTrue(log.offer(record(t0, "first", "KAAP.old", "10.0.0.9")));
            long peak = 0;
            int n = 200_000; // about 50 MB of records (a few MB compressed in the store): several times the bound for each copy
            for (int i = 0; i < n; i++) {
                while (!log.offer(record(t0 + 1 + i / 100, java.util.UUID.randomUUID().toString(), "KAAP.new", "10.0.0." + (i % 7)))) {
                    Thread.sleep(1);
                }
                if (i % 5000 == 0) {
                    peak = Math.max(peak, filesBytes(audit) + storeBytes(store));
                }
            }
            assertTrue(log.flush(30, TimeUnit.SECONDS));
            await(() -> log.bytesOnDisk() <= MAX, "pruned to the bound: " + log.bytesOnDisk());
            assertTrue(peak <= MAX * 3 / 2, "never over 1.5 x maxBytes: peak " + peak);
            assertTrue(filesBytes(audit) <= MAX / 2 + (MAX / 16), "files within their half: " + filesBytes(audit));
            assertTrue(storeBytes(store) <= MAX / 2, "store rows within their half: " + storeBytes(store));
            assertTrue(log.prunedBytes() > MAX, "records were deleted: " + log.prunedBytes());
            // a full store is pruned in steps of a sixteenth of its share, not after every batch (which cost a third of a
            // core in scans of the batch table at the default bound)
            assertTrue(log.storePrunePasses() > 0 && log.storePrunedBytes() / log.storePrunePasses() >= MAX / 2 / 16,
                    log.storePrunePasses() + " store pruning passes deleted " + log.storePrunedBytes() + " bytes");
            assertTrue(log.query("KAAP.old", null, null, null, 10).isEmpty(), "the first record is gone");
            assertTrue(log.oldestMillis() > t0, "the oldest kept moved on");

            Map<String, ClientKeyUsage> used = log.usage(List.of("KAAP.old", "KAAP.new", "KAAP.never"));
            assertEquals(new ClientKeyUsage("KAAP.old", t0, t0, "10.0.0.9", "Encrypt", 1), used.get("KAAP.old"),
                    "the old key's last use outlives its records");
            assertEquals(n, used.get("KAAP.new").requests());
            assertEquals(t0 + 1 + (n - 1) / 100, used.get("KAAP.new").lastMillis());
            assertEquals(null, used.get("KAAP.never"));
        }
    }

    private static long storeBytes(Store store) {
        return store.read(c -> {
            try (var ps = c.prepareStatement("SELECT COALESCE(SUM(LENGTH(lines)), 0) FROM audit_batch"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void retentionDeletesOldRecordsAndOldFiles() throws Exception {
        Path audit = dir.resolve("audit-r");
        long now = System.currentTimeMillis();
        try (Store store = new SqliteStore(dir.resolve("db-r"))) {
            try (AuditLog log = new AuditLog(audit, store, AuditLog.Options.unbounded(64 * 1024, 4096), Clock.systemUTC())) {
                for (int i = 0; i < 2000; i++) {
                    assertTrue(log.offer(record(now - Duration.ofDays(40).toMillis() + i, "old-" + i, "KAAP.k", "10.0.0.1")));
                }
                assertTrue(log.flush(10, TimeUnit.SECONDS));
            }
            try (Stream<Path> s = Files.list(audit)) {
                for (Path p : s.toList()) { // written 40 days ago
                    Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(now - Duration.ofDays(40).toMillis()));
                }
            }
            long oldFiles = filesBytes(audit);
            Clock clock = Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC);
            try (AuditLog log = new AuditLog(audit, store, new AuditLog.Options(0, Duration.ofDays(30), true, false, null, 64 * 1024, 4096),
                    clock)) {
                assertTrue(log.offer(record(now, "new", "KAAP.k", "10.0.0.2")));
                assertTrue(log.flush(10, TimeUnit.SECONDS));
                await(() -> log.query(null, null, null, null, 10).size() == 1, "only the new record is kept");
                assertEquals("new", log.query(null, null, null, null, 10).get(0).requestId());
                await(() -> {
                    try {
                        return filesBytes(audit) < oldFiles;
                    } catch (Exception e) {
                        return false;
                    }
                }, "old files deleted");
                assertEquals(2001, log.usage(List.of("KAAP.k")).get("KAAP.k").requests(), "the usage summary counts them all");
            }
        }
    }

    @Test
    void adminRecordsAreKeptWithTheirCredentialAndFilteredByPlane() throws Exception {
        try (Store store = new SqliteStore(dir.resolve("db-a"));
             AuditLog log = new AuditLog(dir.resolve("audit-a"), store, AuditLog.Options.unbounded(1 << 20, 1024), Clock.systemUTC())) {
            long now = System.currentTimeMillis();
            assertTrue(log.offer(record(now, "d-1", "KAAP.k", "10.0.0.1")));
            assertTrue(log.offer(new AuditRecord(now + 1, "a-1", "admin.token", "", "10.0.0.5", "curl/8", "CreateKey", "key-1", "OK", 900,
                    AuditRecord.ADMIN)));
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            List<AuditRecord> admin = log.query(null, null, AuditRecord.ADMIN, null, null, 10);
            assertEquals(1, admin.size());
            assertEquals("a-1", admin.get(0).requestId());
            assertEquals("admin.token", admin.get(0).clientKeyId());
            assertTrue(admin.get(0).admin());
            assertEquals(List.of("d-1"), log.query(null, null, AuditRecord.DATA, null, null, 10).stream().map(AuditRecord::requestId).toList());
            String line = Files.readAllLines(dir.resolve("audit-a/audit-000001.jsonl")).get(1);
            assertTrue(line.contains("\"Plane\":\"admin\",\"AdminTokenId\":\"admin.token\"") && !line.contains("ClientKeyId"), line);
            assertEquals(null, log.usage(List.of("admin.token")).get("admin.token"), "an admin credential is no client key");
        }
    }

    @Test
    void replicasOfASharedStoreShareTheUsageSummary() throws Exception {
        String url = PostgresServer.shared().newDatabase();
        try (Store s1 = new PostgresStore(url, PostgresServer.shared().user(), null, 2);
             Store s2 = new PostgresStore(url, PostgresServer.shared().user(), null, 2);
             AuditLog g1 = new AuditLog(dir.resolve("g1"), s1, AuditLog.Options.unbounded(1 << 20, 4096), Clock.systemUTC());
             AuditLog g2 = new AuditLog(dir.resolve("g2"), s2, AuditLog.Options.unbounded(1 << 20, 4096), Clock.systemUTC())) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 300; i++) {
                assertTrue(g1.offer(record(now + i, "a" + i, "KAAP.shared", "10.0.1.1")));
                assertTrue(g2.offer(record(now + 1000 + i, "b" + i, "KAAP.shared", "10.0.2.2")));
            }
            assertTrue(g1.flush(10, TimeUnit.SECONDS) && g2.flush(10, TimeUnit.SECONDS));
            ClientKeyUsage u = g1.usage(List.of("KAAP.shared")).get("KAAP.shared");
            assertNotNull(u);
            assertEquals(600, u.requests());
            assertEquals(now, u.firstMillis());
            assertEquals(now + 1299, u.lastMillis());
            assertEquals("10.0.2.2", u.lastIp(), "the later use wins, whichever replica stored it first");
        }
    }
}
