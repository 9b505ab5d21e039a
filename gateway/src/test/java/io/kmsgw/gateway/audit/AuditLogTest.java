package io.kmsgw.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.crypto.store.FaultInjectingStore;
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
import java.util.List;
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
            EmbeddedChannel ch = new EmbeddedChannel(new Dispatcher(new ApiOperations(null), log));
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
}
