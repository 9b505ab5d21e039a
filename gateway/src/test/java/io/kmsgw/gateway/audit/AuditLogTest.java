package io.kmsgw.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.crypto.store.FaultInjectingStore;
import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.crypto.store.PostgresStore;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.dispatch.ApiOperations;
import io.kmsgw.gateway.dispatch.Dispatcher;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;

    private static AuditRecord record(String id) {
        return new AuditRecord(System.currentTimeMillis(), id, "KAAP.k1", "app", "127.0.0.1", "ua/1", "Encrypt", "key/key-1", "OK", 42);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached");
            Thread.sleep(10);
        }
    }

    @Test
    void writesQueriesFailsClosedAndRecoversWithoutDuplicates() throws Exception {
        FaultInjectingStore store = new FaultInjectingStore(new SqliteStore(dir.resolve("db")));
        try (AuditLog log = new AuditLog(dir.resolve("audit"), store, 1 << 20, 1024)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(log.offer(record("r" + i)));
            }
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            assertEquals(5, log.query("KAAP.k1", null, null, null, 100).size());
            assertEquals(0, log.query("KAAP.other", null, null, null, 100).size());
            assertEquals(2, log.query(null, "Encrypt", null, null, 2).size());

            store.failWrites(FaultInjectingStore.When.BEFORE_WORK, "injected: database or disk is full");
            assertTrue(log.offer(record("during-outage")));
            await(() -> !log.healthy());
            assertFalse(log.canAccept(), "an unhealthy sink accepts nothing: requests fail closed");

            // the dispatcher answers 503 instead of doing unaudited work
            EmbeddedChannel ch = new EmbeddedChannel(new Dispatcher(new ApiOperations(null, null), log));
            KmsRequest r = new KmsRequest("req-x", System.nanoTime(), null, true, "dkms-gcs-0.2", "GenerateRandom", null, "KAAP.k1",
                    null, null, null, null, null, null, List.of(), new byte[0]);
            ch.writeInbound(r);
            FullHttpResponse resp = ch.readOutbound();
            try {
                assertEquals(503, resp.status().code());
                assertEquals("ServiceUnavailableTemporary", KmsApi.Error.parseFrom(ByteBufUtil.getBytes(resp.content())).getErrorCode());
            } finally {
                resp.release();
            }

            store.heal();
            await(log::healthy);
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            assertTrue(log.canAccept());
            assertEquals(6, log.query("KAAP.k1", null, null, null, 100).size(), "the outage record is written exactly once");
            long lines = Files.readAllLines(dir.resolve("audit").resolve("audit-000001.jsonl")).size();
            assertEquals(6, lines, "no partial or duplicated batch in the JSON lines file");
        }
        store.close();
    }

    /**
     * An idle writer sleeps (it polled every 2 ms before) and the first record offered wakes it: written long before the
     * writer's own timeout would have, with the writer caught asleep when the record came.
     */
    @Test
    void anIdleWriterSleepsUntilTheFirstRecordWakesIt() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); AuditLog log = new AuditLog(dir.resolve("audit"), store, 1 << 20, 1024)) {
            for (int round = 0; round < 3; round++) {
                await(log::writerIdle);
                Thread.sleep(50); // asleep for good: at least 0.9 s of its timeout is left
                assertTrue(log.writerIdle());
                assertTrue(log.offer(record("wake-" + round)));
                long halfTimeout = AuditLog.IDLE_PARK_NANOS / 2;
                assertTrue(log.flush(halfTimeout, TimeUnit.NANOSECONDS), "the record woke the writer (round " + round + ")");
                assertEquals(round + 1, log.writtenCount());
            }
        }
    }

    @Test
    void eachFileLineIsOneRecordAsQueryShowsIt() throws Exception {
        List<AuditRecord> records = List.of(
                new AuditRecord(1_700_000_000_123L, "r-1", "KAAP.k1", "app", "10.0.0.1", "ua \"quoted\"\nsecond line \u00e9\u4e2d", "Encrypt",
                        "key/key-1", "OK", 42),
                new AuditRecord(1_700_000_000_456L, "r-2", "KAAP.k1", "app", "::1", "", "Decrypt", "alias/a\\b", "Forbidden.NoPermission", 0));
        ObjectMapper json = new ObjectMapper();
        try (Store store = new SqliteStore(dir.resolve("db3"));
             AuditLog log = new AuditLog(dir.resolve("audit3"), store, 1 << 20, 1024)) {
            records.forEach(log::offer);
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            List<String> lines = Files.readAllLines(dir.resolve("audit3").resolve("audit-000001.jsonl"), StandardCharsets.UTF_8);
            assertEquals(2, lines.size(), "one line per record, nothing between them");
            for (int i = 0; i < records.size(); i++) {
                assertEquals(json.writeValueAsString(records.get(i).toJson(json)), lines.get(i), "the line is what QueryAuditLog shows");
                JsonNode line = json.readTree(lines.get(i));
                assertEquals(records.get(i).userAgent(), line.get("UserAgent").asText());
                assertEquals(records.get(i).latencyMicros(), line.get("LatencyMicros").asLong());
            }
            assertEquals("2023-11-14T22:13:20.123Z", json.readTree(lines.get(0)).get("Time").asText());
            assertEquals(List.of(records.get(1), records.get(0)), log.query("KAAP.k1", null, null, null, 10));
        }
    }

    @Test
    void filesRollBySize() throws Exception {
        try (Store store = new SqliteStore(dir.resolve("db2"));
             AuditLog log = new AuditLog(dir.resolve("audit2"), store, 1000, 1024)) {
            for (int i = 0; i < 40; i++) {
                log.offer(record("roll-" + i));
                if (i % 10 == 9) {
                    assertTrue(log.flush(10, TimeUnit.SECONDS));
                }
            }
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            try (var files = Files.list(dir.resolve("audit2"))) {
                assertTrue(files.count() >= 2, "rolled into several files");
            }
            assertEquals(40, log.query(null, null, null, null, 1000).size());
        }
    }

    /** What QueryAuditLog must answer, by brute force over every record (times are distinct, so the order is unique). */
    private static List<AuditRecord> expected(List<AuditRecord> all, String key, String api, Long start, Long end, int limit) {
        return all.stream()
                .filter(r -> key == null || key.equals(r.clientKeyId()))
                .filter(r -> api == null || api.equals(r.apiName()))
                .filter(r -> start == null || r.timeMillis() >= start)
                .filter(r -> end == null || r.timeMillis() < end)
                .sorted(Comparator.comparingLong(AuditRecord::timeMillis).reversed())
                .limit(limit)
                .toList();
    }

    /**
     * Records of three keys and three APIs at distinct times, offered in chunks out of time order, so
     * batches overlap in time and a newer batch may hold older records.
     */
    private static List<AuditRecord> shuffledRecords(Random rnd, int n, String prefix) {
        List<Long> times = new ArrayList<>();
        for (long t = 0; t < n * 4L; t++) {
            times.add(1_700_000_000_000L + t);
        }
        java.util.Collections.shuffle(times, rnd);
        List<AuditRecord> out = new ArrayList<>();
        String[] apis = {"Encrypt", "Decrypt", "GetSecretValue"};
        for (int i = 0; i < n; i++) {
            out.add(new AuditRecord(times.get(i), prefix + i, "KAAP.k" + rnd.nextInt(3), "app", "10.0.0." + rnd.nextInt(4), "ua/" + i,
                    apis[rnd.nextInt(apis.length)], "key/key-" + rnd.nextInt(5), rnd.nextInt(5) == 0 ? "Forbidden.NoPermission" : "OK",
                    rnd.nextInt(1000)));
        }
        return out;
    }

    private static void offerInChunks(AuditLog log, List<AuditRecord> records, Random rnd) {
        int i = 0;
        while (i < records.size()) {
            int n = Math.min(records.size() - i, 1 + rnd.nextInt(60));
            for (AuditRecord r : records.subList(i, i + n)) {
                assertTrue(log.offer(r));
            }
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            i += n;
        }
    }

    private static void assertQueriesMatchAFullScan(List<AuditLog> logs, List<AuditRecord> all, Random rnd) {
        long first = all.stream().mapToLong(AuditRecord::timeMillis).min().orElseThrow();
        long last = all.stream().mapToLong(AuditRecord::timeMillis).max().orElseThrow();
        String[] keys = {null, "KAAP.k0", "KAAP.k1", "KAAP.k2", "KAAP.none"};
        String[] apis = {null, "Encrypt", "Decrypt"};
        for (int q = 0; q < 300; q++) {
            String key = keys[rnd.nextInt(keys.length)];
            String api = apis[rnd.nextInt(apis.length)];
            Long start = rnd.nextBoolean() ? null : first + (long) (rnd.nextDouble() * (last - first));
            Long end = rnd.nextBoolean() ? null : (start == null ? first : start) + (long) (rnd.nextDouble() * (last - first));
            int limit = rnd.nextInt(4) == 0 ? 10_000 : 1 + rnd.nextInt(40);
            AuditLog log = logs.get(rnd.nextInt(logs.size()));
            assertEquals(expected(all, key, api, start, end, limit), log.query(key, api, start, end, limit),
                    "query key=" + key + " api=" + api + " start=" + start + " end=" + end + " limit=" + limit);
        }
    }

    @Test
    void queriesOverManyBatchesAnswerAsAFullScanWould() throws Exception {
        Random rnd = new Random(42);
        List<AuditRecord> all = shuffledRecords(rnd, 1500, "q-");
        try (Store store = new SqliteStore(dir.resolve("db4"));
             AuditLog log = new AuditLog(dir.resolve("audit4"), store, 1 << 20, 4096)) {
            offerInChunks(log, all, rnd);
            long batches = store.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM audit_batch")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertTrue(batches >= 20, "the records are spread over many batches: " + batches);
            assertQueriesMatchAFullScan(List.of(log), all, rnd);
            assertEquals(List.of(), log.query(null, null, null, null, 0));
        }
    }

    @Test
    void gatewaysSharingAPostgresStoreEachSeeTheWholeAuditLog() throws Exception {
        String url = PostgresServer.shared().newDatabase();
        Random rnd = new Random(7);
        List<AuditRecord> a = shuffledRecords(rnd, 800, "a-");
        List<AuditRecord> b = new ArrayList<>();
        // the second gateway's records take the times the first one's left free
        List<AuditRecord> more = shuffledRecords(new Random(7), 3200, "b-");
        java.util.Set<Long> used = new java.util.HashSet<>();
        a.forEach(r -> used.add(r.timeMillis()));
        for (AuditRecord r : more) {
            if (b.size() < 800 && !used.contains(r.timeMillis())) {
                b.add(r);
            }
        }
        try (Store s1 = new PostgresStore(url, PostgresServer.shared().user(), null, 2);
             Store s2 = new PostgresStore(url, PostgresServer.shared().user(), null, 2);
             AuditLog g1 = new AuditLog(dir.resolve("g1"), s1, 1 << 20, 4096);
             AuditLog g2 = new AuditLog(dir.resolve("g2"), s2, 1 << 20, 4096)) {
            Thread other = new Thread(() -> offerInChunks(g2, b, new Random(8)));
            other.start();
            offerInChunks(g1, a, rnd);
            other.join();
            List<AuditRecord> all = new ArrayList<>(a);
            all.addAll(b);
            assertQueriesMatchAFullScan(List.of(g1, g2), all, rnd);
        }
    }

    @Test
    void perRecordRowsOfAnOlderStoreMoveIntoBatchesOnce() throws Exception {
        Random rnd = new Random(3);
        List<AuditRecord> old = shuffledRecords(rnd, 2500, "old-");
        Path db = dir.resolve("db5");
        try (Store store = new SqliteStore(db)) {
            store.migrate("audit", AuditStore.schema(store).subList(0, 3)); // the schema before batches
            store.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (time_millis, request_id, client_key_id, aap_name, "
                        + "client_ip, user_agent, api_name, resource, result_code, latency_micros) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                    for (AuditRecord r : old) {
                        ps.setLong(1, r.timeMillis());
                        ps.setString(2, r.requestId());
                        ps.setString(3, r.clientKeyId());
                        ps.setString(4, r.aapName());
                        ps.setString(5, r.clientIp());
                        ps.setString(6, r.userAgent());
                        ps.setString(7, r.apiName());
                        ps.setString(8, r.resource());
                        ps.setString(9, r.resultCode());
                        ps.setLong(10, r.latencyMicros());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
        List<AuditRecord> newer = shuffledRecords(new Random(4), 10, "new-").stream()
                .map(r -> new AuditRecord(r.timeMillis() + 1_000_000, r.requestId(), r.clientKeyId(), r.aapName(), r.clientIp(), r.userAgent(),
                        r.apiName(), r.resource(), r.resultCode(), r.latencyMicros()))
                .toList();
        List<AuditRecord> all = new ArrayList<>(old);
        all.addAll(newer);
        for (int start = 0; start < 2; start++) {
            try (Store store = new SqliteStore(db);
                 AuditLog log = new AuditLog(dir.resolve("audit5"), store, 1 << 20, 1024)) {
                if (start == 0) {
                    newer.forEach(log::offer);
                    assertTrue(log.flush(10, TimeUnit.SECONDS));
                }
                assertEquals(expected(all, null, null, null, null, 10_000), log.query(null, null, null, null, 10_000),
                        "every old record once, newest first, with the new ones");
                assertQueriesMatchAFullScan(List.of(log), all, rnd);
                long left = store.read(c -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM audit_log")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                assertEquals(0, left, "the per-record table is emptied in the same transaction");
            }
        }
    }

    @Test
    void aBatchWhoseCommitWasAcknowledgedAsFailedIsStoredOnce() throws Exception {
        FaultInjectingStore store = new FaultInjectingStore(new SqliteStore(dir.resolve("db6")));
        try (AuditLog log = new AuditLog(dir.resolve("audit6"), store, 1 << 20, 1024)) {
            store.loseAcknowledgements("injected: connection reset after commit");
            assertTrue(log.offer(record("lost-ack")));
            await(() -> !log.healthy());
            // the fault is still on: only finding its own row, byte for byte, lets the retry succeed
            await(log::healthy);
            assertTrue(log.flush(10, TimeUnit.SECONDS));
            store.heal();
            List<AuditRecord> found = log.query(null, null, null, null, 100);
            assertEquals(1, found.size(), "stored once, not twice");
            assertEquals("lost-ack", found.get(0).requestId());
            assertEquals(1, Files.readAllLines(dir.resolve("audit6").resolve("audit-000001.jsonl")).size());
        }
        store.close();
    }
}
